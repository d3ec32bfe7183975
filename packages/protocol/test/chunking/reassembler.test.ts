import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CHUNK_ERROR,
  CHUNK_SIZE_BYTES,
  type ChunkPdu,
  decodePdu,
  encodeMessageFrames,
  isProtocolError,
  MAX_CONCURRENT_REASSEMBLIES,
  type MessagePdu,
  PDU_TYPE,
  REASSEMBLY_TIMEOUT_MS,
  Reassembler,
  type ReassemblyResult,
  splitMessage,
} from '../../src/index.js';
import { bytes, cascadeMessage, idOf } from './helpers.js';

const code = (c: string) => (e: unknown) => isProtocolError(e, c);

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function ciphertextOf(r: ReassemblyResult): Uint8Array | undefined {
  if (r.status !== 'complete' || !r.message.encryptedMessage.cascaded) return undefined;
  return r.message.encryptedMessage.cascadedPayload.finalCiphertext;
}

describe('Reassembler: complete messages', () => {
  it('passes an inline message straight through', () => {
    const m = cascadeMessage(bytes(100));
    assert.deepEqual(new Reassembler().push(m), { status: 'complete', message: m });
  });

  it('reassembles header + chunks in order, exactly, and only at the last piece', () => {
    const ct = bytes(3 * CHUNK_SIZE_BYTES + 17);
    const original = cascadeMessage(ct);
    const { header, chunks } = splitMessage(original);
    const r = new Reassembler();
    assert.equal(r.push(header).status, 'pending');
    assert.equal(r.stateOf(header.messageId), 'with-header');
    for (const c of chunks.slice(0, -1)) assert.equal(r.push(c).status, 'pending');
    const done = r.push(chunks.at(-1)!);
    assert.deepEqual(ciphertextOf(done), ct);
    assert.deepEqual((done as { message: MessagePdu }).message, original);
    assert.equal(r.pending, 0);
    assert.equal(r.bufferedBytes, 0);
  });

  it('reassembles from decoded wire frames', () => {
    const ct = bytes(10 * CHUNK_SIZE_BYTES + 1);
    const r = new Reassembler();
    let last: ReassemblyResult | undefined;
    for (const f of encodeMessageFrames(cascadeMessage(ct)))
      last = r.push(decodePdu(f) as MessagePdu | ChunkPdu);
    assert.deepEqual(ciphertextOf(last!), ct);
  });

  it('any arrival order of header and chunks gives the same message, never early', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: CHUNK_SIZE_BYTES + 1, max: 6 * CHUNK_SIZE_BYTES }),
        fc.integer(),
        (n, seed) => {
          const ct = bytes(n, seed);
          const { header, chunks } = splitMessage(cascadeMessage(ct));
          const pieces: (MessagePdu | ChunkPdu)[] = [header, ...chunks];
          return fc.assert(
            fc.property(fc.shuffledSubarray(pieces, { minLength: pieces.length }), (order) => {
              const r = new Reassembler();
              order.forEach((p, i) => {
                const res = r.push(p);
                if (i < order.length - 1) assert.equal(res.status, 'pending');
                else assert.deepEqual(ciphertextOf(res), ct);
              });
            }),
            { numRuns: 5 },
          );
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe('Reassembler: interleaving', () => {
  it('several messages interleaved, with duplicates, each complete once and exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 * CHUNK_SIZE_BYTES }), { minLength: 1, maxLength: 4 }),
        fc.infiniteStream(fc.nat()),
        (sizes, picks) => {
          const originals = sizes.map((n, i) => bytes(n, i));
          const queues = originals.map((ct, i) => {
            const { header, chunks } = splitMessage(cascadeMessage(ct, idOf(i)));
            return [header, ...chunks] as (MessagePdu | ChunkPdu)[];
          });
          const sent = queues.map(() => [] as (MessagePdu | ChunkPdu)[]);
          const r = new Reassembler();
          const done = new Map<string, Uint8Array>();
          const it = picks[Symbol.iterator]();
          while (queues.some((q) => q.length > 0)) {
            const live = queues.map((_, i) => i).filter((i) => queues[i]!.length > 0);
            const k = live[it.next().value! % live.length]!;
            // Re-send a piece already delivered, while the message is still incomplete.
            const replay = it.next().value! % 5 === 0 && sent[k]!.length > 0;
            const p = replay ? sent[k]![it.next().value! % sent[k]!.length]! : queues[k]!.shift()!;
            if (!replay) sent[k]!.push(p);
            try {
              const res = r.push(p);
              if (res.status === 'complete') {
                assert.equal(done.has(res.message.messageId), false);
                done.set(res.message.messageId, ciphertextOf(res)!);
              }
            } catch (e) {
              assert.ok(replay && isProtocolError(e, CHUNK_ERROR.duplicate));
            }
          }
          assert.equal(done.size, originals.length);
          for (const [i, ct] of originals.entries()) assert.deepEqual(done.get(idOf(i)), ct);
          assert.equal(r.pending, 0);
          assert.equal(r.bufferedBytes, 0);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('Reassembler: drops', () => {
  const twoChunks = () => splitMessage(cascadeMessage(bytes(9000)));

  it('drops a duplicate chunk or header and still completes', () => {
    const { header, chunks } = twoChunks();
    const r = new Reassembler();
    r.push(chunks[0]!);
    assert.throws(
      () => r.push({ ...chunks[0]!, data: chunks[0]!.data.slice() }),
      code(CHUNK_ERROR.duplicate),
    );
    r.push(header);
    assert.throws(() => r.push(header), code(CHUNK_ERROR.duplicate));
    assert.ok(ciphertextOf(r.push(chunks[1]!)));
  });

  it('aborts on two different chunks at one index; later pieces are dropped', () => {
    const { header, chunks } = twoChunks();
    const r = new Reassembler();
    r.push(chunks[0]!);
    const forged = { ...chunks[0]!, data: new Uint8Array(CHUNK_SIZE_BYTES) };
    assert.throws(() => r.push(forged), code(CHUNK_ERROR.inconsistent));
    assert.equal(r.pending, 0);
    assert.equal(r.bufferedBytes, 0);
    assert.throws(() => r.push(header), code(CHUNK_ERROR.inconsistent));
    assert.throws(() => r.push(chunks[1]!), code(CHUNK_ERROR.inconsistent));
  });

  it('aborts when chunks disagree on totalChunks', () => {
    const { chunks } = twoChunks();
    const r = new Reassembler();
    r.push(chunks[0]!);
    assert.throws(() => r.push({ ...chunks[1]!, totalChunks: 3 }), code(CHUNK_ERROR.inconsistent));
  });

  it('aborts when the header finalSize disagrees with the chunks', () => {
    const { header, chunks } = twoChunks();
    const wrong = structuredClone(header);
    if (wrong.encryptedMessage.cascaded) wrong.encryptedMessage.cascadedPayload.finalSize = 9001;
    let r = new Reassembler();
    r.push(chunks[1]!);
    assert.throws(() => r.push(wrong), code(CHUNK_ERROR.inconsistent));
    r = new Reassembler();
    r.push(wrong);
    assert.throws(() => r.push(chunks[1]!), code(CHUNK_ERROR.inconsistent));
    r = new Reassembler();
    if (wrong.encryptedMessage.cascaded)
      wrong.encryptedMessage.cascadedPayload.finalSize = 3 * CHUNK_SIZE_BYTES;
    r.push(chunks[0]!);
    assert.throws(() => r.push(wrong), code(CHUNK_ERROR.inconsistent));
  });

  it('checks the announced size before buffering anything', () => {
    const r = new Reassembler();
    const flood: ChunkPdu = {
      type: PDU_TYPE.chunk,
      messageId: idOf(1),
      chunkIndex: 0,
      totalChunks: 4096,
      data: new Uint8Array(CHUNK_SIZE_BYTES),
    };
    assert.throws(() => r.push(flood), code(CHUNK_ERROR.tooLarge));
    assert.equal(r.pending, 0);
    assert.equal(r.bufferedBytes, 0);
    // 2048 chunks = 16 MiB exactly is allowed
    r.push({ ...flood, totalChunks: 2048 });
    assert.equal(r.pending, 1);
  });

  it('caps concurrent reassemblies per peer and frees a slot on completion', () => {
    const r = new Reassembler();
    const splits = Array.from({ length: MAX_CONCURRENT_REASSEMBLIES + 1 }, (_, i) =>
      splitMessage(cascadeMessage(bytes(9000), idOf(i))),
    );
    for (const s of splits.slice(0, -1)) r.push(s.chunks[0]!);
    assert.equal(r.pending, MAX_CONCURRENT_REASSEMBLIES);
    const extra = splits.at(-1)!;
    assert.throws(() => r.push(extra.header), code(CHUNK_ERROR.tooManyReassemblies));
    r.push(splits[0]!.header);
    assert.ok(ciphertextOf(r.push(splits[0]!.chunks[1]!)));
    assert.equal(r.push(extra.header).status, 'pending');
  });

  it('caps the bytes buffered per peer', () => {
    const r = new Reassembler({ maxBufferedBytes: 3 * CHUNK_SIZE_BYTES });
    const a = splitMessage(cascadeMessage(bytes(5 * CHUNK_SIZE_BYTES), idOf(1)));
    r.push(a.chunks[0]!);
    r.push(a.chunks[1]!);
    r.push(a.chunks[2]!);
    assert.throws(() => r.push(a.chunks[3]!), code(CHUNK_ERROR.peerBufferFull));
    assert.equal(r.bufferedBytes, 0);
    assert.equal(r.pending, 0);
  });

  it('times out 120 s after the first piece, however chunks trickle in', () => {
    const c = clock();
    const r = new Reassembler({ now: c.now });
    const { header, chunks } = splitMessage(cascadeMessage(bytes(3 * CHUNK_SIZE_BYTES)));
    r.push(chunks[0]!);
    assert.equal(r.nextDeadline(), c.now() + REASSEMBLY_TIMEOUT_MS);
    c.advance(REASSEMBLY_TIMEOUT_MS - 1);
    r.push(chunks[1]!);
    assert.deepEqual(r.expire(), []);
    c.advance(1);
    assert.deepEqual(r.expire(), [header.messageId]);
    assert.equal(r.pending, 0);
    assert.equal(r.bufferedBytes, 0);
    assert.equal(r.nextDeadline(), undefined);
    assert.throws(() => r.push(chunks[2]!), code(CHUNK_ERROR.timeout));
    assert.throws(() => r.push(header), code(CHUNK_ERROR.timeout));
  });

  it('expires lazily on push as well', () => {
    const c = clock();
    const r = new Reassembler({ now: c.now });
    const { chunks } = splitMessage(cascadeMessage(bytes(9000)));
    r.push(chunks[0]!);
    c.advance(REASSEMBLY_TIMEOUT_MS);
    assert.throws(() => r.push(chunks[1]!), code(CHUNK_ERROR.timeout));
  });

  it('drops a replayed message, inline or chunked, within the replay window', () => {
    const r = new Reassembler({ replayWindow: 3 });
    const inline = cascadeMessage(bytes(10), idOf(100));
    r.push(inline);
    assert.throws(() => r.push(inline), code(CHUNK_ERROR.replay));
    const { header, chunks } = splitMessage(cascadeMessage(bytes(9000), idOf(101)));
    r.push(header);
    r.push(chunks[0]!);
    r.push(chunks[1]!);
    for (const p of [header, chunks[0]!, chunks[1]!])
      assert.throws(() => r.push(p), code(CHUNK_ERROR.replay));
    // the window is bounded: after 3 newer ids the oldest is forgotten
    for (let i = 0; i < 3; i++) r.push(cascadeMessage(bytes(10), idOf(200 + i)));
    assert.equal(r.push(inline).status, 'complete');
  });

  it('refuses an inline message that reuses an id being reassembled', () => {
    const r = new Reassembler();
    const { chunks } = splitMessage(cascadeMessage(bytes(9000), idOf(5)));
    r.push(chunks[0]!);
    assert.throws(() => r.push(cascadeMessage(bytes(10), idOf(5))), code(CHUNK_ERROR.inconsistent));
    assert.equal(r.pending, 0);
  });

  it('survives a chunk flood with bounded memory and no output', () => {
    const r = new Reassembler();
    let refused = 0;
    for (let i = 0; i < 5000; i++) {
      const c: ChunkPdu = {
        type: PDU_TYPE.chunk,
        messageId: idOf(i),
        chunkIndex: 0,
        totalChunks: 2048,
        data: new Uint8Array(CHUNK_SIZE_BYTES),
      };
      try {
        assert.equal(r.push(c).status, 'pending');
      } catch (e) {
        assert.ok(isProtocolError(e, CHUNK_ERROR.tooManyReassemblies));
        refused++;
      }
    }
    assert.equal(r.pending, MAX_CONCURRENT_REASSEMBLIES);
    assert.equal(refused, 5000 - MAX_CONCURRENT_REASSEMBLIES);
    assert.equal(r.bufferedBytes, MAX_CONCURRENT_REASSEMBLIES * CHUNK_SIZE_BYTES);
    r.clear();
    assert.equal(r.pending, 0);
    assert.equal(r.bufferedBytes, 0);
  });
});
