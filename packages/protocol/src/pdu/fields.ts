/**
 * Typed field access for PDU validators. A FieldReader wraps one parsed JSON object: it refuses
 * keys outside the declared field list up front (PDU_UNKNOWN_FIELD), then each getter checks one
 * field's JSON type, range and, for byte strings, the decoded length *before* decoding. Errors name
 * the field, never its value, so they can be logged.
 */
import {
  base64DecodedLength,
  base64urlDecodedLength,
  decodeBase64,
  decodeBase64url,
  encodeBase64,
} from '../base64.js';
import { PDU_ERROR } from '../codes.js';
import { ProtocolError } from '../errors.js';
import { KEY_BYTES } from '../limits.js';

export type JsonObject = Record<string, unknown>;

/** Scalar JSON value allowed inside opaque layer objects. */
export type Scalar = string | number | boolean;

export function bad(where: string, detail: string): ProtocolError {
  return new ProtocolError(PDU_ERROR.badField, `${where}: ${detail}`);
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface ByteBounds {
  /** Exact decoded length. */
  exact?: number;
  /** Smallest decoded length (default 1 unless `exact` is given). */
  min?: number;
  /** Largest decoded length. */
  max?: number;
}

export class FieldReader {
  constructor(
    private readonly obj: JsonObject,
    private readonly where: string,
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) {
        throw new ProtocolError(PDU_ERROR.unknownField, `${where}: field not defined for this object`);
      }
    }
  }

  private path(name: string): string {
    return `${this.where}.${name}`;
  }

  has(name: string): boolean {
    return Object.hasOwn(this.obj, name);
  }

  raw(name: string): unknown {
    if (!this.has(name)) throw bad(this.path(name), 'missing');
    return this.obj[name];
  }

  string(name: string, maxLength: number, pattern?: RegExp): string {
    const v = this.raw(name);
    if (typeof v !== 'string' || v.length > maxLength || (pattern !== undefined && !pattern.test(v))) {
      throw bad(this.path(name), 'expected a bounded string');
    }
    return v;
  }

  boolean(name: string): boolean {
    const v = this.raw(name);
    if (typeof v !== 'boolean') throw bad(this.path(name), 'expected a boolean');
    return v;
  }

  literal<T extends Scalar>(name: string, value: T): T {
    if (this.raw(name) !== value) throw bad(this.path(name), `expected ${JSON.stringify(value)}`);
    return value;
  }

  /** A non-negative integer in [min, max] (both within the safe-integer range). */
  uint(name: string, max: number = Number.MAX_SAFE_INTEGER, min = 0): number {
    const v = this.raw(name);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      throw bad(this.path(name), `expected an integer in [${min}, ${max}]`);
    }
    return v + 0; // -0 → 0, as the canonical encoding writes it
  }

  /** A finite non-negative number (durations in ms, which may be fractional). */
  duration(name: string, max: number): number {
    const v = this.raw(name);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) {
      throw bad(this.path(name), 'expected a non-negative number');
    }
    return v + 0;
  }

  /** A padded base64 byte string whose decoded length is checked before decoding. */
  bytes(name: string, bounds: ByteBounds): Uint8Array {
    const v = this.raw(name);
    if (typeof v !== 'string') throw bad(this.path(name), 'expected a base64 string');
    checkByteLength(base64DecodedLength(v), bounds, this.path(name));
    return decodeBase64(v, this.path(name));
  }

  /** A 16-byte random identifier as unpadded base64url (22 characters). */
  id(name: string): string {
    const v = this.raw(name);
    if (typeof v !== 'string' || v.length !== 22 || base64urlDecodedLength(v) !== KEY_BYTES.id) {
      throw bad(this.path(name), 'expected a 16-byte base64url id');
    }
    decodeBase64url(v, this.path(name));
    return v;
  }

  object(name: string): JsonObject {
    const v = this.raw(name);
    if (!isPlainObject(v)) throw bad(this.path(name), 'expected an object');
    return v;
  }

  /** An array whose length is checked against [min, max] before any element is looked at. */
  array(name: string, max: number, min = 0): unknown[] {
    const v = this.raw(name);
    if (!Array.isArray(v) || v.length < min || v.length > max) {
      throw bad(this.path(name), `expected an array of ${min}..${max} elements`);
    }
    return v;
  }

  child(name: string, allowed: readonly string[]): FieldReader {
    return new FieldReader(this.object(name), this.path(name), allowed);
  }
}

export function checkByteLength(length: number, bounds: ByteBounds, where: string): void {
  if (length < 0) throw bad(where, 'not canonical base64');
  const min = bounds.exact ?? bounds.min ?? 1;
  const max = bounds.exact ?? bounds.max ?? Number.MAX_SAFE_INTEGER;
  if (length < min || length > max) {
    throw bad(
      where,
      bounds.exact !== undefined ? `expected ${bounds.exact} bytes` : `expected ${min}..${max} bytes`,
    );
  }
}

/**
 * A flat object of scalar values with identifier keys (`layerParameters[i]`, `layers[i].metadata`).
 * Keys are limited to identifiers, which also keeps `__proto__`-style keys out.
 */
export function readScalarRecord(
  value: unknown,
  where: string,
  maxKeys: number,
  maxKeyLength: number,
  maxStringLength: number,
): Record<string, Scalar> {
  if (!isPlainObject(value)) throw bad(where, 'expected an object');
  const keys = Object.keys(value);
  if (keys.length > maxKeys) throw bad(where, `more than ${maxKeys} keys`);
  const out: Record<string, Scalar> = {};
  for (const key of keys) {
    if (key.length > maxKeyLength || !IDENTIFIER.test(key)) throw bad(where, 'key is not an identifier');
    const v = value[key];
    if (typeof v === 'boolean') out[key] = v;
    // -0 normalised to 0: it is what the canonical encoding (JSON.stringify) writes.
    else if (typeof v === 'number' && Number.isFinite(v)) out[key] = v === 0 ? 0 : v;
    else if (typeof v === 'string' && v.length <= maxStringLength) out[key] = v;
    else throw bad(`${where}.${key}`, 'expected a bounded scalar');
  }
  return out;
}

export const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_-]*$/;

// ---- encoding side -------------------------------------------------------------------------------

/** Base64 of a byte field for the wire; a non-Uint8Array is an encoding error, not a crash. */
export function b64(value: unknown, where: string): string {
  if (!(value instanceof Uint8Array)) throw bad(where, 'expected a Uint8Array');
  return encodeBase64(value);
}

/**
 * Canonical wire object: keys exactly in `order`, absent (undefined) values omitted. Insertion order
 * is JSON.stringify's output order, which makes the encoding byte-exact.
 */
export function ordered(order: readonly string[], values: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const key of order) {
    const v = values[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** Canonical form of a scalar record: keys sorted by UTF-16 code units (Array.prototype.sort). */
export function sortedRecord(value: unknown, where: string): JsonObject {
  if (!isPlainObject(value)) throw bad(where, 'expected an object');
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) out[key] = value[key];
  return out;
}
