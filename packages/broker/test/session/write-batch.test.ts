import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as wsModule from 'ws';
import { encodeTextFrames, type OutboxOwner, queueFrame } from '../../src/session/write-batch.js';

/** ws's frame parser: exported at runtime, not described by @types/ws. */
interface FrameReceiver {
  on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  write(chunk: Buffer): void;
}
const { Receiver } = wsModule as unknown as {
  Receiver: new (opts: { isServer: boolean; maxPayload: number }) => FrameReceiver;
};

/** Decodes with ws's own client-side parser, as a real client would. */
function decode(bytes: Buffer): string[] {
  const out: string[] = [];
  const r = new Receiver({ isServer: false, maxPayload: 0 });
  r.on('message', (data: Buffer, isBinary: boolean) => {
    assert.equal(isBinary, false);
    out.push(data.toString('utf8'));
  });
  r.on('error', (err: Error) => {
    throw err;
  });
  r.write(bytes);
  return out;
}

describe('write batch', () => {
  it('encodes frames a WebSocket client reads back unchanged, at every length class', () => {
    const frames = [
      '',
      'a',
      'x'.repeat(125),
      'y'.repeat(126),
      'é'.repeat(40_000),
      'z'.repeat(65_535),
      'w'.repeat(70_000),
      '😀ü',
    ];
    assert.deepEqual(decode(encodeTextFrames(frames)), frames);
  });

  it('round-trips arbitrary frame lists', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { maxLength: 20 }), (frames) => {
        // Lone surrogates become U+FFFD in UTF-8, as with ws.send.
        const expected = frames.map((f) => Buffer.from(f, 'utf8').toString('utf8'));
        assert.deepEqual(decode(encodeTextFrames(frames)), expected);
      }),
      { numRuns: 300 },
    );
  });

  it('flushes each owner once, after the tick, with its frames in order', async () => {
    const written: string[][] = [];
    const owner = (): OutboxOwner => {
      const o: OutboxOwner = {
        outbox: undefined,
        flushOutbox() {
          if (o.outbox) written.push(o.outbox);
          o.outbox = undefined;
        },
      };
      return o;
    };
    const a = owner();
    const b = owner();
    queueFrame(a, '1');
    queueFrame(b, '2');
    queueFrame(a, '3');
    assert.deepEqual(written, []);
    await new Promise((r) => process.nextTick(r));
    assert.deepEqual(written, [['1', '3'], ['2']]);
  });
});
