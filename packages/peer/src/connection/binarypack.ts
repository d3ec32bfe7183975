/**
 * BinaryPack, peerjs's default data-connection serialization ('binary', peerjs-protocol.md §4.1),
 * through `peerjs-js-binarypack`, the codec stock peerjs itself uses, so values come out exactly as
 * a stock peer packs and unpacks them.
 *
 * That decoder trusts its input: a declared array or map length is looped over even when the bytes
 * are not there (reads past the end yield 0), so a 5-byte frame can demand 2^32 iterations, and map
 * keys are assigned onto a plain object (a `__proto__` key replaces its prototype). Every received
 * frame is therefore walked first by `isWellFormed`: exactly one value, every length backed by
 * bytes, strings valid UTF-8, map keys strings other than `__proto__`, nesting bounded.
 */
import { pack, unpack } from 'peerjs-js-binarypack';

/** Deeper nesting than any real message; bounds the walk (and the library's recursion). */
const MAX_DEPTH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Packs `value`; undefined when it holds something only packable asynchronously (a Blob). */
export function packValue(value: unknown): Uint8Array | undefined {
  const out = pack(value as Parameters<typeof pack>[0]);
  if (!(out instanceof ArrayBuffer)) return undefined;
  return new Uint8Array(out);
}

/** Unpacks one received frame; undefined when it is not exactly one well-formed value. */
export function unpackValue(bytes: Uint8Array): { value: unknown } | undefined {
  if (!isWellFormed(bytes)) return undefined;
  // The library reads the whole buffer it is given, from offset 0: copy only a partial view.
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const buffer = whole ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
  try {
    return { value: unpack(buffer) };
  } catch {
    return undefined;
  }
}

/** True when `bytes` holds exactly one well-formed BinaryPack value (see the module comment). */
export function isWellFormed(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (n: number): boolean => at + n <= bytes.length;
  const uint = (n: 1 | 2 | 4): number => {
    const v = n === 1 ? view.getUint8(at) : n === 2 ? view.getUint16(at) : view.getUint32(at);
    at += n;
    return v;
  };
  const string = (len: number): string | undefined => {
    if (!need(len)) return undefined;
    try {
      const s = utf8.decode(bytes.subarray(at, at + len));
      at += len;
      return s;
    } catch {
      return undefined;
    }
  };
  const raw = (len: number): boolean => {
    if (!need(len)) return false;
    at += len;
    return true;
  };
  // Every element takes at least one byte: a count larger than what is left is a lie.
  const items = (count: number, depth: number, map: boolean): boolean => {
    if (count * (map ? 2 : 1) > bytes.length - at) return false;
    for (let i = 0; i < count; i++) {
      if (map) {
        const key = keyAt();
        if (key === undefined || key === '__proto__') return false;
      }
      if (!value(depth + 1)) return false;
    }
    return true;
  };
  const keyAt = (): string | undefined => {
    if (!need(1)) return undefined;
    const t = uint(1);
    if (t >= 0xb0 && t <= 0xbf) return string(t & 0x0f);
    if (t === 0xd8 && need(2)) return string(uint(2));
    if (t === 0xd9 && need(4)) return string(uint(4));
    return undefined;
  };
  const value = (depth: number): boolean => {
    if (depth > MAX_DEPTH || !need(1)) return false;
    const t = uint(1);
    if (t < 0x80 || t >= 0xe0) return true; // fixints
    if (t <= 0x8f) return items(t & 0x0f, depth, true);
    if (t <= 0x9f) return items(t & 0x0f, depth, false);
    if (t <= 0xaf) return raw(t & 0x0f);
    if (t <= 0xbf) return string(t & 0x0f) !== undefined;
    switch (t) {
      case 0xc0: // null
      case 0xc1: // undefined
      case 0xc2:
      case 0xc3:
        return true;
      case 0xca:
      case 0xce:
      case 0xd2:
        return raw(4);
      case 0xcb:
      case 0xcf:
      case 0xd3:
        return raw(8);
      case 0xcc:
      case 0xd0:
        return raw(1);
      case 0xcd:
      case 0xd1:
        return raw(2);
      case 0xd8:
        return need(2) && string(uint(2)) !== undefined;
      case 0xd9:
        return need(4) && string(uint(4)) !== undefined;
      case 0xda:
        return need(2) && raw(uint(2));
      case 0xdb:
        return need(4) && raw(uint(4));
      case 0xdc:
        return need(2) && items(uint(2), depth, false);
      case 0xdd:
        return need(4) && items(uint(4), depth, false);
      case 0xde:
        return need(2) && items(uint(2), depth, true);
      case 0xdf:
        return need(4) && items(uint(4), depth, true);
      default:
        return false; // 0xc4–0xc9, 0xd4–0xd7: no meaning in BinaryPack
    }
  };
  return value(0) && at === bytes.length;
}
