/**
 * X25519 key generation and DH with the all-zero (low-order point) check the X3DH spec requires.
 *
 * Two back ends with identical results: @noble/curves (synchronous, everywhere) and WebCrypto's
 * X25519 (native; Node ≥ 20, current Chromium, Firefox and Safari). The ratchet uses the async
 * functions, which pick WebCrypto when the runtime supports it: a DH ratchet step needs three
 * scalar multiplications, about 3 ms in pure JS here against well under 1 ms natively, and a
 * conversation that changes direction pays one step per received turn. X3DH runs once per session
 * and stays on noble. Secrets enter WebCrypto as PKCS#8 (RFC 8410) so injected randomness (and
 * therefore the vectors) work with either back end.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { concatBytes, fromBase64, isAllZero } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import type { RandomBytes } from '../random.js';

export const X25519_BYTES = 32;

export interface DhKeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** RFC 8410 PrivateKeyInfo prefix for an X25519 key (OID 1.3.101.110); the 32-byte secret follows. */
const PKCS8_X25519_PREFIX = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x6e,
  0x04,
  0x22,
  0x04,
  0x20,
);
/** u = 9: X25519(k, basepoint) is the public key of k (RFC 7748 §6.1). */
const BASEPOINT = concatBytes(Uint8Array.of(9), new Uint8Array(31));

function lowOrder(): CryptoError {
  return new CryptoError(CRYPTO_ERROR.malformed, 'X25519 public key is of low order');
}

function checkSizes(secretKey: Uint8Array, publicKey: Uint8Array): void {
  if (publicKey.length !== X25519_BYTES || secretKey.length !== X25519_BYTES) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'X25519 keys must be 32 bytes');
  }
}

export function generateDhKeyPair(random: RandomBytes): DhKeyPair {
  const secretKey = random(X25519_BYTES);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

export function dhKeyPairFromSecret(secretKey: Uint8Array): DhKeyPair {
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/**
 * DH(secret, public) with noble. A low-order public key gives an all-zero output, which would make
 * the shared secret independent of our key: refuse it (CRYPTO_MALFORMED) rather than continue.
 */
export function dh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  checkSizes(secretKey, publicKey);
  let out: Uint8Array;
  try {
    out = x25519.getSharedSecret(secretKey, publicKey);
  } catch {
    throw lowOrder();
  }
  if (isAllZero(out)) throw lowOrder();
  return out;
}

/**
 * Imported private keys, keyed by the secret's byte array. Ratchet states share key arrays by
 * reference from one state to the next, so the key generated in one step is found again when it is
 * used in the next, sparing a PKCS#8 import (the most expensive WebCrypto call here). Weak: an entry
 * disappears with the state that held the array. Key arrays are never modified in place (states are
 * immutable), which is what makes identity a valid cache key.
 */
const privateKeys = new WeakMap<Uint8Array, CryptoKey>();

async function importPrivate(secretKey: Uint8Array): Promise<CryptoKey> {
  const cached = privateKeys.get(secretKey);
  if (cached !== undefined) return cached;
  // Extractable only so that key generation can read the public key back (exportKey 'jwk').
  const key = await globalThis.crypto.subtle.importKey(
    'pkcs8',
    concatBytes(PKCS8_X25519_PREFIX, secretKey) as Uint8Array<ArrayBuffer>,
    { name: 'X25519' },
    true,
    ['deriveBits'],
  );
  privateKeys.set(secretKey, key);
  return key;
}

/** The same DH through WebCrypto; callers must first check `webCryptoX25519Available()`. */
export async function dhWebCrypto(secretKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array> {
  checkSizes(secretKey, publicKey);
  const subtle = globalThis.crypto.subtle;
  const [priv, pub] = await Promise.all([
    importPrivate(secretKey),
    subtle.importKey('raw', publicKey.slice() as Uint8Array<ArrayBuffer>, { name: 'X25519' }, true, []),
  ]);
  let out: Uint8Array;
  try {
    out = new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: pub }, priv, 8 * X25519_BYTES));
  } catch {
    // WebCrypto refuses an all-zero result itself (OperationError).
    throw lowOrder();
  }
  if (isAllZero(out)) throw lowOrder();
  return out;
}

function base64UrlToBytes(text: string): Uint8Array {
  const std = text.replace(/-/g, '+').replace(/_/g, '/');
  return fromBase64(std.padEnd(Math.ceil(std.length / 4) * 4, '='), X25519_BYTES);
}

let webCryptoSupport: Promise<boolean> | undefined;

/** Whether this runtime's WebCrypto implements X25519 (probed once). */
export function webCryptoX25519Available(): Promise<boolean> {
  webCryptoSupport ??= (async () => {
    try {
      const probe = await dhWebCrypto(new Uint8Array(32).fill(7), BASEPOINT);
      return probe.length === X25519_BYTES;
    } catch {
      return false;
    }
  })();
  return webCryptoSupport;
}

/** DH for the ratchet: WebCrypto when available, otherwise noble. */
export async function dhFast(secretKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array> {
  return (await webCryptoX25519Available()) ? dhWebCrypto(secretKey, publicKey) : dh(secretKey, publicKey);
}

/** Key generation for the ratchet, via the fastest back end (same key pair as noble's). */
export async function generateDhKeyPairFast(random: RandomBytes): Promise<DhKeyPair> {
  const secretKey = random(X25519_BYTES);
  if (!(await webCryptoX25519Available())) return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
  // The runtime computes the public key when it imports the private key; reading it back is cheaper
  // than a scalar multiplication by the base point.
  const jwk = await globalThis.crypto.subtle.exportKey('jwk', await importPrivate(secretKey));
  if (typeof jwk.x !== 'string')
    throw new CryptoError(CRYPTO_ERROR.encryptFailed, 'X25519 key export failed');
  return { secretKey, publicKey: base64UrlToBytes(jwk.x) };
}
