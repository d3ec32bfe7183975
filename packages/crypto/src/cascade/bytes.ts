/**
 * Byte helpers of the MLS, ML-KEM, AES and cascade modules. The general ones are the package's
 * shared helpers (../encoding.ts) under the names these modules use; what is specific here is the
 * 64-bit big-endian encoding of JSON-safe counters and a base64 decoder that names the field it
 * failed on.
 */
import { fromBase64 as decodeBase64 } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';

export {
  concatBytes as concat,
  constantTimeEqual as equalBytes,
  fromHex,
  toBase64,
  toHex,
  utf8,
  wipe,
} from '../encoding.js';

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

/** Strict canonical padded base64 (RFC 4648 §4); the error names the field. */
export function fromBase64(text: string, what: string): Uint8Array {
  try {
    return decodeBase64(text);
  } catch {
    throw new CryptoError(CRYPTO_ERROR.malformed, `${what} is not base64`);
  }
}
