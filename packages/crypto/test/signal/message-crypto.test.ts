import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CRYPTO_ERROR, isCryptoError } from '../../src/errors.js';
import {
  decryptWithMessageKey,
  encryptWithMessageKey,
  WEBCRYPTO_MIN_BYTES,
} from '../../src/signal/message-crypto.js';
import { seededRandom } from './helpers.js';
import { refEncrypt } from './reference.js';

describe('ENCRYPT/DECRYPT with a message key (CBC+HMAC, both back ends)', () => {
  const random = seededRandom('message-crypto');
  const sizes = [
    0,
    1,
    15,
    16,
    17,
    1024,
    WEBCRYPTO_MIN_BYTES - 17,
    WEBCRYPTO_MIN_BYTES - 16,
    WEBCRYPTO_MIN_BYTES - 1,
    WEBCRYPTO_MIN_BYTES,
    WEBCRYPTO_MIN_BYTES + 1,
    70_000,
  ];

  it('equals the specification computed with node:crypto, on either side of the back-end threshold', async () => {
    for (const size of sizes) {
      const mk = random(32);
      const ad = random(size % 97);
      const pt = random(size);
      const ct = await encryptWithMessageKey(mk, pt, ad);
      assert.deepEqual(ct, refEncrypt(mk, pt, ad), `size ${size}`);
      assert.deepEqual(await decryptWithMessageKey(mk, ct, ad), pt, `size ${size}`);
    }
  });

  it('rejects wrong keys, wrong AD, flipped bits and impossible lengths with CRYPTO_DECRYPT_FAILED', async () => {
    const failed = (e: unknown) => isCryptoError(e, CRYPTO_ERROR.decryptFailed);
    for (const size of [10, WEBCRYPTO_MIN_BYTES + 5]) {
      const mk = random(32);
      const pt = random(size);
      const ct = await encryptWithMessageKey(mk, pt, Uint8Array.of(1));
      await assert.rejects(decryptWithMessageKey(random(32), ct, Uint8Array.of(1)), failed);
      await assert.rejects(decryptWithMessageKey(mk, ct, Uint8Array.of(2)), failed);
      for (const i of [0, ct.length - 40, ct.length - 33, ct.length - 1]) {
        const bad = ct.slice();
        bad[i] = (bad[i] as number) ^ 4;
        await assert.rejects(decryptWithMessageKey(mk, bad, Uint8Array.of(1)), failed);
      }
      for (const len of [0, 31, 47, ct.length - 1, ct.length + 1]) {
        const cut = new Uint8Array(len);
        cut.set(ct.subarray(0, Math.min(len, ct.length)));
        await assert.rejects(decryptWithMessageKey(mk, cut, Uint8Array.of(1)), failed);
      }
    }
  });
});
