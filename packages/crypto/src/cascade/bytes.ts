/**
 * Byte helpers private to the MLS, ML-KEM, AES and cascade modules: concatenation, big-endian
 * integers, base64 for JSON-safe layer parameters, constant-time comparison. No `Buffer`, no
 * `node:*`, so the same code runs in browsers.
 */
import { CRYPTO_ERROR, CryptoError } from '../errors.js';

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
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

const textEncoder = new TextEncoder();
export function utf8(text: string): Uint8Array {
  return textEncoder.encode(text);
}

/** Largest integer a JSON number carries exactly; counters and timestamps on the wire stay below it. */
export const MAX_SAFE_COUNTER = Number.MAX_SAFE_INTEGER;

export function isSafeUint(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Big-endian unsigned 64-bit encoding of a safe integer (counters, epochs, timestamps). */
export function u64be(value: number): Uint8Array {
  if (!isSafeUint(value))
    throw new CryptoError(CRYPTO_ERROR.malformed, 'value is not a safe unsigned integer');
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.floor(value / 0x1_0000_0000), false);
  view.setUint32(4, value >>> 0, false);
  return out;
}

/** Compares in time that depends only on the lengths (MACs, binding hashes). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Overwrites secret material we are done with (best effort in a garbage-collected runtime). */
export function wipe(...buffers: readonly (Uint8Array | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}

/** Chunk size for String.fromCharCode.apply: stays far below engines' argument-count limits. */
const BASE64_CHUNK = 0x8000;

/** Standard base64 with padding (RFC 4648 §4), built on btoa which browsers and Node 20 share. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += BASE64_CHUNK) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + BASE64_CHUNK) as unknown as number[]);
  }
  return btoa(binary);
}

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict decoding: rejects anything that is not canonical padded base64 with a typed error. */
export function fromBase64(text: string, what: string): Uint8Array {
  if (typeof text !== 'string' || !BASE64_PATTERN.test(text)) {
    throw new CryptoError(CRYPTO_ERROR.malformed, `${what} is not base64`);
  }
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new CryptoError(CRYPTO_ERROR.malformed, 'not lowercase hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
