import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { x25519 } from '@noble/curves/ed25519.js';
import { CRYPTO_ERROR, isCryptoError } from '../../src/errors.js';
import {
  dh,
  dhFast,
  dhWebCrypto,
  generateDhKeyPairFast,
  webCryptoX25519Available,
} from '../../src/signal/dh.js';
import { seededRandom } from './helpers.js';
import { refX25519 } from './reference.js';

/** Points of order 1, 2, 4 and 8 (and their non-canonical encodings) give an all-zero output. */
const LOW_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((h) => Uint8Array.from(Buffer.from(h, 'hex')));

describe('X25519 back ends', () => {
  const random = seededRandom('dh-tests');

  it('WebCrypto X25519 is available on Node 20 (the fast path is actually exercised)', async () => {
    assert.equal(await webCryptoX25519Available(), true);
  });

  it('noble, WebCrypto and OpenSSL agree, including on public keys with the top bit set', async () => {
    for (let i = 0; i < 24; i++) {
      const secret = random(32);
      const peerSecret = random(32);
      const pub = x25519.getPublicKey(peerSecret);
      if (i % 2 === 1) pub[31] = (pub[31] as number) | 0x80; // RFC 7748: the top bit is ignored
      const own = x25519.getPublicKey(secret);
      const expected = dh(secret, pub);
      assert.deepEqual(await dhWebCrypto(secret, pub), expected);
      assert.deepEqual(await dhFast(secret, pub), expected);
      if (i % 2 === 0) assert.deepEqual(refX25519(secret, pub, own), expected);
    }
  });

  it('fast key generation gives the same public key as noble', async () => {
    for (let i = 0; i < 8; i++) {
      const pair = await generateDhKeyPairFast(random);
      assert.deepEqual(pair.publicKey, x25519.getPublicKey(pair.secretKey));
    }
  });

  it('both back ends refuse low-order points with CRYPTO_MALFORMED', async () => {
    const secret = random(32);
    for (const p of LOW_ORDER) {
      assert.throws(
        () => dh(secret, p),
        (e) => isCryptoError(e, CRYPTO_ERROR.malformed),
      );
      await assert.rejects(dhWebCrypto(secret, p), (e) => isCryptoError(e, CRYPTO_ERROR.malformed));
    }
    await assert.rejects(dhWebCrypto(secret, new Uint8Array(31)), (e) =>
      isCryptoError(e, CRYPTO_ERROR.malformed),
    );
  });
});
