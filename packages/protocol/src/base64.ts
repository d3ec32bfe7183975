/**
 * Strict base64 codecs for byte strings on the wire (RFC 4648). Two alphabets:
 * - `base64`: §4 standard alphabet with `=` padding — every key, signature and ciphertext field;
 * - `base64url`: §5 URL-safe alphabet without padding — `sessionId` and `messageId`, which are
 *   also used as map keys and in logs.
 * Decoding accepts only the canonical encoding (no whitespace, no missing or extra padding, unused
 * trailing bits zero), so every byte string has exactly one wire form and vectors are byte-exact.
 * Pure: no Buffer, no atob (lenient about whitespace), runs in browsers.
 */

import { PDU_ERROR } from './codes.js';
import { ProtocolError } from './errors.js';

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const PAD = 61; // '='

function encodeTable(alphabet: string): Uint8Array {
  const t = new Uint8Array(64);
  for (let i = 0; i < 64; i++) t[i] = alphabet.charCodeAt(i);
  return t;
}
function decodeTable(alphabet: string): Int8Array {
  const t = new Int8Array(256).fill(-1);
  for (let i = 0; i < 64; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
}
const ENC_STD = encodeTable(STD);
const ENC_URL = encodeTable(URL);
const DEC_STD = decodeTable(STD);
const DEC_URL = decodeTable(URL);
// ASCII bytes → string in one native call; latin1 maps 0x00–0x7f to the same code points.
const ascii = new TextDecoder('latin1');
const utf8 = new TextEncoder();

function encode(bytes: Uint8Array, table: Uint8Array, pad: boolean): string {
  const n = bytes.length;
  const full = n - (n % 3);
  const outLen = pad ? Math.ceil(n / 3) * 4 : Math.ceil((n * 4) / 3);
  const out = new Uint8Array(outLen);
  let o = 0;
  let i = 0;
  for (; i < full; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = table[v >>> 18]!;
    out[o++] = table[(v >>> 12) & 63]!;
    out[o++] = table[(v >>> 6) & 63]!;
    out[o++] = table[v & 63]!;
  }
  const rest = n - full;
  if (rest === 1) {
    const v = bytes[i]! << 16;
    out[o++] = table[v >>> 18]!;
    out[o++] = table[(v >>> 12) & 63]!;
    if (pad) {
      out[o++] = PAD;
      out[o++] = PAD;
    }
  } else if (rest === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out[o++] = table[v >>> 18]!;
    out[o++] = table[(v >>> 12) & 63]!;
    out[o++] = table[(v >>> 6) & 63]!;
    if (pad) out[o++] = PAD;
  }
  return ascii.decode(out);
}

function invalid(what: string): ProtocolError {
  return new ProtocolError(PDU_ERROR.badField, `${what}: not canonical base64`);
}

/** Number of bytes a canonical padded base64 string decodes to, or -1 if its length is impossible. */
export function base64DecodedLength(text: string): number {
  const n = text.length;
  if (n % 4 !== 0) return -1;
  let pads = 0;
  if (n > 0 && text.charCodeAt(n - 1) === PAD) pads++;
  if (n > 1 && text.charCodeAt(n - 2) === PAD) pads++;
  return (n / 4) * 3 - pads;
}

/** Number of bytes a canonical unpadded base64url string decodes to, or -1 if impossible. */
export function base64urlDecodedLength(text: string): number {
  const n = text.length;
  if (n % 4 === 1) return -1;
  return Math.floor((n * 3) / 4);
}

function decode(text: string, table: Int8Array, padded: boolean, what: string): Uint8Array {
  const outLen = padded ? base64DecodedLength(text) : base64urlDecodedLength(text);
  if (outLen < 0) throw invalid(what);
  // Padding characters counted by base64DecodedLength; any other '=' fails the table lookup.
  const pads = padded ? (text.length / 4) * 3 - outLen : 0;
  const chars = text.length - pads;
  // ASCII bytes of the text via one native call; a non-ASCII character takes more than one byte,
  // so it stops the copy short (read < chars). Bytes outside the alphabet map to -1.
  const src = new Uint8Array(chars);
  const { read } = utf8.encodeInto(pads === 0 ? text : text.slice(0, chars), src);
  if (read !== chars) throw invalid(what);
  const out = new Uint8Array(outLen);
  let o = 0;
  let i = 0;
  // Whole quads first: four lookups, one validity test (any -1 makes the OR negative).
  const fullQuads = chars - (chars % 4);
  for (; i < fullQuads; i += 4) {
    const a = table[src[i]!]!;
    const b = table[src[i + 1]!]!;
    const c = table[src[i + 2]!]!;
    const d = table[src[i + 3]!]!;
    if ((a | b | c | d) < 0) throw invalid(what);
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >>> 16;
    out[o++] = (v >>> 8) & 0xff;
    out[o++] = v & 0xff;
  }
  const rest = chars - fullQuads;
  if (rest === 1) throw invalid(what);
  if (rest > 1) {
    const a = table[src[i]!]!;
    const b = table[src[i + 1]!]!;
    const c = rest === 3 ? table[src[i + 2]!]! : 0;
    if ((a | b | c) < 0) throw invalid(what);
    const v = (a << 18) | (b << 12) | (c << 6);
    // Canonical form: the bits below the last full byte must be zero.
    if ((rest === 2 && (v & 0xffff) !== 0) || (rest === 3 && (v & 0xff) !== 0)) throw invalid(what);
    out[o++] = v >>> 16;
    if (rest === 3) out[o++] = (v >>> 8) & 0xff;
  }
  if (o !== outLen) throw invalid(what);
  return out;
}

/** RFC 4648 §4 base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  return encode(bytes, ENC_STD, true);
}

/** Strict inverse of encodeBase64; throws ProtocolError PDU_BAD_FIELD naming `what`. */
export function decodeBase64(text: string, what = 'base64'): Uint8Array {
  return decode(text, DEC_STD, true, what);
}

/** RFC 4648 §5 base64url without padding. */
export function encodeBase64url(bytes: Uint8Array): string {
  return encode(bytes, ENC_URL, false);
}

/** Strict inverse of encodeBase64url; throws ProtocolError PDU_BAD_FIELD naming `what`. */
export function decodeBase64url(text: string, what = 'base64url'): Uint8Array {
  return decode(text, DEC_URL, false, what);
}

/** Lowercase hex (spec P1.0 notation for vectors). */
export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Strict lowercase-or-uppercase hex without prefix; throws ProtocolError PDU_BAD_FIELD. */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new ProtocolError(PDU_ERROR.badField, 'not hex');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
