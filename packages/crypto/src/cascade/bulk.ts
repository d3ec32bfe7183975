/**
 * [Enkrypted] The bulk form of the cascade (docs/protocol.md §2.6.4, §4.2.6): a large plaintext is
 * encrypted once with AES-256-GCM under a fresh random content key K, and only K goes through the
 * layers. Every layer still guards K, so breaking one key exchange exposes nothing; what changes is
 * that the content itself is protected by one AES-256-GCM pass instead of four passes.
 *
 * The nonce is fixed (twelve zero bytes) because K is drawn from the CSPRNG for one message and
 * never used again: a (key, nonce) pair can only repeat if K repeats, a 2^-256 event. A random
 * nonce would add 12 bytes and no security.
 *
 * Both the key envelope (through the layers) and the body carry associated data that extends the
 * cascade's own (`ad ‖ 0x00 ‖ algorithms`) with `0x00 ‖ label`, each label naming the profile and
 * its role. So the body is bound to the message (sessionId, messageId), to the layer list and to
 * its key envelope; it cannot be swapped into another message, and neither part can be read as a
 * part of the P5.2 form (whose associated data has no second 0x00 after the layer list).
 */
import { BULK_ALGORITHM, BULK_TAG_BYTES, SPEC_VERSION } from '@enkrypted/protocol';
import { GCM_NONCE_BYTES, GcmKey } from '../aes/aes-gcm.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import { concat, utf8 } from './bytes.js';

/** Length of the content key K, the whole inner plaintext of a bulk key envelope. */
export const BULK_KEY_BYTES = 32;

/** Label of the associated data of the key envelope's layers. */
export const BULK_KEY_LABEL = `${SPEC_VERSION} bulk key ${BULK_ALGORITHM}`;
/** Label of the associated data of the body. */
export const BULK_BODY_LABEL = `${SPEC_VERSION} bulk body ${BULK_ALGORITHM}`;

const ZERO_NONCE = new Uint8Array(GCM_NONCE_BYTES);

/** `layerAd ‖ 0x00 ‖ label`, where layerAd is the cascade's `ad ‖ 0x00 ‖ algorithms`. */
export function bulkAd(layerAd: Uint8Array, label: string): Uint8Array {
  return concat(layerAd, Uint8Array.of(0), utf8(label));
}

/** Encrypts the body under K; `aad` is bulkAd(layerAd, BULK_BODY_LABEL). */
export async function sealBulkBody(
  key: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Promise<Uint8Array> {
  const gcm = new GcmKey(key);
  try {
    return await gcm.encrypt(ZERO_NONCE, aad, plaintext);
  } finally {
    gcm.wipe();
  }
}

/**
 * Decrypts and authenticates the body; a key that is not exactly BULK_KEY_BYTES or a body that does
 * not authenticate is CRYPTO_DECRYPT_FAILED (one code, no detail: fail closed).
 */
export async function openBulkBody(key: Uint8Array, body: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
  if (key.length !== BULK_KEY_BYTES || body.length < BULK_TAG_BYTES) {
    throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'bulk envelope does not authenticate');
  }
  const gcm = new GcmKey(key);
  try {
    return await gcm.decrypt(ZERO_NONCE, aad, body);
  } finally {
    gcm.wipe();
  }
}
