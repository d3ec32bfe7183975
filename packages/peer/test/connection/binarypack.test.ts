import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BinaryReassembler } from '../../src/connection/binary-chunks.js';
import { isWellFormed, packValue } from '../../src/connection/binarypack.js';
import { decodeFrame, encodeFrames, encodeValue } from '../../src/connection/serialization.js';
import { isPeerError, PEER_ERROR } from '../../src/errors.js';
import { BINARY_CHUNK_BYTES, MAX_BINARY_REASSEMBLIES } from '../../src/limits.js';

const bytes = (...b: number[]) => new Uint8Array(b);
const counter = () => {
  let n = 0;
  return () => ++n;
};

/** Decodes `frames` in order through one reassembler; returns every delivered value. */
function receive(frames: (string | Uint8Array)[], chunks = new BinaryReassembler()) {
  return frames.map((f) => decodeFrame('binary', f, chunks));
}

test('packs exactly as peerjs-protocol.md §4.1 says (golden bytes)', () => {
  const frame = encodeValue('binary', { a: 'é', n: 1, b: bytes(1, 2) });
  assert.deepEqual(
    frame,
    bytes(0x83, 0xb1, 0x61, 0xb2, 0xc3, 0xa9, 0xb1, 0x6e, 0x01, 0xb1, 0x62, 0xa2, 0x01, 0x02),
  );
  assert.deepEqual(encodeValue('binary', -1), bytes(0xff));
  assert.deepEqual(encodeValue('binary', 300), bytes(0xcd, 0x01, 0x2c));
  assert.deepEqual(encodeValue('binary', [true, false]), bytes(0x92, 0xc3, 0xc2));
});

test('round-trips values as a stock peer would receive them (bytes arrive as ArrayBuffer)', () => {
  const value = fc.letrec((tie) => ({
    leaf: fc.oneof(
      fc.string(),
      // Numbers stay where BinaryPack is exact. Integer-valued numbers travel as 64-bit ints, so
      // beyond 2^53 they lose precision on any BinaryPack peer; and the stock encoder (which we use
      // for byte-compatibility) writes wrong float64 bytes for some values, e.g. -1.0010415475915275e-146.
      fc.integer(),
      fc.integer().map((i) => i / 64),
      fc.boolean(),
      fc.uint8Array({ maxLength: 40 }),
    ),
    node: fc.oneof(
      { depthSize: 'small' },
      tie('leaf'),
      fc.array(tie('node'), { maxLength: 5 }),
      fc.dictionary(
        fc.string().filter((k) => k !== '__proto__' && k !== '__peerData'),
        tie('node'),
        { maxKeys: 5, noNullPrototype: true },
      ),
    ),
  })).node;
  const toReceived = (v: unknown): unknown =>
    v instanceof Uint8Array
      ? v.slice().buffer
      : Array.isArray(v)
        ? v.map(toReceived)
        : typeof v === 'object' && v !== null
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toReceived(x)]))
          : v;
  fc.assert(
    fc.property(value, (v) => {
      const out = receive(encodeFrames('binary', v, counter()));
      assert.deepEqual(out.at(-1), { kind: 'value', value: toReceived(v) });
    }),
    { numRuns: 300 },
  );
});

test('large messages go out in peerjs chunks and are joined in any order', () => {
  const payload = new Uint8Array(100_000).map((_, i) => i % 251);
  const frames = encodeFrames('binary', payload, counter());
  assert.equal(frames.length, Math.ceil((payload.length + 5) / BINARY_CHUNK_BYTES));
  for (const f of frames) assert.ok((f as Uint8Array).length <= BINARY_CHUNK_BYTES + 64);
  const shuffled = [frames[3], frames[0], frames[6], frames[0], frames[1], frames[2], frames[5], frames[4]];
  const out = receive(shuffled as Uint8Array[]);
  assert.deepEqual(out.slice(0, -1), Array(7).fill({ kind: 'partial' }));
  assert.deepEqual(out.at(-1), { kind: 'value', value: payload.slice().buffer });
});

