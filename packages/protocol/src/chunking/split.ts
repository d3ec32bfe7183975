/**
 * Splitting a `message` whose ciphertext is over one chunk into a header `message` plus
 * `__mls_chunk__` PDUs (P5.5, P6.2 step 4.4). Pure; slices are views into the original ciphertext.
 */
import { CHUNK_ERROR } from '../codes.js';
import { ProtocolError } from '../errors.js';
import { CHUNK_SIZE_BYTES, MAX_CHUNKS_PER_MESSAGE, MAX_REASSEMBLED_BYTES } from '../limits.js';
import { type ChunkPdu, encodeChunkText } from '../pdu/chunk.js';
import { encodePdu } from '../pdu/codec.js';
import type { CascadedPayload, MessagePdu } from '../pdu/message.js';
import { PDU_TYPE } from '../pdu/types.js';

/**
 * Number of `__mls_chunk__` PDUs a ciphertext of `byteLength` bytes travels in: 0 when it fits one
 * chunk (sent inline), otherwise ceil(byteLength / CHUNK_SIZE_BYTES). Vector V7: 9000 → 2.
 */
export function chunkCount(byteLength: number): number {
  if (!Number.isSafeInteger(byteLength) || byteLength < 0) throw new RangeError('byteLength');
  return byteLength <= CHUNK_SIZE_BYTES ? 0 : Math.ceil(byteLength / CHUNK_SIZE_BYTES);
}

export interface SplitMessage {
  /** The `message` to send first: inline when `chunks` is empty, else `chunked: true` without ciphertext. */
  header: MessagePdu;
  chunks: ChunkPdu[];
}

/**
 * Splits a cascade `message` with an inline `finalCiphertext`. Messages that fit one chunk and
 * MLS-only messages come back unchanged with no chunks. Throws CHUNK_NOT_CHUNKABLE for a message
 * that is already chunked and CHUNK_MESSAGE_TOO_LARGE above MAX_REASSEMBLED_BYTES.
 */
export function splitMessage(msg: MessagePdu): SplitMessage {
  const em = msg.encryptedMessage;
  if (!em.cascaded) return { header: msg, chunks: [] };
  const ct = em.cascadedPayload.finalCiphertext;
  if (ct === undefined || em.chunked === true) {
    throw new ProtocolError(CHUNK_ERROR.notChunkable, 'message has no inline ciphertext to split');
  }
  const total = chunkCount(ct.length);
  if (total === 0) return { header: msg, chunks: [] };
  if (ct.length > MAX_REASSEMBLED_BYTES || total > MAX_CHUNKS_PER_MESSAGE) {
    throw new ProtocolError(CHUNK_ERROR.tooLarge, `ciphertext over ${MAX_REASSEMBLED_BYTES} bytes`);
  }
  const { finalCiphertext: _, ...payload } = em.cascadedPayload satisfies CascadedPayload;
  const header: MessagePdu = {
    type: PDU_TYPE.message,
    messageId: msg.messageId,
    encryptedMessage: { encrypted: true, cascaded: true, cascadedPayload: payload, chunked: true },
  };
  const chunks: ChunkPdu[] = new Array(total);
  for (let i = 0; i < total; i++) {
    chunks[i] = {
      type: PDU_TYPE.chunk,
      messageId: msg.messageId,
      chunkIndex: i,
      totalChunks: total,
      data: ct.subarray(i * CHUNK_SIZE_BYTES, Math.min(ct.length, (i + 1) * CHUNK_SIZE_BYTES)),
    };
  }
  return { header, chunks };
}

/**
 * The data-channel frames of a message in send order: the header (through encodePdu, which
 * validates it, its messageId included), then chunks by index through the chunk fast path.
 */
export function encodeMessageFrames(msg: MessagePdu): string[] {
  const { header, chunks } = splitMessage(msg);
  const frames = [encodePdu(header)];
  for (const c of chunks) frames.push(encodeChunkText(c));
  return frames;
}
