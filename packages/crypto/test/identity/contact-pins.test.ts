import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CRYPTO_ERROR, isCryptoError } from '../../src/errors.js';
import { ContactPins, MemoryPinStorage, type PinRecord } from '../../src/identity/contact-pins.js';
import { generateIdentity } from '../../src/identity/identity-keys.js';
import { seededRandom } from '../signal/helpers.js';

describe('ContactPins (TOFU)', () => {
  const random = seededRandom('pins-tests');
  const bob = generateIdentity(random).publicIdentity;
  const mallory = generateIdentity(random).publicIdentity;

  it('pins on first use, then matches the same key', async () => {
    const pins = new ContactPins({ now: () => 1000 });
    const first = await pins.check('bob', bob);
    assert.equal(first.status, 'pinned-first-use');
    assert.deepEqual(first.record, {
      identityKey: first.record.identityKey,
      pinnedAt: 1000,
      verified: false,
    });
    const again = await pins.check('bob', bob);
    assert.equal(again.status, 'matches');
  });

  it('refuses a different key loudly until it is explicitly re-approved', async () => {
    const storage = new MemoryPinStorage();
    const pins = new ContactPins({ storage });
    await pins.check('bob', bob);
    await assert.rejects(pins.check('bob', mallory), (e) =>
      isCryptoError(e, CRYPTO_ERROR.identityKeyChanged),
    );
    // The pin was not replaced by the failed check.
    assert.equal((await pins.check('bob', bob)).status, 'matches');
    await pins.approve('bob', mallory, false);
    assert.equal((await pins.check('bob', mallory)).status, 'matches');
    await assert.rejects(pins.check('bob', bob), (e) => isCryptoError(e, CRYPTO_ERROR.identityKeyChanged));
  });

  it('records out-of-band verification only for the pinned key', async () => {
    const pins = new ContactPins();
    await pins.check('bob', bob);
    await assert.rejects(pins.markVerified('bob', mallory), (e) =>
      isCryptoError(e, CRYPTO_ERROR.identityKeyChanged),
    );
    const rec = await pins.markVerified('bob', bob);
    assert.equal(rec.verified, true);
    assert.equal((await pins.get('bob'))?.verified, true);
  });

  it('uses injected storage (pins survive a new ContactPins over the same store) and can forget', async () => {
    const saved = new Map<string, PinRecord>();
    const storage = {
      get: async (id: string) => saved.get(id),
      set: async (id: string, r: PinRecord) => void saved.set(id, JSON.parse(JSON.stringify(r))),
      delete: async (id: string) => void saved.delete(id),
    };
    await new ContactPins({ storage }).check('bob', bob);
    const later = new ContactPins({ storage });
    await assert.rejects(later.check('bob', mallory), (e) =>
      isCryptoError(e, CRYPTO_ERROR.identityKeyChanged),
    );
    await later.forget('bob');
    assert.equal((await later.check('bob', mallory)).status, 'pinned-first-use');
  });

  it('refuses to pin an identity whose binding does not verify', async () => {
    const pins = new ContactPins();
    await assert.rejects(pins.check('x', { ...bob, dhKey: mallory.dhKey }), (e) =>
      isCryptoError(e, CRYPTO_ERROR.badSignature),
    );
    assert.equal(await pins.get('x'), undefined);
  });
});
