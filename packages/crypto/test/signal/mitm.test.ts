/**
 * A relay (e.g. a malicious broker that also controls the data channel path) substitutes its own
 * keys in both directions. On first contact the sessions work but the safety numbers differ; on a
 * pinned contact the substitution is a blocking CRYPTO_IDENTITY_KEY_CHANGED.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CRYPTO_ERROR, isCryptoError } from '../../src/errors.js';
import { ContactPins } from '../../src/identity/contact-pins.js';
import { generateIdentity } from '../../src/identity/identity-keys.js';
import { computeSafetyNumber } from '../../src/identity/safety-number.js';
import { generateSignedPrekey, publicSignedPrekey } from '../../src/identity/signed-prekey.js';
import { acceptSignalSession, initiateSignalSession } from '../../src/signal/session.js';
import { seededRandom } from './helpers.js';

describe('key-substituting relay', () => {
  const random = seededRandom('mitm-tests');
  const alice = generateIdentity(random);
  const bob = generateIdentity(random);
  const mallory = generateIdentity(random);

  async function relayedHandshake() {
    // Alice thinks she talks to Bob but receives Mallory's bundle.
    const mspk = generateSignedPrekey(mallory, 1, random);
    const toMallory = await initiateSignalSession(
      alice,
      { identity: mallory.publicIdentity, signedPrekey: publicSignedPrekey(mspk) },
      random,
    );
    await acceptSignalSession(mallory, mspk, toMallory.sessionComplete, random);
    // Bob thinks he talks to Alice but Mallory initiates with her own identity.
    const bspk = generateSignedPrekey(bob, 2, random);
    const fromMallory = await initiateSignalSession(
      mallory,
      { identity: bob.publicIdentity, signedPrekey: publicSignedPrekey(bspk) },
      random,
    );
    const atBob = await acceptSignalSession(bob, bspk, fromMallory.sessionComplete, random);
    return { aliceSeesAsBob: toMallory.remoteIdentity, bobSeesAsAlice: atBob.remoteIdentity };
  }

  it('cannot keep the real identities: Alice and Bob see different safety numbers on first contact', async () => {
    const { aliceSeesAsBob, bobSeesAsAlice } = await relayedHandshake();
    const atAlice = computeSafetyNumber(
      { identity: alice.publicIdentity, stableId: 'alice' },
      { identity: aliceSeesAsBob, stableId: 'bob' },
    );
    const atBob = computeSafetyNumber(
      { identity: bob.publicIdentity, stableId: 'bob' },
      { identity: bobSeesAsAlice, stableId: 'alice' },
    );
    assert.notEqual(atAlice.digits, atBob.digits);
    const honest = computeSafetyNumber(
      { identity: alice.publicIdentity, stableId: 'alice' },
      { identity: bob.publicIdentity, stableId: 'bob' },
    );
    assert.notEqual(atAlice.digits, honest.digits);
  });

  it('is a blocking key-change error for contacts pinned earlier', async () => {
    const alicePins = new ContactPins();
    const bobPins = new ContactPins();
    await alicePins.check('bob', bob.publicIdentity);
    await bobPins.check('alice', alice.publicIdentity);
    const { aliceSeesAsBob, bobSeesAsAlice } = await relayedHandshake();
    const changed = (e: unknown) => isCryptoError(e, CRYPTO_ERROR.identityKeyChanged);
    await assert.rejects(alicePins.check('bob', aliceSeesAsBob), changed);
    await assert.rejects(bobPins.check('alice', bobSeesAsAlice), changed);
  });

  it("cannot pass off Bob's identity with its own prekey", async () => {
    const mspk = generateSignedPrekey(mallory, 1, random);
    await assert.rejects(
      initiateSignalSession(
        alice,
        { identity: bob.publicIdentity, signedPrekey: publicSignedPrekey(mspk) },
        random,
      ),
      (e) => isCryptoError(e, CRYPTO_ERROR.badSignature),
    );
  });
});
