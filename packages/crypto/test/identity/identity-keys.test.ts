import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CRYPTO_ERROR, isCryptoError } from '../../src/errors.js';
import {
  encodeIdentityKey,
  exportIdentity,
  generateIdentity,
  importIdentity,
  publicIdentityFromJson,
  publicIdentityToJson,
  verifyPublicIdentity,
} from '../../src/identity/identity-keys.js';
import {
  exportSignedPrekey,
  generateSignedPrekey,
  importSignedPrekey,
  publicSignedPrekey,
  verifySignedPrekey,
} from '../../src/identity/signed-prekey.js';
import { seededRandom } from '../signal/helpers.js';

const code = (c: string) => (err: unknown) => isCryptoError(err) && err.code === c;

describe('identity keys', () => {
  const random = seededRandom('identity-tests');

  it('round-trips through the JSON-safe export and re-derives the same public identity', () => {
    const id = generateIdentity(random);
    const json = JSON.parse(JSON.stringify(exportIdentity(id)));
    const back = importIdentity(json);
    assert.deepEqual(back.publicIdentity, id.publicIdentity);
    assert.deepEqual(back.signingSecret, id.signingSecret);
    assert.deepEqual(back.dhSecret, id.dhSecret);
  });

  it('rejects malformed exports with CRYPTO_MALFORMED', () => {
    const good = exportIdentity(generateIdentity(random));
    for (const bad of [
      null,
      42,
      {},
      { ...good, version: 2 },
      { ...good, dhSecret: 'AAAA' },
      { ...good, signingSecret: 7 },
    ]) {
      assert.throws(() => importIdentity(bad), code(CRYPTO_ERROR.malformed));
    }
  });

  it('encodes the identity key as type byte, Ed25519 key, X25519 key', () => {
    const id = generateIdentity(random);
    const enc = encodeIdentityKey(id.publicIdentity);
    assert.equal(enc.length, 65);
    assert.equal(enc[0], 0x45);
    assert.deepEqual(enc.subarray(1, 33), id.publicIdentity.signingKey);
    assert.deepEqual(enc.subarray(33), id.publicIdentity.dhKey);
  });

  it('verifies the binding of the X25519 key and rejects a swapped or tampered one', () => {
    const a = generateIdentity(random);
    const b = generateIdentity(random);
    verifyPublicIdentity(a.publicIdentity);
    // Someone else's DH key under A's signing key: the binding does not cover it.
    assert.throws(
      () => verifyPublicIdentity({ ...a.publicIdentity, dhKey: b.publicIdentity.dhKey }),
      code(CRYPTO_ERROR.badSignature),
    );
    const sig = a.publicIdentity.binding.slice();
    sig[10] = (sig[10] as number) ^ 1;
    assert.throws(
      () => verifyPublicIdentity({ ...a.publicIdentity, binding: sig }),
      code(CRYPTO_ERROR.badSignature),
    );
    assert.throws(
      () => verifyPublicIdentity({ ...a.publicIdentity, dhKey: new Uint8Array(31) }),
      code(CRYPTO_ERROR.malformed),
    );
  });

  it('public identity JSON round-trips and verification happens on parse', () => {
    const a = generateIdentity(random);
    const json = JSON.parse(JSON.stringify(publicIdentityToJson(a.publicIdentity)));
    assert.deepEqual(publicIdentityFromJson(json), a.publicIdentity);
    const other = publicIdentityToJson(generateIdentity(random).publicIdentity);
    assert.throws(
      () => publicIdentityFromJson({ ...json, dhKey: other.dhKey }),
      code(CRYPTO_ERROR.badSignature),
    );
    assert.throws(
      () => publicIdentityFromJson({ ...json, dhKey: 'not base64!' }),
      code(CRYPTO_ERROR.malformed),
    );
    assert.throws(() => publicIdentityFromJson([]), code(CRYPTO_ERROR.malformed));
  });
});

describe('signed prekeys', () => {
  const random = seededRandom('prekey-tests');
  const owner = generateIdentity(random);

  it('verifies under the owner and not under anyone else', () => {
    const spk = generateSignedPrekey(owner, 7, random);
    verifySignedPrekey(owner.publicIdentity, publicSignedPrekey(spk));
    const stranger = generateIdentity(random);
    assert.throws(() => verifySignedPrekey(stranger.publicIdentity, spk), code(CRYPTO_ERROR.badSignature));
  });

  it('rejects any flipped bit of the key or signature', () => {
    const spk = generateSignedPrekey(owner, 1, random);
    for (const field of ['publicKey', 'signature'] as const) {
      for (let i = 0; i < spk[field].length; i += 7) {
        const bytes = spk[field].slice();
        bytes[i] = (bytes[i] as number) ^ 0x80;
        assert.throws(
          () => verifySignedPrekey(owner.publicIdentity, { ...spk, [field]: bytes }),
          code(CRYPTO_ERROR.badSignature),
          `${field}[${i}]`,
        );
      }
    }
  });

  it('does not accept the identity binding signature as a prekey signature (domain separation)', () => {
    // The binding signs LABEL ‖ dhKey; presenting dhKey as a "prekey" with that signature must fail.
    const forged = { id: 1, publicKey: owner.publicIdentity.dhKey, signature: owner.publicIdentity.binding };
    assert.throws(() => verifySignedPrekey(owner.publicIdentity, forged), code(CRYPTO_ERROR.badSignature));
  });

  it('round-trips its export and re-verifies on import', () => {
    const spk = generateSignedPrekey(owner, 0xffffffff, random);
    const json = JSON.parse(JSON.stringify(exportSignedPrekey(spk)));
    assert.deepEqual(importSignedPrekey(json, owner), spk);
    const stranger = generateIdentity(random);
    assert.throws(() => importSignedPrekey(json, stranger), code(CRYPTO_ERROR.badSignature));
    assert.throws(() => importSignedPrekey({ ...json, id: -1 }, owner), code(CRYPTO_ERROR.malformed));
    assert.throws(() => generateSignedPrekey(owner, 2 ** 32, random), code(CRYPTO_ERROR.malformed));
  });
});
