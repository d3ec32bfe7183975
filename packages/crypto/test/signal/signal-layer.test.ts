import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CRYPTO_ERROR, isCryptoError } from '../../src/errors.js';
import { generateIdentity } from '../../src/identity/identity-keys.js';
import { generateSignedPrekey, publicSignedPrekey } from '../../src/identity/signed-prekey.js';
import type { LayerParameters } from '../../src/layer.js';
import {
  acceptSignalSession,
  initiateSignalSession,
  type SessionCompleteJson,
} from '../../src/signal/session.js';
import { SignalLayer } from '../../src/signal/signal-layer.js';
import { prekeyBundleFromJson, prekeyBundleToJson } from '../../src/signal/x3dh-common.js';
import { seededRandom, text, utf8 } from './helpers.js';

const hasCode = (c: string) => (err: unknown) => isCryptoError(err) && err.code === c;
const snap = (l: SignalLayer) => JSON.stringify(l.toJSON());

async function sessionPair(seed: string) {
  const random = seededRandom(seed);
  const aliceId = generateIdentity(random);
  const bobId = generateIdentity(random);
  const spk = generateSignedPrekey(bobId, 9, random);
  // Through JSON, as the PDUs carry it.
  const bundleJson = JSON.parse(
    JSON.stringify(
      prekeyBundleToJson({ identity: bobId.publicIdentity, signedPrekey: publicSignedPrekey(spk) }),
    ),
  );
  const started = await initiateSignalSession(aliceId, prekeyBundleFromJson(bundleJson), random);
  const completeJson: SessionCompleteJson = JSON.parse(JSON.stringify(started.sessionComplete));
  const accepted = await acceptSignalSession(bobId, spk, completeJson, random);
  return {
    random,
    aliceId,
    bobId,
    spk,
    started,
    accepted,
    alice: started.layer,
    bob: accepted.layer,
    completeJson,
  };
}

async function send(
  from: SignalLayer,
  to: SignalLayer,
  message: string,
  ad = utf8('pdu-ad'),
): Promise<string> {
  const sealed = await from.seal(utf8(message), ad);
  sealed.commit();
  const params = JSON.parse(JSON.stringify(sealed.parameters)) as LayerParameters;
  const opened = await to.open(sealed.ciphertext, params, ad);
  opened.commit();
  return text(opened.plaintext);
}

