/**
 * peerjs's chunking of large 'binary' messages (peerjs-protocol.md §4.1): the packed bytes are cut
 * into BINARY_CHUNK_BYTES slices, each sent as `{__peerData: <message id>, n, data, total}`, and the
 * receiver joins them by message id once all `total` slices are in. Stock receivers hold chunks
 * without bound; this one bounds the size of a message, the slice size and the number of messages
 * in progress, and drops a message whose chunks contradict each other.
 */
import { BINARY_CHUNK_BYTES, MAX_BINARY_MESSAGE_BYTES, MAX_BINARY_REASSEMBLIES } from '../limits.js';

export interface BinaryChunk {
  __peerData: number;
  n: number;
  data: ArrayBuffer;
  total: number;
}

/** The chunk maps for `packed`, keys in the order peerjs writes them. */
export function chunkMaps(packed: Uint8Array, messageId: number): BinaryChunk[] {
  const total = Math.ceil(packed.length / BINARY_CHUNK_BYTES);
  const out: BinaryChunk[] = [];
  for (let n = 0; n < total; n++) {
    const slice = packed.slice(n * BINARY_CHUNK_BYTES, (n + 1) * BINARY_CHUNK_BYTES);
    out.push({ __peerData: messageId, n, data: slice.buffer, total });
  }
  return out;
}

/** Recognises a chunk map (anything else with a numeric __peerData is malformed). */
export function asChunk(value: unknown): BinaryChunk | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const { __peerData: id, n, data, total } = v;
  if (typeof id !== 'number' || typeof n !== 'number' || typeof total !== 'number') return undefined;
  if (!(data instanceof ArrayBuffer)) return undefined;
  if (!Number.isSafeInteger(id) || !Number.isSafeInteger(n) || !Number.isSafeInteger(total)) return undefined;
  return { __peerData: id, n, data, total };
}

const MAX_CHUNKS = Math.ceil(MAX_BINARY_MESSAGE_BYTES / BINARY_CHUNK_BYTES);

interface Pending {
  total: number;
  parts: (Uint8Array | undefined)[];
  received: number;
  bytes: number;
}

export type ChunkOutcome =
  | { kind: 'partial' }
  | { kind: 'complete'; packed: Uint8Array }
  | { kind: 'invalid' };

export class BinaryReassembler {
  readonly #pending = new Map<number, Pending>();

  accept(chunk: BinaryChunk): ChunkOutcome {
    const { __peerData: id, n, total } = chunk;
    const data = new Uint8Array(chunk.data);
    if (total < 1 || total > MAX_CHUNKS || n < 0 || n >= total || data.length > BINARY_CHUNK_BYTES) {
      this.#pending.delete(id);
      return { kind: 'invalid' };
    }
    let p = this.#pending.get(id);
    if (!p) {
      if (this.#pending.size >= MAX_BINARY_REASSEMBLIES) return { kind: 'invalid' };
      p = { total, parts: new Array(total), received: 0, bytes: 0 };
      this.#pending.set(id, p);
    }
    if (p.total !== total) {
      this.#pending.delete(id);
      return { kind: 'invalid' };
    }
    if (p.parts[n] !== undefined) return { kind: 'partial' }; // a duplicate slice changes nothing
    p.parts[n] = data;
    p.received++;
    p.bytes += data.length;
    if (p.received < p.total) return { kind: 'partial' };
    this.#pending.delete(id);
    const packed = new Uint8Array(p.bytes);
    let at = 0;
    for (const part of p.parts) {
      packed.set(part as Uint8Array, at);
      at += (part as Uint8Array).length;
    }
    return { kind: 'complete', packed };
  }

  get inProgress(): number {
    return this.#pending.size;
  }
}
