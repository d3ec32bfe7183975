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
import { concatBytes, isAllZero } from '../encoding.js';
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

/** The same DH through WebCrypto; callers must first check `webCryptoX25519Available()`. */
export async function dhWebCrypto(secretKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array> {
  checkSizes(secretKey, publicKey);
  const subtle = globalThis.crypto.subtle;
  const [priv, pub] = await Promise.all([
    subtle.importKey(
      'pkcs8',
      concatBytes(PKCS8_X25519_PREFIX, secretKey) as Uint8Array<ArrayBuffer>,
      { name: 'X25519' },
      false,
      ['deriveBits'],
    ),
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

/** Key generation for the ratchet: the public key is X25519(secret, 9), via the fastest back end. */
export async function generateDhKeyPairFast(random: RandomBytes): Promise<DhKeyPair> {
  const secretKey = random(X25519_BYTES);
  if (!(await webCryptoX25519Available())) return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
  return { secretKey, publicKey: await dhWebCrypto(secretKey, BASEPOINT) };
}