test('contradicting or excessive chunks are dropped, never joined', () => {
  const chunk = (id: number, n: number, total: number, size = 10) =>
    packValue({ __peerData: id, n, data: new Uint8Array(size), total }) as Uint8Array;
  assert.deepEqual(receive([chunk(1, 2, 2)]), [{ kind: 'invalid' }], 'index beyond total');
  assert.deepEqual(receive([chunk(1, 0, 2), chunk(1, 1, 3)]).at(-1), { kind: 'invalid' }, 'total changed');
  assert.deepEqual(
    receive([chunk(1, 0, 2, BINARY_CHUNK_BYTES + 1)]),
    [{ kind: 'invalid' }],
    'oversize slice',
  );
  assert.deepEqual(receive([chunk(1, 0, 1_000_000)]), [{ kind: 'invalid' }], 'message above 16 MiB');
  const chunks = new BinaryReassembler();
  const started = Array.from({ length: MAX_BINARY_REASSEMBLIES + 1 }, (_, i) => chunk(i + 1, 0, 2));
  const outcomes = receive(started, chunks);
  assert.deepEqual(outcomes.at(-1), { kind: 'invalid' });
  assert.equal(chunks.inProgress, MAX_BINARY_REASSEMBLIES);
  // A chunk map whose joined bytes are themselves a chunk map: never delivered.
  const inner = chunk(9, 0, 1);
  const outer = packValue({ __peerData: 7, n: 0, data: inner, total: 1 }) as Uint8Array;
  assert.deepEqual(receive([outer]), [{ kind: 'invalid' }]);
});

test('the close control message closes; other __peerData values are never data', () => {
  assert.deepEqual(receive([packValue({ __peerData: { type: 'close' } }) as Uint8Array]), [
    { kind: 'close' },
  ]);
  assert.deepEqual(receive([packValue({ __peerData: 'x' }) as Uint8Array]), [{ kind: 'invalid' }]);
  assert.deepEqual(receive([packValue({ __peerData: 0, v: 1 }) as Uint8Array]), [
    { kind: 'value', value: { __peerData: 0, v: 1 } },
  ]);
});

test('hostile frames are refused before the decoder runs', () => {
  const hostile: [string, Uint8Array][] = [
    ['array32 claiming 2^31 elements', bytes(0xdd, 0x80, 0, 0, 0)],
    ['map32 claiming 2^32-1 pairs', bytes(0xdf, 0xff, 0xff, 0xff, 0xff)],
    ['__proto__ key', bytes(0x81, 0xb9, ...new TextEncoder().encode('__proto__'), 0x01)],
    ['non-string key', bytes(0x81, 0x01, 0x01)],
    ['truncated string', bytes(0xb5, 0x61)],
    ['invalid UTF-8', bytes(0xb2, 0xc3, 0x28)],
    ['reserved code', bytes(0xc4)],
    ['trailing bytes', bytes(0x01, 0x02)],
    ['empty frame', bytes()],
    ['nesting beyond 64', new Uint8Array(100).fill(0x91)],
  ];
  for (const [what, frame] of hostile) {
    assert.equal(isWellFormed(frame), false, what);
    assert.deepEqual(receive([frame]), [{ kind: 'invalid' }], what);
  }
  assert.deepEqual(receive(['text frame']), [{ kind: 'invalid' }]);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (frame) => {
      const out = receive([frame]);
      assert.ok(['value', 'invalid', 'partial', 'close'].includes(out[0]?.kind ?? ''));
    }),
    { numRuns: 2000 },
  );
});

test('binary refuses what it cannot send faithfully', () => {
  for (const v of [null, undefined]) {
    assert.throws(
      () => encodeValue('binary', v),
      (e) => isPeerError(e, PEER_ERROR.invalidMessage),
    );
  }
  assert.throws(
    () => encodeFrames('binary', new Uint8Array(17 * 1024 * 1024), counter()),
    (e) => isPeerError(e, PEER_ERROR.messageTooBig),
  );
});