describe('SignalLayer', () => {
  it('identifies itself as the profile expects', async () => {
    const { alice } = await sessionPair('layer-id');
    assert.equal(alice.name, 'Signal');
    assert.equal(alice.algorithm, 'X3DH-DoubleRatchet');
    assert.equal(alice.version, '1.0.0');
  });

  it('after signal-session-complete both sides can send, in any interleaving', async () => {
    const { alice, bob, started, accepted, aliceId, bobId } = await sessionPair('layer-roundtrip');
    assert.deepEqual(started.remoteIdentity, bobId.publicIdentity);
    assert.deepEqual(accepted.remoteIdentity, aliceId.publicIdentity);
    assert.ok(bob.canSend);
    assert.equal(await send(bob, alice, 'bob speaks first'), 'bob speaks first');
    assert.equal(await send(alice, bob, 'a1'), 'a1');
    assert.equal(await send(alice, bob, 'a2'), 'a2');
    assert.equal(await send(bob, alice, 'b1'), 'b1');
  });

  it('parameters are the header as JSON-safe values', async () => {
    const { alice } = await sessionPair('layer-params');
    const sealed = await alice.seal(utf8('x'), new Uint8Array(0));
    assert.deepEqual(Object.keys(sealed.parameters).sort(), ['dh', 'n', 'pn']);
    assert.equal(typeof sealed.parameters.dh, 'string');
    assert.equal(sealed.parameters.n, 1); // n = 0 was the session confirmation
  });

  it('changes no state until commit; an uncommitted open can be retried', async () => {
    const { alice, bob } = await sessionPair('layer-commit');
    const a0 = snap(alice);
    const sealed = await alice.seal(utf8('m'), utf8('ad'));
    assert.equal(snap(alice), a0);
    sealed.commit();
    assert.notEqual(snap(alice), a0);
    const b0 = snap(bob);
    const opened = await bob.open(sealed.ciphertext, sealed.parameters, utf8('ad'));
    assert.equal(snap(bob), b0);
    const again = await bob.open(sealed.ciphertext, sealed.parameters, utf8('ad'));
    again.commit();
    assert.deepEqual(opened.plaintext, again.plaintext);
    await assert.rejects(
      bob.open(sealed.ciphertext, sealed.parameters, utf8('ad')),
      hasCode(CRYPTO_ERROR.replay),
    );
  });

  it('a stale commit throws CRYPTO_STALE_COMMIT instead of rewinding the ratchet', async () => {
    const { alice } = await sessionPair('layer-stale');
    const s1 = await alice.seal(utf8('1'), utf8(''));
    const s2 = await alice.seal(utf8('2'), utf8(''));
    s1.commit();
    assert.throws(() => s2.commit(), hasCode(CRYPTO_ERROR.staleCommit));
  });

  it('binds the cascade AD and the header parameters; failures leave the layer unchanged', async () => {
    const { alice, bob } = await sessionPair('layer-tamper');
    const sealed = await alice.seal(utf8('secret'), utf8('ad-1'));
    sealed.commit();
    const b0 = snap(bob);
    await assert.rejects(
      bob.open(sealed.ciphertext, sealed.parameters, utf8('ad-2')),
      hasCode(CRYPTO_ERROR.decryptFailed),
    );
    const p = sealed.parameters;
    const badParams: unknown[] = [
      { ...p, n: (p.n as number) + 1 },
      { ...p, pn: 3 },
    ];
    for (const bad of badParams) {
      await assert.rejects(bob.open(sealed.ciphertext, bad as LayerParameters, utf8('ad-1')), (e) =>
        isCryptoError(e),
      );
    }
    const malformed: unknown[] = [
      {},
      { ...p, n: -1 },
      { ...p, n: 1.5 },
      { ...p, pn: '0' },
      { ...p, dh: 'AAAA' },
      { ...p, extra: true },
    ];
    for (const bad of malformed) {
      await assert.rejects(
        bob.open(sealed.ciphertext, bad as LayerParameters, utf8('ad-1')),
        hasCode(CRYPTO_ERROR.malformed),
      );
    }
    assert.equal(snap(bob), b0);
    const ok = await bob.open(sealed.ciphertext, sealed.parameters, utf8('ad-1'));
    assert.equal(text(ok.plaintext), 'secret');
  });

  it('a session confirmation is never accepted as a cascade message (AD purpose byte)', async () => {
    const random = seededRandom('layer-purpose');
    const aliceId = generateIdentity(random);
    const bobId = generateIdentity(random);
    const spk = generateSignedPrekey(bobId, 1, random);
    const started = await initiateSignalSession(
      aliceId,
      { identity: bobId.publicIdentity, signedPrekey: spk },
      random,
    );
    const accepted = await acceptSignalSession(bobId, spk, started.sessionComplete, random);
    // Replaying the confirmation ciphertext through the layer with an empty cascade AD must fail.
    const conf = started.sessionComplete.confirmation;
    await assert.rejects(
      accepted.layer.open(
        Uint8Array.from(Buffer.from(conf.ciphertext, 'base64')),
        { ...conf.header },
        new Uint8Array(0),
      ),
      (e) => isCryptoError(e),
    );
  });

  it('resumes from its JSON export mid-conversation (P7.4)', async () => {
    const { alice, bob, random } = await sessionPair('layer-resume');
    await send(alice, bob, 'before');
    const lost = await bob.seal(utf8('in flight'), utf8('ad'));
    lost.commit();
    const alice2 = SignalLayer.fromJSON(JSON.parse(JSON.stringify(alice)), random);
    const bob2 = SignalLayer.fromJSON(JSON.parse(JSON.stringify(bob.toJSON())), random);
    assert.equal(
      text((await alice2.open(lost.ciphertext, lost.parameters, utf8('ad'))).plaintext),
      'in flight',
    );
    assert.equal(await send(alice2, bob2, 'after'), 'after');
    assert.equal(await send(bob2, alice2, 'reply'), 'reply');
    assert.throws(
      () => SignalLayer.fromJSON({ ...bob.toJSON(), version: 9 }),
      hasCode(CRYPTO_ERROR.malformed),
    );
    assert.throws(
      () => SignalLayer.fromJSON({ ...bob.toJSON(), associatedData: 'AAAA' }),
      hasCode(CRYPTO_ERROR.malformed),
    );
  });
});

