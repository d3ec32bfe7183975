/**
 * Key schedule of the AES-256-GCM outer layer (docs/protocol.md §4.5). The base secret comes
 * from the handshake (every key exchange of it, under the AES layer's own label), and each rotation
 * timestamp set by `rotation-timestamp-broadcast` gives a fresh pair of direction keys:
 *
 *   prk              = HKDF-Extract(salt = "EnkryptedChat-v0 AES-256-GCM layer", ikm = base secret)
 *   key || prefix    = HKDF-Expand(prk, "EnkryptedChat-v0 AES-256-GCM key" || 0x00 || dir || u64be(rotation), 36)
 *
 * dir is "i2r" (initiator → responder) or "r2i". The 4-byte prefix starts every nonce of that key.
 */
import { expand, extract, hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, isSafeUint, u64be, utf8 } from '../cascade/bytes.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import { AES_KEY_BYTES } from './aes-gcm.js';

export type Role = 'initiator' | 'responder';
export type Direction = 'i2r' | 'r2i';

/** Bytes of nonce prefix; the remaining 8 bytes of the 96-bit nonce are the message counter. */
export const NONCE_PREFIX_BYTES = 4;
/** Secrets below 256 bits would make the 256-bit key a false promise. */
export const MIN_BASE_SECRET_BYTES = 32;

const EXTRACT_SALT = utf8('EnkryptedChat-v0 AES-256-GCM layer');
const EXPAND_LABEL = utf8('EnkryptedChat-v0 AES-256-GCM key');
const BASE_SECRET_LABEL = utf8('EnkryptedChat-v0 AES base secret');

export function sendDirection(role: Role): Direction {
  return role === 'initiator' ? 'i2r' : 'r2i';
}
export function receiveDirection(role: Role): Direction {
  return role === 'initiator' ? 'r2i' : 'i2r';
}

export interface DirectionKeyMaterial {
  key: Uint8Array;
  noncePrefix: Uint8Array;
}

export function deriveDirectionKey(
  baseSecret: Uint8Array,
  rotation: number,
  dir: Direction,
): DirectionKeyMaterial {
  if (baseSecret.length < MIN_BASE_SECRET_BYTES) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'AES base secret must be at least 32 bytes');
  }
  if (!isSafeUint(rotation))
    throw new CryptoError(CRYPTO_ERROR.malformed, 'rotation must be a safe unsigned integer');
  const prk = extract(sha256, baseSecret, EXTRACT_SALT);
  const okm = expand(sha256, prk, concat(EXPAND_LABEL, Uint8Array.of(0), utf8(dir), u64be(rotation)), 36);
  prk.fill(0);
  return { key: okm.slice(0, AES_KEY_BYTES), noncePrefix: okm.slice(AES_KEY_BYTES) };
}

/**
 * The handshake's derivation of the AES base secret from all of its key exchanges. Each input is
 * length-prefixed so that no two different input lists give the same IKM; `transcriptHash` binds
 * the secret to the exact handshake it came from.
 */
export function deriveAesBaseSecret(secrets: readonly Uint8Array[], transcriptHash: Uint8Array): Uint8Array {
  if (secrets.length === 0) throw new CryptoError(CRYPTO_ERROR.malformed, 'no handshake secrets');
  const ikm = concat(...secrets.flatMap((s) => [u64be(s.length), s]));
  const out = hkdf(sha256, ikm, BASE_SECRET_LABEL, transcriptHash, 32);
  ikm.fill(0);
  return out;
}
