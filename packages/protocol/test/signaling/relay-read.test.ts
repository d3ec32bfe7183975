import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  encodeRelayedFrame,
  encodeRelayFrame,
  isProtocolError,
  parseClientFrameForRelay,
  type RelayMessage,
  readCanonicalRelayFrame,
  readRelayFrame,
  SIGNALING_ERROR,
} from '../../src/index.js';

const SRC = 'alice';

/** What the strict path (JSON.parse, validation, splice or re-serialisation) answers. */
function strict(
  text: string,
  maxBytes?: number,
): { code: string } | { type: string; dst?: string; out?: string } {
  try {
    const { msg, payloadText } = parseClientFrameForRelay(text, maxBytes);
    if (msg.type === 'HEARTBEAT' || msg.dst === undefined) return { type: msg.type };
    return { type: msg.type, dst: msg.dst, out: encodeRelayFrame(msg as RelayMessage, SRC, payloadText) };
  } catch (err) {
    if (!isProtocolError(err)) throw err;
    return { code: err.code };
  }
}

function fast(
  text: string,
  maxBytes?: number,
): { code: string } | { type: string; dst?: string; out?: string } {
  try {
    const f = readRelayFrame(text, maxBytes);
    if (f.type === 'HEARTBEAT' || f.dst === undefined) return { type: f.type };
    return { type: f.type, dst: f.dst, out: encodeRelayedFrame(f, SRC) };
  } catch (err) {
    if (!isProtocolError(err)) throw err;
    return { code: err.code };
  }
}

const TYPE = fc.constantFrom(
  'OFFER',
  'ANSWER',
  'CANDIDATE',
  'LEAVE',
  'EXPIRE',
  'HEARTBEAT',
  'OPEN',
  'offer',
  'OFFERX',
  'OFF',
);
const DST = fc.oneof(
  fc.constantFrom(
    'bob',
    'b-o_b 1',
    'x'.repeat(64),
    'x'.repeat(65),
    '',
    '-bob',
    'bob-',
    'b--b',
    'bo"b',
    'bo\\b',
    'bø',
  ),
  fc.stringMatching(/^[A-Za-z0-9]{1,8}([ _-][A-Za-z0-9]{1,4}){0,2}$/),
  fc.string({ maxLength: 8 }),
  fc.constant(null),
  fc.integer(),
);
const PAYLOAD = fc.jsonValue({ maxDepth: 4 });
const KEY_ORDER = fc.constantFrom(
  ['type', 'payload', 'dst'],
  ['type', 'dst', 'payload'],
  ['dst', 'type', 'payload'],
  ['payload', 'dst', 'type'],
);

/** Frames of every shape: canonical or not, missing or extra fields, valid or invalid values. */
const FRAME = fc
  .record({
    type: fc.option(TYPE, { nil: undefined }),
    dst: fc.option(DST, { nil: undefined }),
    payload: fc.option(PAYLOAD, { nil: undefined }),
    order: KEY_ORDER,
    extra: fc.option(fc.constantFrom('src', 'x', 'type', 'payload', 'dst'), { nil: undefined }),
    indent: fc.constantFrom(0, 0, 0, 1),
  })
  .map(({ type, dst, payload, order, extra, indent }) => {
    const fields: Record<string, unknown> = { type, dst, payload };
    const parts: string[] = [];
    for (const k of order as readonly string[])
      if (fields[k] !== undefined) parts.push(`${JSON.stringify(k)}:${JSON.stringify(fields[k])}`);
    if (extra !== undefined) parts.push(`${JSON.stringify(extra)}:"zz"`);
    const sep = indent ? ', ' : ',';
    return `{${parts.join(sep)}}`;
  });