describe('Signal session setup (signal-session-complete)', () => {
  it('refuses a tampered confirmation with CRYPTO_DECRYPT_FAILED', async () => {
    const { bobId, spk, completeJson, random } = await sessionPair('setup-tamper');
    const ct = Buffer.from(completeJson.confirmation.ciphertext, 'base64');
    ct[5] = (ct[5] as number) ^ 1;
    const tampered = {
      ...completeJson,
      confirmation: { ...completeJson.confirmation, ciphertext: ct.toString('base64') },
    };
    await assert.rejects(
      acceptSignalSession(bobId, spk, tampered, random),
      hasCode(CRYPTO_ERROR.decryptFailed),
    );
  });

  it('refuses a session-complete from someone who swapped in their own identity', async () => {
    const { bobId, spk, completeJson, random } = await sessionPair('setup-mitm');
    const mallory = generateIdentity(random);
    const forged = {
      ...completeJson,
      x3dh: {
        ...completeJson.x3dh,
        identity: {
          signingKey: Buffer.from(mallory.publicIdentity.signingKey).toString('base64'),
          dhKey: Buffer.from(mallory.publicIdentity.dhKey).toString('base64'),
          binding: Buffer.from(mallory.publicIdentity.binding).toString('base64'),
        },
      },
    };
    await assert.rejects(
      acceptSignalSession(bobId, spk, forged, random),
      hasCode(CRYPTO_ERROR.decryptFailed),
    );
  });

  it('refuses malformed session-complete objects with CRYPTO_MALFORMED', async () => {
    const { bobId, spk, completeJson, random } = await sessionPair('setup-malformed');
    const bads: unknown[] = [
      null,
      'x',
      {},
      { ...completeJson, confirmation: null },
      { ...completeJson, confirmation: { ...completeJson.confirmation, ciphertext: 'A'.repeat(400) } },
      { ...completeJson, confirmation: { ...completeJson.confirmation, header: { dh: 'x', pn: 0, n: 0 } } },
      { ...completeJson, x3dh: { ...completeJson.x3dh, ephemeralKey: 'AAAA' } },
      { ...completeJson, x3dh: { ...completeJson.x3dh, signedPrekeyId: 10 } },
    ];
    for (const bad of bads) {
      await assert.rejects(acceptSignalSession(bobId, spk, bad, random), hasCode(CRYPTO_ERROR.malformed));
    }
  });

  it('refuses a bundle whose prekey is not signed by the bundle identity', async () => {
    const random = seededRandom('setup-bundle');
    const aliceId = generateIdentity(random);
    const bobId = generateIdentity(random);
    const mallory = generateIdentity(random);
    const mspk = generateSignedPrekey(mallory, 1, random);
    await assert.rejects(
      initiateSignalSession(
        aliceId,
        { identity: bobId.publicIdentity, signedPrekey: publicSignedPrekey(mspk) },
        random,
      ),
      hasCode(CRYPTO_ERROR.badSignature),
    );
  });
});
