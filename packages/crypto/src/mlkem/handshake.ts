/**
 * ML-KEM-768 key agreement for the handshake (`mlkem-key-exchange` / `mlkem-key-exchange-response`,
 * docs/protocol.md §4.4). Both sides contribute: each generates a key pair and sends its
 * public key; each encapsulates to the other's public key and sends the ciphertext. The root secret
 * mixes both shared secrets and the whole exchange in a fixed initiator-then-responder order, so it
 * is post-quantum secure if either side's randomness was good.
 */
import { expand, hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { concat, utf8 } from '../cascade/bytes.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import type { RandomBytes } from '../random.js';

/** FIPS 203 Table 3, ML-KEM-768: encapsulation key length. */
export const MLKEM768_PUBLIC_KEY_BYTES = 1184;
/** FIPS 203 Table 3, ML-KEM-768: ciphertext length. */
export const MLKEM768_CIPHERTEXT_BYTES = 1088;
/** FIPS 203 §7.1: key generation takes the 64-byte seed d || z. */
export const MLKEM768_KEYGEN_SEED_BYTES = 64;
/** FIPS 203 §7.2: encapsulation takes a 32-byte message m. */
export const MLKEM768_ENCAPS_SEED_BYTES = 32;

const ROOT_SALT = utf8('EnkryptedChat-v0 ML-KEM-768 root');

export interface MlKemKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export function generateMlKemKeyPair(random: RandomBytes): MlKemKeyPair {
  const seed = random(MLKEM768_KEYGEN_SEED_BYTES);
  const { publicKey, secretKey } = ml_kem768.keygen(seed);
  seed.fill(0);
  return { publicKey, secretKey };
}

/** FIPS 203 §2.3: the ML-KEM modulus q. */
const MLKEM_Q = 3329;
/** k · 384 bytes of ByteEncode12'd polynomial coefficients precede the 32-byte seed ρ (k = 3). */
const MLKEM768_ENCODED_T_BYTES = 1152;

/**
 * FIPS 203 §7.2 input check ("modulus check"): every 12-bit coefficient of the encapsulation key
 * must be below q, i.e. ByteEncode12(ByteDecode12(ek)) = ek. @noble/post-quantum 0.5.2 does not
 * perform it, so we do before encapsulating to a key that came off the wire.
 */
export function isValidMlKem768PublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== MLKEM768_PUBLIC_KEY_BYTES) return false;
  for (let i = 0; i < MLKEM768_ENCODED_T_BYTES; i += 3) {
    const b0 = publicKey[i] as number;
    const b1 = publicKey[i + 1] as number;
    const b2 = publicKey[i + 2] as number;
    if ((b0 | ((b1 & 0x0f) << 8)) >= MLKEM_Q || ((b1 >> 4) | (b2 << 4)) >= MLKEM_Q) return false;
  }
  return true;
}

/** Encapsulates to a peer's public key; rejects keys of the wrong length or failing FIPS 203 checks. */
export function encapsulateTo(
  peerPublicKey: Uint8Array,
  random: RandomBytes,
): { ciphertext: Uint8Array; sharedSecret: Uint8Array } {
  if (peerPublicKey.length !== MLKEM768_PUBLIC_KEY_BYTES) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'ML-KEM-768 public key must be 1184 bytes');
  }
  if (!isValidMlKem768PublicKey(peerPublicKey)) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'ML-KEM-768 public key fails the FIPS 203 modulus check');
  }
  const m = random(MLKEM768_ENCAPS_SEED_BYTES);
  try {
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(peerPublicKey, m);
    return { ciphertext: cipherText, sharedSecret };
  } catch {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'ML-KEM-768 public key rejected');
  } finally {
    m.fill(0);
  }
}

/**
 * Decapsulation never fails on a well-sized ciphertext (FIPS 203 implicit rejection returns a
 * pseudorandom secret), so a forged ciphertext shows up later as an authentication failure.
 */
export function decapsulate(ciphertext: Uint8Array, secretKey: Uint8Array): Uint8Array {
  if (ciphertext.length !== MLKEM768_CIPHERTEXT_BYTES) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'ML-KEM-768 ciphertext must be 1088 bytes');
  }
  return ml_kem768.decapsulate(ciphertext, secretKey);
}

export interface MlKemExchange {
  initiatorPublicKey: Uint8Array;
  responderPublicKey: Uint8Array;
  /** Made by the initiator, encapsulated to the responder's public key. */
  ciphertextToResponder: Uint8Array;
  /** Made by the responder, encapsulated to the initiator's public key. */
  ciphertextToInitiator: Uint8Array;
  secretToResponder: Uint8Array;
  secretToInitiator: Uint8Array;
}

/**
 *   root = HKDF-SHA-256(salt = "EnkryptedChat-v0 ML-KEM-768 root",
 *                       ikm  = ss_to_responder || ss_to_initiator,
 *                       info = SHA-256(pk_I || pk_R || ct_to_R || ct_to_I), 32)
 */
export function deriveMlKemRootSecret(x: MlKemExchange): Uint8Array {
  const ikm = concat(x.secretToResponder, x.secretToInitiator);
  const transcript = sha256(
    concat(x.initiatorPublicKey, x.responderPublicKey, x.ciphertextToResponder, x.ciphertextToInitiator),
  );
  const root = hkdf(sha256, ikm, ROOT_SALT, transcript, 32);
  ikm.fill(0);
  return root;
}

const EXPORT_LABEL = 'EnkryptedChat-v0 ML-KEM export ';

/**
 * A secret derived from the ML-KEM root for another purpose (e.g. an input of the AES base secret
 * or a confirmation MAC key): HKDF-Expand(root, "EnkryptedChat-v0 ML-KEM export " || label, length).
 * Domain-separated from the chain keys ("EnkryptedChat-v0 ML-KEM chain i2r"/"r2i"), so handing it
 * out never reveals a chain key.
 */
export function deriveMlKemExport(root: Uint8Array, label: string, length = 32): Uint8Array {
  if (label.length === 0 || length < 32 || length > 64) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'ML-KEM export needs a label and 32..64 bytes');
  }
  return expand(sha256, root, utf8(EXPORT_LABEL + label), length);
}
