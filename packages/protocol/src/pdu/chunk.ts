/**
 * The `__mls_chunk__` PDU (P5.5, P6.3 step 2): one slice of a chunked message's `finalCiphertext`.
 * Every chunk but the last carries exactly CHUNK_SIZE_BYTES; the last carries 1..CHUNK_SIZE_BYTES.
 * No digest: the ciphertext is authenticated end to end by the cascade's AEAD layers, and the
 * reassembler checks the total against the header's `finalSize` before handing anything on.
 */
import { base64urlDecodedLength, encodeBase64 } from '../base64.js';
import { CHUNK_ERROR, PDU_ERROR } from '../codes.js';
import { ProtocolError } from '../errors.js';
import { CHUNK_SIZE_BYTES, KEY_BYTES, MAX_CHUNKS_PER_MESSAGE, SPEC_VERSION } from '../limits.js';
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

/** A canonical 16-byte id: 22 base64url characters whose last one has its two unused bits zero. */
const CANONICAL_ID = /^[A-Za-z0-9_-]{21}[AQgw]$/;

/**
 * The canonical text of one chunk PDU, byte for byte what encodePdu writes, without its generic
 * path: encodePdu builds an object, runs JSON.stringify over the base64 and then validates its own
 * output with decodePdu, which for a 1 MiB message is most of the sender's work after the cascade.
 * Every field of a chunk is a number, an id or base64, none of which JSON escapes, so the text is a
 * plain concatenation once the fields are checked here (the same rules as the decoder's).
 */
export function encodeChunkText(c: ChunkPdu): string {
  const { messageId, chunkIndex, totalChunks, data } = c;
  const ok =
    typeof messageId === 'string' &&
    CANONICAL_ID.test(messageId) &&
    base64urlDecodedLength(messageId) === KEY_BYTES.id &&
    Number.isSafeInteger(totalChunks) &&
    totalChunks >= 2 &&
    totalChunks <= MAX_CHUNKS_PER_MESSAGE &&
    Number.isSafeInteger(chunkIndex) &&
    chunkIndex >= 0 &&
    chunkIndex < totalChunks &&
    data instanceof Uint8Array &&
    data.length >= 1 &&
    data.length <= CHUNK_SIZE_BYTES &&
    (chunkIndex === totalChunks - 1 || data.length === CHUNK_SIZE_BYTES);
  if (!ok) throw new ProtocolError(PDU_ERROR.badField, '__mls_chunk__: fields out of range');
  return `{"type":"${PDU_TYPE.chunk}","specVersion":"${SPEC_VERSION}","messageId":"${messageId}","chunkIndex":${chunkIndex},"totalChunks":${totalChunks},"data":"${encodeBase64(data)}"}`;
}
