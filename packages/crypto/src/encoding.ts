/**
 * Byte helpers shared by the crypto package: concatenation, constant-time comparison, big-endian
 * integers and base64 for JSON-safe exports. No `Buffer` (browsers), no `node:*`.
 */
import { CRYPTO_ERROR, CryptoError } from './errors.js';

/** Concatenates byte strings into a fresh array (inputs are never aliased). */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * Compares two byte strings in time that depends only on their lengths, so a comparison of a MAC,
 * a fingerprint or a pinned key does not leak how many leading bytes matched.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** True when every byte is zero, examined in constant time (used on DH outputs). */
export function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i] as number;
  return acc === 0;
}

/** Largest value of an unsigned 32-bit integer (message counters on the wire). */
export const UINT32_MAX = 0xffff_ffff;

export function isUint32(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= UINT32_MAX;
}

/** Big-endian unsigned 32-bit encoding. */
export function u32be(value: number): Uint8Array {
  if (!isUint32(value))
    throw new CryptoError(CRYPTO_ERROR.malformed, 'value is not an unsigned 32-bit integer');
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, false);
  return out;
}

export function readU32be(bytes: Uint8Array, offset: number): number {
  if (offset < 0 || offset + 4 > bytes.length)
    throw new CryptoError(CRYPTO_ERROR.malformed, 'truncated integer');
  return new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0, false);
}

/** Big-endian unsigned 16-bit encoding. */
export function u16be(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'value is not an unsigned 16-bit integer');
  }
  return Uint8Array.of(value >>> 8, value & 0xff);
}

const encoder = new TextEncoder();
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_LOOKUP = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/** Standard base64 (RFC 4648 §4) with padding. */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += B64[n >>> 18] + B64[(n >>> 12) & 63]! + B64[(n >>> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += `${B64[n >>> 18]}${B64[(n >>> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += `${B64[n >>> 18]}${B64[(n >>> 12) & 63]}${B64[(n >>> 6) & 63]}=`;
  }
  return out;
}

/**
 * Strict base64 decoding: canonical padded form only (no whitespace, no URL alphabet, zero unused
 * bits), so that one byte string has exactly one text form and inputs cannot smuggle variants.
 * `expectedLength`, when given, is checked too. Throws CRYPTO_MALFORMED.
 */
export function fromBase64(text: unknown, expectedLength?: number): Uint8Array {
  if (typeof text !== 'string' || text.length % 4 !== 0) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'not canonical base64');
  }
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const length = (text.length / 4) * 3 - pad;
  if (expectedLength !== undefined && length !== expectedLength) {
    throw new CryptoError(CRYPTO_ERROR.malformed, `expected ${expectedLength} bytes`);
  }
  const out = new Uint8Array(length);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const vals = [0, 0, 0, 0];
    for (let j = 0; j < 4; j++) {
      const c = text.charCodeAt(i + j);
      if (last && c === 61 /* '=' */ && j >= 4 - pad) continue;
      const v = c < 128 ? (B64_LOOKUP[c] as number) : -1;
      if (v < 0) throw new CryptoError(CRYPTO_ERROR.malformed, 'not canonical base64');
      vals[j] = v;
    }
    const n =
      ((vals[0] as number) << 18) |
      ((vals[1] as number) << 12) |
      ((vals[2] as number) << 6) |
      (vals[3] as number);
    if (last && pad === 2 && (n & 0xffff) !== 0)
      throw new CryptoError(CRYPTO_ERROR.malformed, 'not canonical base64');
    if (last && pad === 1 && (n & 0xff) !== 0)
      throw new CryptoError(CRYPTO_ERROR.malformed, 'not canonical base64');
    out[o++] = n >>> 16;
    if (o < length) out[o++] = (n >>> 8) & 0xff;
    if (o < length) out[o++] = n & 0xff;
  }
  return out;
}

/** Lowercase hex, for vectors and debugging. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(text: string): Uint8Array {
  if (text.length % 2 !== 0 || !/^[0-9a-f]*$/.test(text))
    throw new CryptoError(CRYPTO_ERROR.malformed, 'not lowercase hex');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Overwrites secret intermediates once they are no longer needed (best effort in a GC'd runtime). */
export function wipe(...buffers: readonly (Uint8Array | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}
