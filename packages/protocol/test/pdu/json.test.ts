import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkJsonShape,
  checkTextSize,
  isProtocolError,
  MAX_JSON_ARRAY_ELEMENTS,
  MAX_JSON_DEPTH,
  MAX_JSON_VALUES,
  PDU_ERROR,
  parseJsonObject,
  utf8ByteLength,
} from '../../src/index.js';

const code = (c: string) => (e: unknown) => isProtocolError(e, c);

describe('size check (before JSON.parse)', () => {
  it('counts UTF-8 bytes, not UTF-16 units', () => {
    assert.equal(utf8ByteLength('aé€😀'), 1 + 2 + 3 + 4);
    assert.equal(utf8ByteLength('\ud800'), 3); // lone surrogate → U+FFFD
    assert.equal(utf8ByteLength('aé€😀'), new TextEncoder().encode('aé€😀').length);
    checkTextSize('€'.repeat(10), 30);
    assert.throws(() => checkTextSize('€'.repeat(11), 30), code(PDU_ERROR.tooLarge));
  });
  it('refuses an oversized string even when it is not JSON', () => {
    assert.throws(() => parseJsonObject('x'.repeat(101), 100), code(PDU_ERROR.tooLarge));
  });
  it('refuses oversized bytes before decoding them', () => {
    assert.throws(() => parseJsonObject(new Uint8Array(101), 100), code(PDU_ERROR.tooLarge));
  });
});

describe('shape check (before JSON.parse)', () => {
  it('refuses nesting deeper than MAX_JSON_DEPTH, however long the text', () => {
    checkJsonShape('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH));
    assert.throws(() => checkJsonShape('['.repeat(MAX_JSON_DEPTH + 1)), code(PDU_ERROR.tooDeep));
    assert.throws(() => parseJsonObject(`{"a":${'['.repeat(1_000_000)}}`), code(PDU_ERROR.tooDeep));
  });
  it('refuses arrays longer than MAX_JSON_ARRAY_ELEMENTS', () => {
    const ok = `[${new Array(MAX_JSON_ARRAY_ELEMENTS).fill(0).join(',')}]`;
    checkJsonShape(ok);
    const tooLong = `{"a":[${new Array(MAX_JSON_ARRAY_ELEMENTS + 1).fill(0).join(',')}]}`;
    assert.throws(() => parseJsonObject(tooLong), code(PDU_ERROR.arrayTooLong));
  });
  it('refuses too many values in all: nested arrays and huge objects', () => {
    const rows = Array.from({ length: 2 }, () => `[${new Array(MAX_JSON_ARRAY_ELEMENTS).fill(0).join(',')}]`);
    assert.throws(() => parseJsonObject(`{"a":[${rows.join(',')}]}`), code(PDU_ERROR.tooManyValues));
    const members = Array.from({ length: MAX_JSON_VALUES + 1 }, (_, i) => `"k${i}":0`).join(',');
    assert.throws(() => parseJsonObject(`{${members}}`), code(PDU_ERROR.tooManyValues));
  });
  it('counts per array, and ignores brackets and commas inside strings', () => {
    checkJsonShape(`{"s":"${'[,'.repeat(20_000)}","e":"\\"[[[[[[[[[[[["}`);
    const few = Array.from({ length: 3 }, () => `[${new Array(1000).fill(1).join(',')}]`);
    checkJsonShape(`[${few.join(',')}]`);
  });
});

describe('JSON and object checks', () => {
  it('refuses malformed JSON, bad UTF-8 and a BOM', () => {
    assert.throws(() => parseJsonObject('{"type":'), code(PDU_ERROR.malformedJson));
    assert.throws(() => parseJsonObject(Uint8Array.of(0x7b, 0xff, 0x7d)), code(PDU_ERROR.malformedJson));
    assert.throws(
      () => parseJsonObject(Uint8Array.of(0xef, 0xbb, 0xbf, 0x7b, 0x7d)),
      code(PDU_ERROR.malformedJson),
    );
  });
  it('refuses JSON that is not an object', () => {
    for (const t of ['[]', '1', '"x"', 'null', 'true']) {
      assert.throws(() => parseJsonObject(t), code(PDU_ERROR.notAnObject));
    }
  });
  it('accepts the bytes of a binary data-channel message', () => {
    assert.deepEqual(parseJsonObject(new TextEncoder().encode('{"a":"é"}')), { a: 'é' });
  });
});