describe('readRelayFrame (single-pass fast path)', () => {
  it('gives the strict path’s answer, byte for byte, or its error code, for frames of every shape', () => {
    fc.assert(
      fc.property(FRAME, (text) => {
        assert.deepEqual(fast(text), strict(text), text);
      }),
      { numRuns: 5_000 },
    );
  });

  it('gives the strict path’s answer for canonical frames with one character inserted, removed or replaced', () => {
    const CH = fc.constantFrom(...'{}[],:"\\ 0a-'.split(''), '\u0001');
    fc.assert(
      fc.property(
        fc.constantFrom('OFFER', 'CANDIDATE', 'LEAVE'),
        PAYLOAD,
        fc.boolean(),
        fc.nat(),
        CH,
        fc.constantFrom(0, 1, 2),
        (type, payload, stockOrder, at, ch, op) => {
          const t = stockOrder
            ? JSON.stringify({ type, payload, dst: 'bob' })
            : JSON.stringify({ type, dst: 'bob', payload });
          const i = at % (t.length + 1);
          const text =
            op === 0
              ? t.slice(0, i) + ch + t.slice(i)
              : op === 1
                ? t.slice(0, i) + t.slice(i + 1)
                : t.slice(0, i) + ch + t.slice(i + 1);
          assert.deepEqual(fast(text), strict(text), text);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('takes the fast path for the shapes stock peerjs and encodeRelay-style clients send', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('OFFER', 'ANSWER', 'CANDIDATE', 'LEAVE', 'EXPIRE'),
        PAYLOAD,
        (type, payload) => {
          for (const text of [
            JSON.stringify({ type, payload, dst: 'bob' }),
            JSON.stringify({ type, dst: 'bob', payload }),
          ]) {
            const f = readCanonicalRelayFrame(text);
            assert.ok(f, text);
            assert.equal(f.payloadText, JSON.stringify(payload));
            // Through JSON once, as the receiver sees it (-0 becomes 0).
            const seen = JSON.parse(JSON.stringify(payload)) as unknown;
            assert.deepEqual(JSON.parse(encodeRelayedFrame(f, SRC)), {
              type,
              src: SRC,
              dst: 'bob',
              payload: seen,
            });
          }
        },
      ),
      { numRuns: 500 },
    );
    assert.equal(readCanonicalRelayFrame('{"type":"HEARTBEAT"}')?.type, 'HEARTBEAT');
    assert.equal(readCanonicalRelayFrame('{"type":"OFFER","payload":1,"payload":2,"dst":"bob"}'), undefined);
    assert.equal(readCanonicalRelayFrame('{"type":"OFFER","payload":{"dst":"x"},"dst":"bo b"}')?.dst, 'bo b');
  });

  it('checks the size before anything else, with the same code', () => {
    const text = JSON.stringify({ type: 'OFFER', payload: 'x'.repeat(200), dst: 'bob' });
    assert.deepEqual(fast(text, 100), { code: SIGNALING_ERROR.frameTooLarge });
    assert.deepEqual(fast('é'.repeat(60), 100), { code: SIGNALING_ERROR.frameTooLarge });
    assert.deepEqual(fast('{"type":"OFFER","payload":{,"dst":"bob"}'), {
      code: SIGNALING_ERROR.malformedJson,
    });
    assert.deepEqual(fast('{"type":"OFFER","payload":1,"dst":"bo\\"b"}'), {
      code: SIGNALING_ERROR.invalidDst,
    });
  });

  it('relays a frame without payload or with a legacy LEAVE like the strict path', () => {
    assert.deepEqual(fast('{"type":"LEAVE","dst":"bob"}'), strict('{"type":"LEAVE","dst":"bob"}'));
    assert.deepEqual(fast('{"type":"LEAVE"}'), { type: 'LEAVE' });
    assert.deepEqual(fast('{"type":"HEARTBEAT"}'), { type: 'HEARTBEAT' });
    assert.equal(
      encodeRelayedFrame({ type: 'OFFER', dst: 'bob', payloadText: '{"a":1}' }, 'not valid"'),
      '{"type":"OFFER","src":"not valid\\"","dst":"bob","payload":{"a":1}}',
    );
  });
});
