/**
 * ENCRYPT / DECRYPT of the Double Ratchet with a message key, exactly as the spec's concrete
 * recommendation (§5.2): HKDF-SHA-256(salt = 32 zero bytes, IKM = mk, info = MESSAGE_KEYS_INFO)
 * → 80 bytes = 32-byte AES-256 key ‖ 32-byte HMAC key ‖ 16-byte IV; AES-256-CBC with PKCS#7
 * padding; HMAC-SHA-256(authKey, associatedData ‖ cbcCiphertext), all 32 bytes, appended.
 *
 * Why CBC+HMAC rather than AES-GCM with a derived nonce: the spec recommends it for its misuse
 * resistance. Our layer contract separates `seal` from `commit`, so a caller bug could encrypt two
 * plaintexts under one message key; with GCM that leaks the XOR of the plaintexts and the GHASH key
 * (forgeries), with CBC+HMAC it leaks only whether the plaintexts share a prefix. Both primitives
 * run natively through WebCrypto; the HMAC is verified (constant time) before any CBC decryption,
 * so there is no padding oracle.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { wipe } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import { MESSAGE_KEYS_INFO, SIGNAL_ZERO_SALT } from './constants.js';

const ENC_KEY_BYTES = 32;
const AUTH_KEY_BYTES = 32;
const IV_BYTES = 16;
const AES_BLOCK_BYTES = 16;
export const MAC_BYTES = 32;
/** Smallest valid ciphertext: one padded AES block (empty plaintext) plus the MAC. */
export const MIN_CIPHERTEXT_BYTES = AES_BLOCK_BYTES + MAC_BYTES;

/** WebCrypto wants ArrayBuffer-backed views; noble and callers may hand us any Uint8Array. */
function buf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

interface MessageKeys {
  aes: CryptoKey;
  hmac: CryptoKey;
  iv: Uint8Array<ArrayBuffer>;
}

async function deriveMessageKeys(messageKey: Uint8Array, usage: 'encrypt' | 'decrypt'): Promise<MessageKeys> {
  const okm = hkdf(
    sha256,
    messageKey,
    SIGNAL_ZERO_SALT,
    MESSAGE_KEYS_INFO,
    ENC_KEY_BYTES + AUTH_KEY_BYTES + IV_BYTES,
  );
  const encKey = okm.slice(0, ENC_KEY_BYTES);
  const authKey = okm.slice(ENC_KEY_BYTES, ENC_KEY_BYTES + AUTH_KEY_BYTES);
  const iv = okm.slice(ENC_KEY_BYTES + AUTH_KEY_BYTES);
  try {
    const subtle = globalThis.crypto.subtle;
    const [aes, mac] = await Promise.all([
      subtle.importKey('raw', encKey, { name: 'AES-CBC' }, false, [usage]),
      subtle.importKey('raw', authKey, { name: 'HMAC', hash: 'SHA-256' }, false, [
        usage === 'encrypt' ? 'sign' : 'verify',
      ]),
    ]);
    return { aes, hmac: mac, iv };
  } finally {
    wipe(okm, encKey, authKey);
  }
}

export async function encryptWithMessageKey(
  messageKey: Uint8Array,
  plaintext: Uint8Array,
  associatedData: Uint8Array,
): Promise<Uint8Array> {
  const keys = await deriveMessageKeys(messageKey, 'encrypt');
  const subtle = globalThis.crypto.subtle;
  const cbc = new Uint8Array(
    await subtle.encrypt({ name: 'AES-CBC', iv: keys.iv }, keys.aes, buf(plaintext)),
  );
  const macInput = new Uint8Array(associatedData.length + cbc.length);
  macInput.set(associatedData, 0);
  macInput.set(cbc, associatedData.length);
  const mac = new Uint8Array(await subtle.sign('HMAC', keys.hmac, macInput));
  const out = new Uint8Array(cbc.length + MAC_BYTES);
  out.set(cbc, 0);
  out.set(mac, cbc.length);
  return out;
}

/** Throws CRYPTO_DECRYPT_FAILED on any authentication or format failure (one code: no oracle). */
export async function decryptWithMessageKey(
  messageKey: Uint8Array,
  ciphertext: Uint8Array,
  associatedData: Uint8Array,
): Promise<Uint8Array> {
  const cbcLength = ciphertext.length - MAC_BYTES;
  if (ciphertext.length < MIN_CIPHERTEXT_BYTES || cbcLength % AES_BLOCK_BYTES !== 0) {
    throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'ciphertext has an impossible length');
  }
  const keys = await deriveMessageKeys(messageKey, 'decrypt');
  const subtle = globalThis.crypto.subtle;
  const cbc = ciphertext.slice(0, cbcLength);
  const mac = ciphertext.slice(cbcLength);
  const macInput = new Uint8Array(associatedData.length + cbcLength);
  macInput.set(associatedData, 0);
  macInput.set(cbc, associatedData.length);
  const ok = await subtle.verify('HMAC', keys.hmac, mac, macInput);
  if (!ok) throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'message authentication failed');
  try {
    return new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv: keys.iv }, keys.aes, cbc));
  } catch {
    throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'message decryption failed');
  }
}
