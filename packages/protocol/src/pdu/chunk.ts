/**
 * The `__mls_chunk__` PDU (P5.5, P6.3 step 2): one slice of a chunked message's `finalCiphertext`.
 * Every chunk but the last carries exactly CHUNK_SIZE_BYTES; the last carries 1..CHUNK_SIZE_BYTES.
 * No digest: the ciphertext is authenticated end to end by the cascade's AEAD layers, and the
 * reassembler checks the total against the header's `finalSize` before handing anything on.
 */
import { CHUNK_ERROR } from '../codes.js';
import { ProtocolError } from '../errors.js';
import { CHUNK_SIZE_BYTES, MAX_CHUNKS_PER_MESSAGE } from '../limits.js';
import { b64, bad } from './fields.js';
import { PDU_TYPE, type PduCodec } from './types.js';

export interface ChunkPdu {
  type: typeof PDU_TYPE.chunk;
  /** The `messageId` of the chunked `message` PDU this slice belongs to. */
  messageId: string;
  /** 0-based position of this slice. */
  chunkIndex: number;
  /** Number of slices of the message, 2..MAX_CHUNKS_PER_MESSAGE; the same in every chunk. */
  totalChunks: number;
  /** The slice, 1..CHUNK_SIZE_BYTES bytes. */
  data: Uint8Array;
}

export const chunk: PduCodec<ChunkPdu> = {
  fields: ['messageId', 'chunkIndex', 'totalChunks', 'data'],
  decode: (r) => {
    const messageId = r.id('messageId');
    // Limits before structure: a flood announcing a huge count gets its own code.
    const total = r.raw('totalChunks');
    if (typeof total === 'number' && Number.isSafeInteger(total) && total > MAX_CHUNKS_PER_MESSAGE) {
      throw new ProtocolError(CHUNK_ERROR.tooManyChunks, `totalChunks above ${MAX_CHUNKS_PER_MESSAGE}`);
    }
    const totalChunks = r.uint('totalChunks', MAX_CHUNKS_PER_MESSAGE, 2);
    const chunkIndex = r.uint('chunkIndex', totalChunks - 1);
    const data = r.bytes('data', { min: 1, max: CHUNK_SIZE_BYTES });
    if (chunkIndex < totalChunks - 1 && data.length !== CHUNK_SIZE_BYTES) {
      throw bad('__mls_chunk__.data', `every chunk but the last is ${CHUNK_SIZE_BYTES} bytes`);
    }
    return { type: PDU_TYPE.chunk, messageId, chunkIndex, totalChunks, data };
  },
  toWire: (p) => ({
    messageId: p.messageId,
    chunkIndex: p.chunkIndex,
    totalChunks: p.totalChunks,
    data: b64(p.data, 'data'),
  }),
};
