/**
 * The first two steps of PDU parsing: size, then JSON. Both run before any field is looked at, and
 * the size and shape checks run before JSON.parse allocates anything (P8.1, P8.4).
 */
import { PDU_ERROR } from '../codes.js';
import { ProtocolError } from '../errors.js';
import { MAX_JSON_ARRAY_ELEMENTS, MAX_JSON_DEPTH, MAX_JSON_VALUES, MAX_PDU_BYTES } from '../limits.js';

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 byte length of a string without encoding it. Lone surrogates count as U+FFFD (3 bytes). */
export function utf8ByteLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** Throws PDU_TOO_LARGE when `text` is over `maxBytes` UTF-8 bytes; cheap for all but borderline text. */
export function checkTextSize(text: string, maxBytes: number = MAX_PDU_BYTES): void {
  // A UTF-16 unit is 1–3 UTF-8 bytes (a surrogate pair is 4 bytes for 2 units), so only text whose
  // length is between maxBytes/3 and maxBytes needs an exact count.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && utf8ByteLength(text) > maxBytes)) {
    throw new ProtocolError(PDU_ERROR.tooLarge, `PDU exceeds ${maxBytes} bytes`);
  }
}

/**
 * One pass over the raw JSON text that rejects nesting deeper than `maxDepth`, any array with more
 * than `maxElements` elements and more than `maxValues` values in all, before JSON.parse builds them. It tracks string literals so
 * brackets and commas inside strings are ignored; it is not a validator (JSON.parse is).
 */
export function checkJsonShape(
  text: string,
  maxDepth: number = MAX_JSON_DEPTH,
  maxElements: number = MAX_JSON_ARRAY_ELEMENTS,
  maxValues: number = MAX_JSON_VALUES,
): void {
  let values = 0;
  const commas = new Int32Array(maxDepth + 1);
  const isArray = new Uint8Array(maxDepth + 1);
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string literal with native searches: the closing quote is the next quote preceded
      // by an even number of backslashes. (Long base64 strings make this the hot loop.)
      let q = i;
      for (;;) {
        q = text.indexOf('"', q + 1);
        if (q < 0) return; // unterminated: JSON.parse reports it
        let k = q - 1;
        while (text.charCodeAt(k) === 0x5c) k--;
        if ((q - 1 - k) % 2 === 0) break;
      }
      i = q;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth)
        throw new ProtocolError(PDU_ERROR.tooDeep, `JSON nests deeper than ${maxDepth}`);
      isArray[depth] = c === 0x5b ? 1 : 0;
      commas[depth] = 0;
    } else if (c === 0x5d || c === 0x7d) {
      if (depth > 0) depth--;
    } else if (c === 0x2c && depth > 0) {
      if (++values >= maxValues)
        throw new ProtocolError(PDU_ERROR.tooManyValues, `more than ${maxValues} JSON values`);
      if (isArray[depth] === 1 && ++commas[depth]! >= maxElements) {
        throw new ProtocolError(PDU_ERROR.arrayTooLong, `JSON array longer than ${maxElements}`);
      }
    }
  }
}

/**
 * Size, then shape, then JSON.parse, then "is an object". Accepts the text of a data-channel string
 * message or the bytes of a binary one (strict UTF-8, BOM refused by JSON.parse).
 */
export function parseJsonObject(
  input: string | Uint8Array,
  maxBytes: number = MAX_PDU_BYTES,
): Record<string, unknown> {
  let text: string;
  if (typeof input === 'string') {
    checkTextSize(input, maxBytes);
    text = input;
  } else {
    if (input.byteLength > maxBytes)
      throw new ProtocolError(PDU_ERROR.tooLarge, `PDU exceeds ${maxBytes} bytes`);
    try {
      text = strictUtf8.decode(input);
    } catch {
      throw new ProtocolError(PDU_ERROR.malformedJson, 'PDU is not UTF-8');
    }
  }
  checkJsonShape(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError(PDU_ERROR.malformedJson, 'PDU is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError(PDU_ERROR.notAnObject, 'PDU is not a JSON object');
  }
  return value as Record<string, unknown>;
}

/** UTF-8 bytes of a PDU text, for senders that use binary data-channel messages. */
export function pduTextToBytes(text: string): Uint8Array {
  return encoder.encode(text);
}
