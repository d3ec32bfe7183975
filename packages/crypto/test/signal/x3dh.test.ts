import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CRYPTO_ERROR, isCryptoError } from '../../src/errors.js';
import { encodeIdentityKey, generateIdentity } from '../../src/identity/identity-keys.js';
import { generateSignedPrekey, publicSignedPrekey } from '../../src/identity/signed-prekey.js';
import {
  initialMessageFromJson,
  initialMessageToJson,
  type PrekeyBundle,
  prekeyBundleFromJson,
  prekeyBundleToJson,
} from '../../src/signal/x3dh-common.js';
import { x3dhInitiate } from '../../src/signal/x3dh-initiator.js';
import { x3dhRespond } from '../../src/signal/x3dh-responder.js';
import { seededRandom } from './helpers.js';
import { refX3dhKdf, refX25519 } from './reference.js';

const code = (c: string) => (err: unknown) => isCryptoError(err) && err.code === c;

describe('X3DH, 3-DH P2P form', () => {
  const random = seededRandom('x3dh-tests');
  const alice = generateIdentity(random);
  const bob = generateIdentity(random);
  const spk = generateSignedPrekey(bob, 42, random);
  const bundle: PrekeyBundle = { identity: bob.publicIdentity, signedPrekey: publicSignedPrekey(spk) };

  it('both sides derive the same SK and AD, equal to the definition computed independently', () => {
    // Capture the ephemeral secret by recording what the initiator draws from its RNG.
    const draws: Uint8Array[] = [];
    const recording = (n: number) => {
      const b = random(n);
      draws.push(b.slice());
      return b;
    };
    const init = x3dhInitiate(alice, bundle, recording);
    const resp = x3dhRespond(bob, spk, init.initialMessage);
    assert.deepEqual(resp.sharedSecret, init.sharedSecret);
    assert.deepEqual(resp.associatedData, init.associatedData);
    assert.equal(init.sharedSecret.length, 32);
    assert.deepEqual(
      init.associatedData,
      new Uint8Array([...encodeIdentityKey(alice.publicIdentity), ...encodeIdentityKey(bob.publicIdentity)]),
    );
    const ek = draws[0] as Uint8Array;
    const ekPub = init.initialMessage.ephemeralKey;
    const dh1 = refX25519(alice.dhSecret, spk.publicKey, alice.publicIdentity.dhKey);
    const dh2 = refX25519(ek, bob.publicIdentity.dhKey, ekPub);
    const dh3 = refX25519(ek, spk.publicKey, ekPub);
    assert.deepEqual(init.sharedSecret, refX3dhKdf(new Uint8Array([...dh1, ...dh2, ...dh3])));
    assert.deepEqual(init.remoteRatchetKey, spk.publicKey);
  });

  it('wipes the ephemeral secret and leaves its inputs unchanged', () => {
    const drawn: Uint8Array[] = [];
    const keeping = (n: number) => {
      const b = random(n);
      drawn.push(b);
      return b;
    };
    const before = JSON.stringify(prekeyBundleToJson(bundle));
    const aliceSecret = alice.dhSecret.slice();
    x3dhInitiate(alice, bundle, keeping);
    assert.equal(drawn.length, 1);
    assert.ok(
      (drawn[0] as Uint8Array).every((b) => b === 0),
      'EK_A secret zeroed after use',
    );
    assert.equal(JSON.stringify(prekeyBundleToJson(bundle)), before);
    assert.deepEqual(alice.dhSecret, aliceSecret);
  });

  it('wire forms round-trip through JSON', () => {
    const init = x3dhInitiate(alice, bundle, random);
    const bundleBack = prekeyBundleFromJson(JSON.parse(JSON.stringify(prekeyBundleToJson(bundle))));
    assert.deepEqual(bundleBack, bundle);
    const msgBack = initialMessageFromJson(
      JSON.parse(JSON.stringify(initialMessageToJson(init.initialMessage))),
    );
    assert.deepEqual(msgBack, init.initialMessage);
  });

  it('rejects a tampered or foreign signed-prekey signature before any DH', () => {
    const sig = bundle.signedPrekey.signature.slice();
    sig[0] = (sig[0] as number) ^ 1;
    assert.throws(
      () =>
        x3dhInitiate(alice, { ...bundle, signedPrekey: { ...bundle.signedPrekey, signature: sig } }, random),
      code(CRYPTO_ERROR.badSignature),
    );
    // A relay substituting its own prekey, signed by its own identity, under Bob's identity.
    const mallory = generateIdentity(random);
    const mspk = generateSignedPrekey(mallory, 42, random);
    assert.throws(
      () =>
        x3dhInitiate(alice, { identity: bob.publicIdentity, signedPrekey: publicSignedPrekey(mspk) }, random),
      code(CRYPTO_ERROR.badSignature),
    );
  });

  it('rejects a low-order ephemeral or prekey (all-zero DH output)', () => {
    const init = x3dhInitiate(alice, bundle, random);
    for (const bad of [new Uint8Array(32), Uint8Array.of(1, ...new Uint8Array(31))]) {
      assert.throws(
        () => x3dhRespond(bob, spk, { ...init.initialMessage, ephemeralKey: bad }),
        code(CRYPTO_ERROR.malformed),
      );
    }
  });

  it('rejects an initial message naming another prekey or carrying an unbound identity', () => {
    const init = x3dhInitiate(alice, bundle, random);
    assert.throws(
      () => x3dhRespond(bob, spk, { ...init.initialMessage, signedPrekeyId: 43 }),
      code(CRYPTO_ERROR.malformed),
    );
    const mallory = generateIdentity(random);
    const unbound = { ...alice.publicIdentity, dhKey: mallory.publicIdentity.dhKey };
    assert.throws(
      () => x3dhRespond(bob, spk, { ...init.initialMessage, identity: unbound }),
      code(CRYPTO_ERROR.badSignature),
    );
  });

  it('gives different secrets when any party key differs (a relay key substitution is not silent)', () => {
    const init = x3dhInitiate(alice, bundle, random);
    const mallory = generateIdentity(random);
    // Mallory claims to be Alice with Alice's ephemeral: he lacks Alice's identity secret, so SK differs.
    const asMallory = x3dhRespond(bob, spk, { ...init.initialMessage, identity: mallory.publicIdentity });
    assert.notDeepEqual(asMallory.sharedSecret, init.sharedSecret);
    assert.notDeepEqual(asMallory.associatedData, init.associatedData);
  });
});
