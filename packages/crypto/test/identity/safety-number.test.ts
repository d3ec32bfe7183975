import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { CRYPTO_ERROR, isCryptoError } from '../../src/errors.js';
import { encodeIdentityKey, generateIdentity } from '../../src/identity/identity-keys.js';
import {
  computeSafetyNumber,
  safetyNumberQrPayload,
  verifySafetyNumberQrPayload,
} from '../../src/identity/safety-number.js';
import { seededRandom } from '../signal/helpers.js';

/** Independent rendering of the definition with node:crypto, to check the implementation against. */
function referenceDigits(key: Uint8Array, stableId: string): string {
  let h: Buffer = Buffer.concat([Buffer.from([0, 0]), key, Buffer.from(stableId, 'utf8')]);
  for (let i = 0; i < 5200; i++) h = createHash('sha512').update(h).update(key).digest();
  let out = '';
  for (let i = 0; i < 30; i += 5) out += String(h.readUIntBE(i, 5) % 100000).padStart(5, '0');
  return out;
}

describe('safety numbers', () => {
  const random = seededRandom('safety-number-tests');
  const alice = generateIdentity(random);
  const bob = generateIdentity(random);
  const A = { identity: alice.publicIdentity, stableId: 'alice' };
  const B = { identity: bob.publicIdentity, stableId: 'bob' };

  it('is 60 digits, identical on both sides, and matches the definition', () => {
    const ab = computeSafetyNumber(A, B);
    const ba = computeSafetyNumber(B, A);
    assert.match(ab.digits, /^\d{60}$/);
    assert.equal(ab.digits, ba.digits);
    assert.equal(ab.display.split(' ').length, 12);
    const ra = referenceDigits(encodeIdentityKey(alice.publicIdentity), 'alice');
    const rb = referenceDigits(encodeIdentityKey(bob.publicIdentity), 'bob');
    assert.equal(ab.digits, ra <= rb ? ra + rb : rb + ra);
  });

  it('changes when either identity key or stable id changes', () => {
    const base = computeSafetyNumber(A, B).digits;
    const mallory = generateIdentity(random);
    assert.notEqual(computeSafetyNumber({ ...A, identity: mallory.publicIdentity }, B).digits, base);
    assert.notEqual(computeSafetyNumber(A, { ...B, identity: mallory.publicIdentity }).digits, base);
    assert.notEqual(computeSafetyNumber(A, { ...B, stableId: 'bob2' }).digits, base);
  });

  it('QR payload verifies on the other side and fails against a different key', () => {
    const ab = computeSafetyNumber(A, B);
    const ba = computeSafetyNumber(B, A);
    const shownByAlice = safetyNumberQrPayload(ab);
    assert.equal(shownByAlice.length, 65);
    assert.equal(verifySafetyNumberQrPayload(ba, shownByAlice), true);
    // Alice scanning her own screen is not a verification.
    assert.equal(verifySafetyNumberQrPayload(ab, shownByAlice), false);
    const mallory = generateIdentity(random);
    const bm = computeSafetyNumber(B, { identity: mallory.publicIdentity, stableId: 'alice' });
    assert.equal(verifySafetyNumberQrPayload(bm, shownByAlice), false);
  });

  it('rejects a QR payload of another version or size as malformed', () => {
    const ab = computeSafetyNumber(A, B);
    const payload = safetyNumberQrPayload(ab);
    const wrongVersion = payload.slice();
    wrongVersion[0] = 2;
    for (const bad of [wrongVersion, payload.subarray(0, 64), new Uint8Array(0)]) {
      assert.throws(
        () => verifySafetyNumberQrPayload(ab, bad),
        (e) => isCryptoError(e, CRYPTO_ERROR.malformed),
      );
    }
  });
});
