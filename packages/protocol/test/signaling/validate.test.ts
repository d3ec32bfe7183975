import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodeRelay,
  isProtocolError,
  isValidPeerId,
  isValidToken,
  MAX_SIGNALING_FRAME_BYTES,
  parseClientFrame,
  parseServerFrame,
  SIGNALING_ERROR,
} from '../../src/index.js';

function rejects(text: string, code: string) {
  assert.throws(
    () => parseClientFrame(text),
    (e: unknown) => isProtocolError(e, code),
  );
}

describe('parseClientFrame', () => {
  it('accepts HEARTBEAT and drops every other field', () => {
    assert.deepEqual(parseClientFrame('{"type":"HEARTBEAT","x":1}'), { type: 'HEARTBEAT' });
  });
  it('keeps only type, dst and payload of a relay message, never src', () => {
    const m = parseClientFrame(
      '{"type":"OFFER","src":"mallory","dst":"bob","payload":{"sdp":1},"extra":true}',
    );
    assert.deepEqual(m, { type: 'OFFER', dst: 'bob', payload: { sdp: 1 } });
  });
  it('accepts a legacy LEAVE without dst', () => {
    assert.deepEqual(parseClientFrame('{"type":"LEAVE"}'), { type: 'LEAVE' });
  });
  it('rejects malformed JSON', () => rejects('{"type":', SIGNALING_ERROR.malformedJson));
  it('rejects non-object JSON', () => {
    for (const t of ['[]', '1', '"x"', 'null', 'true']) rejects(t, SIGNALING_ERROR.notAnObject);
  });
  it('rejects unknown and missing types', () => {
    for (const t of ['{"type":"OPEN"}', '{"type":"NOPE"}', '{}', '{"type":1}'])
      rejects(t, SIGNALING_ERROR.unknownType);
  });
  it('rejects a relay message without dst', () =>
    rejects('{"type":"OFFER","payload":{}}', SIGNALING_ERROR.missingDst));
  it('rejects a hostile dst', () => {
    for (const d of ['../x', 'a\u0000b', 'x'.repeat(65), '<script>', 'a  b'])
      rejects(JSON.stringify({ type: 'OFFER', dst: d }), SIGNALING_ERROR.invalidDst);
  });
  it('rejects an oversized frame before parsing it', () => {
    const big = JSON.stringify({ type: 'OFFER', dst: 'b', payload: 'x'.repeat(MAX_SIGNALING_FRAME_BYTES) });
    rejects(big, SIGNALING_ERROR.frameTooLarge);
    // multi-byte characters count in bytes, not UTF-16 units
    const wide = JSON.stringify({
      type: 'OFFER',
      dst: 'b',
      payload: 'é'.repeat(MAX_SIGNALING_FRAME_BYTES / 2),
    });
    rejects(wide, SIGNALING_ERROR.frameTooLarge);
  });
});

describe('parseServerFrame', () => {
  it('parses OPEN, ERROR and relayed messages', () => {
    assert.deepEqual(parseServerFrame('{"type":"OPEN"}'), { type: 'OPEN' });
    assert.deepEqual(parseServerFrame('{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}'), {
      type: 'ID-TAKEN',
      payload: { msg: 'ID is taken' },
    });
    assert.deepEqual(parseServerFrame('{"type":"EXPIRE","src":"b","dst":"a"}'), {
      type: 'EXPIRE',
      src: 'b',
      dst: 'a',
    });
  });
  it('rejects unknown types', () => {
    assert.throws(
      () => parseServerFrame('{"type":"HEARTBEAT"}'),
      (e: unknown) => isProtocolError(e, SIGNALING_ERROR.unknownType),
    );
  });
});

describe('ids, tokens and encoding', () => {
  it('accepts UUIDs and peerjs-style ids, rejects the rest', () => {
    assert.ok(isValidPeerId('3f0c2a9e-1b7d-4f3e-9a51-6c2d8e4b0f17'));
    assert.ok(isValidPeerId('alice_1 b-2'));
    for (const bad of ['', ' a', 'a ', 'a__b', 'ü', 'x'.repeat(65), 42])
      assert.equal(isValidPeerId(bad), false);
  });
  it('accepts printable tokens only', () => {
    assert.ok(isValidToken('k3j4h5g6f7'));
    for (const bad of ['', 'a b', 'a\nb', 'x'.repeat(257)]) assert.equal(isValidToken(bad), false);
  });
  it('encodes relays in the stock key order', () => {
    assert.equal(
      encodeRelay('OFFER', 'a', 'b', { x: 1 }),
      '{"type":"OFFER","src":"a","dst":"b","payload":{"x":1}}',
    );
    assert.equal(encodeRelay('EXPIRE', 'b', 'a', undefined), '{"type":"EXPIRE","src":"b","dst":"a"}');
  });
});
