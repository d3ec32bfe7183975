import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAnswer, parseCandidate, parseOffer } from '../../src/connection/payloads.js';

const sdp = { type: 'offer', sdp: 'v=0\r\n' };

test('a stock peerjs data OFFER is parsed with every field', () => {
  const offer = parseOffer({
    sdp,
    type: 'data',
    connectionId: 'dc_abc123',
    label: 'chat',
    reliable: true,
    serialization: 'json',
    metadata: { a: 1 },
    browser: 'chrome',
  });
  assert.deepEqual(offer, {
    sdp,
    type: 'data',
    connectionId: 'dc_abc123',
    label: 'chat',
    reliable: true,
    serialization: 'json',
    metadata: { a: 1 },
  });
});

test('label defaults to the connection id, serialization to binary, iceRestart only when true', () => {
  const offer = parseOffer({ sdp, type: 'data', connectionId: 'dc_x', iceRestart: 'yes' });
  assert.equal(offer?.label, 'dc_x');
  assert.equal(offer?.serialization, 'binary');
  assert.equal(offer?.reliable, false);
  assert.equal(offer?.iceRestart, undefined);
  assert.equal(parseOffer({ sdp, type: 'data', connectionId: 'dc_x', iceRestart: true })?.iceRestart, true);
});

test('malformed offers are refused, not thrown', () => {
  for (const bad of [
    null,
    [],
    'x',
    { sdp, type: 'media', connectionId: 'mc_1' },
    { sdp, type: 'data' },
    { sdp, type: 'data', connectionId: 'dc with space' },
    { sdp, type: 'data', connectionId: 'x'.repeat(200) },
    { sdp: { type: 'answer', sdp: 'v=0' }, type: 'data', connectionId: 'dc_1' },
    { sdp: { type: 'offer', sdp: 'x'.repeat(70_000) }, type: 'data', connectionId: 'dc_1' },
    { sdp: { type: 'offer' }, type: 'data', connectionId: 'dc_1' },
  ]) {
    assert.equal(parseOffer(bad), undefined, JSON.stringify(bad)?.slice(0, 80));
  }
});

test('answers and candidates', () => {
  assert.deepEqual(parseAnswer({ sdp: { type: 'answer', sdp: 'v=0' }, type: 'data', connectionId: 'dc_1' }), {
    sdp: { type: 'answer', sdp: 'v=0' },
    type: 'data',
    connectionId: 'dc_1',
  });
  assert.equal(parseAnswer({ sdp, connectionId: 'dc_1' }), undefined);
  const c = parseCandidate({
    candidate: { candidate: 'candidate:1 1 UDP 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    type: 'data',
    connectionId: 'dc_1',
  });
  assert.equal(c?.candidate.sdpMid, '0');
  assert.equal(parseCandidate({ candidate: { candidate: 5 }, connectionId: 'dc_1' }), undefined);
  assert.equal(
    parseCandidate({ candidate: { candidate: 'x'.repeat(2000) }, connectionId: 'dc_1' }),
    undefined,
  );
  assert.equal(
    parseCandidate({ candidate: { candidate: 'c' }, connectionId: 'dc_1' })?.candidate.sdpMLineIndex,
    0,
  );
});
