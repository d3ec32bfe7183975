import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFrame, encodeValue } from '../../src/connection/serialization.js';
import { isPeerError, PEER_ERROR } from '../../src/errors.js';

const enc = new TextEncoder();

test('json is sent as binary UTF-8 (peerjs 1.5) and read from binary or text (peerjs ≤ 1.4)', () => {
  const frame = encodeValue('json', { a: 'é' });
  assert.ok(frame instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(frame as Uint8Array), '{"a":"é"}');
  assert.deepEqual(decodeFrame('json', (frame as Uint8Array).slice().buffer), {
    kind: 'value',
    value: { a: 'é' },
  });
  assert.deepEqual(decodeFrame('json', '[1,2]'), { kind: 'value', value: [1, 2] });
});

test('json refuses what a stock receiver would choke on', () => {
  assert.throws(
    () => encodeValue('json', null),
    (e) => isPeerError(e, PEER_ERROR.invalidMessage),
  );
  assert.throws(
    () => encodeValue('json', undefined),
    (e) => isPeerError(e, PEER_ERROR.invalidMessage),
  );
  assert.throws(
    () => encodeValue('json', 'x'.repeat(16_300)),
    (e) => isPeerError(e, PEER_ERROR.messageTooBig),
  );
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(
    () => encodeValue('json', cyclic),
    (e) => isPeerError(e, PEER_ERROR.invalidMessage),
  );
});

test('json close control and __peerData chunks are never delivered as data', () => {
  assert.deepEqual(decodeFrame('json', enc.encode('{"__peerData":{"type":"close"}}')), { kind: 'close' });
  assert.deepEqual(decodeFrame('json', '{"__peerData":{"type":"close"}}'), { kind: 'close' });
  assert.deepEqual(decodeFrame('json', '{"__peerData":3,"n":0}'), { kind: 'invalid' });
  assert.deepEqual(decodeFrame('json', '{"__peerData":0,"x":1}'), {
    kind: 'value',
    value: { __peerData: 0, x: 1 },
  });
  assert.deepEqual(decodeFrame('json', '{not json'), { kind: 'invalid' });
  assert.deepEqual(decodeFrame('json', new Uint8Array([0xff, 0xfe])), { kind: 'invalid' });
  assert.deepEqual(decodeFrame('json', 42), { kind: 'invalid' });
});

test('raw passes strings and bytes through, refuses other values', () => {
  assert.equal(encodeValue('raw', 'hi'), 'hi');
  assert.deepEqual(encodeValue('raw', new Uint8Array([1])), new Uint8Array([1]));
  assert.deepEqual(encodeValue('raw', new Uint16Array([1]).buffer), new Uint8Array([1, 0]));
  assert.deepEqual(
    encodeValue('raw', new DataView(new Uint8Array([7, 8, 9]).buffer, 1, 1)),
    new Uint8Array([8]),
  );
  assert.throws(
    () => encodeValue('raw', { a: 1 }),
    (e) => isPeerError(e, PEER_ERROR.invalidMessage),
  );
  assert.deepEqual(decodeFrame('raw', new Uint8Array([5, 6]).buffer), {
    kind: 'value',
    value: new Uint8Array([5, 6]),
  });
  assert.deepEqual(decodeFrame('raw', 'text'), { kind: 'value', value: 'text' });
});
