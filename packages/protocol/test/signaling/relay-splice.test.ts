import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodeRelay,
  encodeRelayFrame,
  isProtocolError,
  isSingleJsonValue,
  parseClientFrame,
  parseClientFrameForRelay,
  type RelayMessage,
  SIGNALING_ERROR,
} from '../../src/index.js';

function relay(text: string, src = 'alice') {
  const { msg, payloadText } = parseClientFrameForRelay(text);
  return { out: encodeRelayFrame(msg as RelayMessage, src, payloadText), spliced: payloadText !== undefined };
}

function reference(text: string, src = 'alice'): string {
  const m = parseClientFrame(text) as RelayMessage;
  return encodeRelay(m.type, src, m.dst, m.payload);
}

describe('relay splice', () => {
  it('splices the payload text of a canonical client frame, same value as encodeRelay', () => {
    const payload = { sdp: { type: 'offer', sdp: 'v=0\r\na="x,y"\\' }, n: [1, { a: '}' }], s: 'é' };
    const text = JSON.stringify({ type: 'OFFER', payload, dst: 'bob' });
    const { out, spliced } = relay(text);
    assert.equal(spliced, true);
    assert.deepEqual(JSON.parse(out), { type: 'OFFER', src: 'alice', dst: 'bob', payload });
    assert.equal(out, reference(text));
  });

  it('falls back to encodeRelay for any other shape, with the same JSON value', () => {
    assert.equal(relay('{"type":"OFFER","dst":"bob","payload":{"a":[1,2]}}').spliced, true);
    assert.equal(relay('{"type":"OFFER","dst":"bob","payload":1,"payload":2}').spliced, false);
    const cases = [
      '{"type":"OFFER","dst":"bob","payload":{"a":1}}',
      '{"type":"OFFER","dst":"bob","payload":1,"payload":2}',
      '{"dst":"bob","type":"OFFER","payload":{"a":1}}',
      '{"type":"OFFER","payload":{"a":1},"dst":"bob","extra":1}',
      '{"type":"OFFER","src":"mallory","payload":{"a":1},"dst":"bob"}',
      '{ "type":"OFFER","payload":{"a":1},"dst":"bob"}',
      '{"type":"OFFER","payload":1,"dst":"x","payload":2,"dst":"bob"}',
      '{"type":"OFFER","payload":1,"type":"OFFER","payload":2,"dst":"bob"}',
      '{"type":"OFFER","payload":"a\\",\\"dst\\":\\"x","dst":"bob"}',
    ];
    for (const text of cases) {
      const { out } = relay(text);
      assert.deepEqual(JSON.parse(out), JSON.parse(reference(text)), text);
    }
    // Duplicate keys between payload and dst are never spliced.
    assert.equal(relay('{"type":"OFFER","payload":1,"dst":"x","payload":2,"dst":"bob"}').spliced, false);
    // A string payload containing quotes and commas is one value: spliced, same value.
    assert.equal(relay('{"type":"OFFER","payload":"a\\",\\"dst\\":\\"x","dst":"bob"}').spliced, true);
  });

  it('keeps the errors and codes of parseClientFrame', () => {
    assert.throws(
      () => parseClientFrameForRelay('{"type":"OFFER","payload":1}'),
      (e: unknown) => isProtocolError(e, SIGNALING_ERROR.missingDst),
    );
    assert.throws(
      () => parseClientFrameForRelay('nope'),
      (e: unknown) => isProtocolError(e, SIGNALING_ERROR.malformedJson),
    );
  });

  it('isSingleJsonValue finds top-level commas outside strings only', () => {
    const t = (s: string) => isSingleJsonValue(s, 0, s.length);
    assert.equal(t('{"a":1,"b":[1,2]}'), true);
    assert.equal(t('"x,y\\\\"'), true);
    assert.equal(t('"x\\",y"'), true);
    assert.equal(t('1,2'), false);
    assert.equal(t('{"a":1},{"b":2}'), false);
    assert.equal(t('"unterminated'), false);
  });
});
