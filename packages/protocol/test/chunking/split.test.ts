import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CHUNK_ERROR,
  CHUNK_SIZE_BYTES,
  type ChunkPdu,
  chunkCount,
  decodePdu,
  encodeChunkText,
  encodeMessageFrames,
  encodePdu,
  isProtocolError,
  PDU_ERROR,
  PDU_TYPE,
  splitMessage,
} from '../../src/index.js';
import { pduArbitraries } from '../pdu/arbitraries.js';
import { bytes, cascadeMessage } from './helpers.js';

describe('chunkCount', () => {
  it('is 0 up to one chunk, then ceil(n / 8192)', () => {
    assert.equal(chunkCount(0), 0);
    assert.equal(chunkCount(CHUNK_SIZE_BYTES), 0);
    assert.equal(chunkCount(CHUNK_SIZE_BYTES + 1), 2);
    assert.equal(chunkCount(9000), 2);
    assert.equal(chunkCount(2 * CHUNK_SIZE_BYTES), 2);
    assert.equal(chunkCount(2 * CHUNK_SIZE_BYTES + 1), 3);
    assert.throws(() => chunkCount(-1), RangeError);
  });
});

describe('splitMessage', () => {
  it('leaves a message of at most one chunk unchanged', () => {
    const m = cascadeMessage(bytes(CHUNK_SIZE_BYTES));
    assert.deepEqual(splitMessage(m), { header: m, chunks: [] });
  });
  it('splits 9000 bytes into 8192 + 808 behind a chunked header', () => {
    const ct = bytes(9000);
    const { header, chunks } = splitMessage(cascadeMessage(ct));
    assert.ok(header.encryptedMessage.cascaded);
    assert.equal(header.encryptedMessage.chunked, true);
    assert.equal(header.encryptedMessage.cascadedPayload.finalCiphertext, undefined);
    assert.equal(header.encryptedMessage.cascadedPayload.finalSize, 9000);
    assert.deepEqual(
      chunks.map((c) => [c.chunkIndex, c.totalChunks, c.data.length]),
      [
        [0, 2, 8192],
        [1, 2, 808],
      ],
    );
    const joined = new Uint8Array(9000);
    joined.set(chunks[0]!.data, 0);
    joined.set(chunks[1]!.data, 8192);
    assert.deepEqual(joined, ct);
  });
  it('produces frames that all decode, header first', () => {
    const frames = encodeMessageFrames(cascadeMessage(bytes(3 * CHUNK_SIZE_BYTES + 5)));
    assert.equal(frames.length, 5);
    const pdus = frames.map((f) => decodePdu(f));
    assert.equal(pdus[0]!.type, PDU_TYPE.message);
    assert.deepEqual(
      pdus.slice(1).map((p) => (p as ChunkPdu).chunkIndex),
      [0, 1, 2, 3],
    );
  });
  it('refuses an already chunked message', () => {
    const { header } = splitMessage(cascadeMessage(bytes(9000)));
    assert.throws(
      () => splitMessage(header),
      (e: unknown) => isProtocolError(e, CHUNK_ERROR.notChunkable),
    );
  });
});

describe('encodeChunkText (the chunk fast path)', () => {
  it('writes exactly what encodePdu writes, for any valid chunk', () => {
    fc.assert(
      fc.property(pduArbitraries[PDU_TYPE.chunk] as fc.Arbitrary<ChunkPdu>, (c) => {
        assert.equal(encodeChunkText(c), encodePdu(c));
      }),
      { numRuns: 200 },
    );
  });
  it('refuses what the decoder would refuse, with PDU_BAD_FIELD', () => {
    const ok: ChunkPdu = {
      type: PDU_TYPE.chunk,
      messageId: 'AAECAwQFBgcICQoLDA0ODw',
      chunkIndex: 1,
      totalChunks: 2,
      data: bytes(10),
    };
    assert.equal(decodePdu(encodeChunkText(ok)).type, PDU_TYPE.chunk);
    for (const bad of [
      { messageId: 'AAECAwQFBgcICQoLDA0ODx' }, // unused bits set
      { messageId: 'AAECAwQFBgcICQoLDA0OD"' },
      { messageId: 'short' },
      { chunkIndex: 2 },
      { chunkIndex: -1 },
      { chunkIndex: 0 }, // not last, so it must be a full chunk
      { totalChunks: 1, chunkIndex: 0 },
      { totalChunks: 4097 },
      { data: new Uint8Array(0) },
      { data: bytes(CHUNK_SIZE_BYTES + 1) },
      { data: [1, 2, 3] },
    ]) {
      assert.throws(
        () => encodeChunkText({ ...ok, ...bad } as ChunkPdu),
        (e) => isProtocolError(e, PDU_ERROR.badField),
        JSON.stringify(bad),
      );
    }
  });
});
