/**
 * The Double Ratchet message header (DH ratchet public key, PN, N) and its binary encoding, which
 * is what the message MAC binds (spec §3.4 ENCRYPT(mk, plaintext, CONCAT(AD, header))):
 *   header = dh (32 bytes, X25519 public key) ‖ u32be(pn) ‖ u32be(n)   — 40 bytes, fixed size.
 *   CONCAT(ad, header) = u32be(len(ad)) ‖ ad ‖ header — the length prefix makes (ad, header)
 *   uniquely parseable, as §3.4 asks when ad has no fixed length.
 * On the wire (cascade layerParameters) the header travels as JSON: {dh: base64, pn, n}.
 */
import { concatBytes, fromBase64, isUint32, readU32be, toBase64, u32be } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import { X25519_BYTES } from './dh.js';

export interface RatchetHeader {
  readonly dh: Uint8Array;
  /** Number of messages in the sender's previous sending chain. */
  readonly pn: number;
  /** Number of this message in the current sending chain. */
  readonly n: number;
}

export const RATCHET_HEADER_BYTES = X25519_BYTES + 4 + 4;

export interface RatchetHeaderJson {
  readonly dh: string;
  readonly pn: number;
  readonly n: number;
}

export function encodeHeader(header: RatchetHeader): Uint8Array {
  if (header.dh.length !== X25519_BYTES)
    throw new CryptoError(CRYPTO_ERROR.malformed, 'header key must be 32 bytes');
  return concatBytes(header.dh, u32be(header.pn), u32be(header.n));
}

export function decodeHeader(bytes: Uint8Array): RatchetHeader {
  if (bytes.length !== RATCHET_HEADER_BYTES)
    throw new CryptoError(CRYPTO_ERROR.malformed, 'header must be 40 bytes');
  return {
    dh: bytes.slice(0, X25519_BYTES),
    pn: readU32be(bytes, X25519_BYTES),
    n: readU32be(bytes, X25519_BYTES + 4),
  };
}

export function concatAdHeader(ad: Uint8Array, header: RatchetHeader): Uint8Array {
  return concatBytes(u32be(ad.length), ad, encodeHeader(header));
}

export function headerToJson(header: RatchetHeader): RatchetHeaderJson {
  return { dh: toBase64(header.dh), pn: header.pn, n: header.n };
}

/** Strict: exactly the three fields, a 32-byte key, unsigned 32-bit counters. */
export function headerFromJson(data: unknown): RatchetHeader {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'ratchet header is not an object');
  }
  const rec = data as Record<string, unknown>;
  const keys = Object.keys(rec);
  if (keys.length !== 3 || !isUint32(rec.pn) || !isUint32(rec.n)) {
    throw new CryptoError(
      CRYPTO_ERROR.malformed,
      'ratchet header must be {dh, pn, n} with unsigned 32-bit counters',
    );
  }
  return { dh: fromBase64(rec.dh, X25519_BYTES), pn: rec.pn, n: rec.n };
}
