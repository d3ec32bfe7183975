/** X25519 key generation and DH with the all-zero (low-order point) check the X3DH spec requires. */
import { x25519 } from '@noble/curves/ed25519.js';
import { isAllZero } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import type { RandomBytes } from '../random.js';

export const X25519_BYTES = 32;

export interface DhKeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export function generateDhKeyPair(random: RandomBytes): DhKeyPair {
  const secretKey = random(X25519_BYTES);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

export function dhKeyPairFromSecret(secretKey: Uint8Array): DhKeyPair {
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/**
 * DH(secret, public). A low-order public key gives an all-zero output, which would make the shared
 * secret independent of our key: refuse it (CRYPTO_MALFORMED) rather than continue.
 */
export function dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== X25519_BYTES || secretKey.length !== X25519_BYTES) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'X25519 keys must be 32 bytes');
  }
  let out: Uint8Array;
  try {
    out = x25519.getSharedSecret(secretKey, publicKey);
  } catch {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'X25519 public key is of low order');
  }
  if (isAllZero(out)) throw new CryptoError(CRYPTO_ERROR.malformed, 'X25519 public key is of low order');
  return out;
}
