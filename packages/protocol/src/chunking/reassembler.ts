/**
 * Per-peer reassembly of chunked messages and the messageId replay filter (P5.5, P6.3, P8.3–P8.5).
 * Every inbound `message` and `__mls_chunk__` PDU of one peer goes through `push`, which returns a
 * complete message (inline or reassembled) or `pending`, and throws ProtocolError (CHUNK_* or
 * MESSAGE_REPLAYED) for anything to drop. It never returns a partial payload.
 *
 * Each unfinished messageId is an entry in one of two states; the table below is the whole machine:
 *
 *   state            | header arrives                        | chunk arrives
 *   -----------------+---------------------------------------+-------------------------------------
 *   (none)           | → with-header (limits checked)        | → without-header (limits checked)
 *   without-header   | → with-header (totals must agree)     | stays (dup dropped, conflict aborts)
 *   with-header      | dropped as CHUNK_DUPLICATE            | stays, or completes when all present
 *
 * An entry leaves the machine by completing, by timing out REASSEMBLY_TIMEOUT_MS after its first
 * PDU, or by being aborted on an inconsistency or the per-peer byte budget. Its messageId is then
 * remembered (REPLAY_WINDOW_MESSAGE_IDS, oldest forgotten first) so late or replayed PDUs for it
 * are dropped without work. Time comes from an injectable clock; `expire()` and `nextDeadline()`
 * let the owner drive a timer, and `push` expires lazily too.
 */
import { CHUNK_ERROR, type ChunkErrorCode } from '../codes.js';
import { ProtocolError } from '../errors.js';
import {
  CHUNK_SIZE_BYTES,
  MAX_CONCURRENT_REASSEMBLIES,
  MAX_REASSEMBLED_BYTES,
  MAX_REASSEMBLY_BYTES_PER_PEER,
  REASSEMBLY_TIMEOUT_MS,
  REPLAY_WINDOW_MESSAGE_IDS,
} from '../limits.js';
import type { ChunkPdu } from '../pdu/chunk.js';
import type { CascadeEncryptedMessage, MessagePdu } from '../pdu/message.js';
import { PDU_TYPE } from '../pdu/types.js';

export type EntryState = 'without-header' | 'with-header';
type EntryEvent = 'header' | 'chunk';

/** The transition table above, as data: the state an entry moves to on each event. */
export const REASSEMBLY_TRANSITIONS: Readonly<
  Record<EntryState | 'none', Readonly<Record<EntryEvent, EntryState>>>
> = {
  none: { header: 'with-header', chunk: 'without-header' },
  'without-header': { header: 'with-header', chunk: 'without-header' },
  'with-header': { header: 'with-header', chunk: 'with-header' },
};

/** Why a messageId is no longer accepted. */
type Finished = 'completed' | 'expired' | 'aborted';
const FINISHED_CODE: Record<Finished, ChunkErrorCode> = {
  completed: CHUNK_ERROR.replay,
  expired: CHUNK_ERROR.timeout,
  aborted: CHUNK_ERROR.inconsistent,
};

interface Entry {
  state: EntryState;
  deadline: number;
  totalChunks: number;
  header?: MessagePdu & { encryptedMessage: CascadeEncryptedMessage };
  slices: (Uint8Array | undefined)[];
  received: number;
  bytes: number;
}

export interface ReassemblerOptions {
  /** Clock in ms (default Date.now); tests inject their own. */
  now?: () => number;
  timeoutMs?: number;
  maxConcurrent?: number;
  /** Largest reassembled ciphertext. */
  maxMessageBytes?: number;
  /** Total bytes buffered across this peer's unfinished reassemblies. */
  maxBufferedBytes?: number;
  replayWindow?: number;
}

export type ReassemblyResult =
  | { status: 'pending'; messageId: string }
  | { status: 'complete'; message: MessagePdu };

function drop(code: ChunkErrorCode, detail: string): ProtocolError {
  return new ProtocolError(code, detail);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class Reassembler {
  private readonly entries = new Map<string, Entry>();
  private readonly finished = new Map<string, Finished>();
  private buffered = 0;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly maxConcurrent: number;
  private readonly maxMessageBytes: number;
  private readonly maxBufferedBytes: number;
  private readonly replayWindow: number;

  constructor(options: ReassemblerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? REASSEMBLY_TIMEOUT_MS;
    this.maxConcurrent = options.maxConcurrent ?? MAX_CONCURRENT_REASSEMBLIES;
    this.maxMessageBytes = options.maxMessageBytes ?? MAX_REASSEMBLED_BYTES;
    this.maxBufferedBytes = options.maxBufferedBytes ?? MAX_REASSEMBLY_BYTES_PER_PEER;
    this.replayWindow = options.replayWindow ?? REPLAY_WINDOW_MESSAGE_IDS;
  }

  /** Unfinished reassemblies. */
  get pending(): number {
    return this.entries.size;
  }

  /** Ciphertext bytes currently buffered. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** State of an unfinished messageId, for diagnostics and tests. */
  stateOf(messageId: string): EntryState | undefined {
    return this.entries.get(messageId)?.state;
  }

  /** Earliest deadline of an unfinished reassembly, to schedule `expire()`. */
  nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const e of this.entries.values()) if (min === undefined || e.deadline < min) min = e.deadline;
    return min;
  }

  /** Drops every reassembly past its deadline; returns their messageIds. */
  expire(): string[] {
    const t = this.now();
    const gone: string[] = [];
    for (const [id, e] of this.entries) {
      if (t >= e.deadline) {
        this.finish(id, 'expired');
        gone.push(id);
      }
    }
    return gone;
  }

  /** Forgets everything (peer disconnected); the replay window is kept unless `replay` is true. */
  clear(replay = false): void {
    this.entries.clear();
    this.buffered = 0;
    if (replay) this.finished.clear();
  }

  push(pdu: MessagePdu | ChunkPdu): ReassemblyResult {
    this.expire();
    const finished = this.finished.get(pdu.messageId);
    if (finished !== undefined) throw drop(FINISHED_CODE[finished], `messageId already ${finished}`);
    if (pdu.type === PDU_TYPE.chunk) return this.onChunk(pdu);
    const em = pdu.encryptedMessage;
    if (!em.cascaded || em.chunked !== true) {
      if (this.entries.has(pdu.messageId)) {
        this.abort(pdu.messageId);
        throw drop(CHUNK_ERROR.inconsistent, 'inline message reuses a messageId being reassembled');
      }
      this.remember(pdu.messageId, 'completed');
      return { status: 'complete', message: pdu };
    }
    return this.onHeader(pdu as MessagePdu & { encryptedMessage: CascadeEncryptedMessage });
  }

  private onHeader(pdu: MessagePdu & { encryptedMessage: CascadeEncryptedMessage }): ReassemblyResult {
    const id = pdu.messageId;
    const finalSize = pdu.encryptedMessage.cascadedPayload.finalSize;
    const total = Math.ceil(finalSize / CHUNK_SIZE_BYTES);
    let e = this.entries.get(id);
    if (e === undefined) {
      e = this.open(id, total, finalSize);
    } else if (e.state === 'with-header') {
      throw drop(CHUNK_ERROR.duplicate, 'header already received');
    } else if (e.totalChunks !== total || !this.lastSliceFits(e, finalSize)) {
      this.abort(id);
      throw drop(CHUNK_ERROR.inconsistent, 'header disagrees with its chunks');
    }
    e.header = pdu;
    e.state = REASSEMBLY_TRANSITIONS[e.state].header;
    return this.completeIfReady(id, e);
  }

  private onChunk(c: ChunkPdu): ReassemblyResult {
    const id = c.messageId;
    let e = this.entries.get(id);
    if (e === undefined) {
      e = this.open(id, c.totalChunks, c.totalChunks * CHUNK_SIZE_BYTES);
    } else if (e.totalChunks !== c.totalChunks) {
      this.abort(id);
      throw drop(CHUNK_ERROR.inconsistent, 'totalChunks differs between chunks');
    }
    const existing = e.slices[c.chunkIndex];
    if (existing !== undefined) {
      if (bytesEqual(existing, c.data)) throw drop(CHUNK_ERROR.duplicate, 'chunk already received');
      this.abort(id);
      throw drop(CHUNK_ERROR.inconsistent, 'two different chunks at one index');
    }
    if (this.buffered + c.data.length > this.maxBufferedBytes) {
      this.abort(id);
      throw drop(CHUNK_ERROR.peerBufferFull, 'peer reassembly budget exhausted');
    }
    // Copy: the caller's buffer may be reused, and a view would pin the whole decoded frame.
    e.slices[c.chunkIndex] = c.data.slice();
    e.received++;
    e.bytes += c.data.length;
    this.buffered += c.data.length;
    if (
      e.header !== undefined &&
      !this.lastSliceFits(e, e.header.encryptedMessage.cascadedPayload.finalSize)
    ) {
      this.abort(id);
      throw drop(CHUNK_ERROR.inconsistent, 'last chunk disagrees with finalSize');
    }
    e.state = REASSEMBLY_TRANSITIONS[e.state].chunk;
    return this.completeIfReady(id, e);
  }

  /** Limits are checked from the announced totals, before anything is buffered. */
  private open(id: string, totalChunks: number, announcedBytes: number): Entry {
    // Not remembered: a flood of oversized announcements must not push real ids out of the window.
    if (announcedBytes > this.maxMessageBytes) {
      throw drop(CHUNK_ERROR.tooLarge, `message over ${this.maxMessageBytes} bytes`);
    }
    if (this.entries.size >= this.maxConcurrent) {
      throw drop(CHUNK_ERROR.tooManyReassemblies, `more than ${this.maxConcurrent} reassemblies`);
    }
    const e: Entry = {
      state: 'without-header',
      deadline: this.now() + this.timeoutMs,
      totalChunks,
      slices: new Array<Uint8Array | undefined>(totalChunks),
      received: 0,
      bytes: 0,
    };
    this.entries.set(id, e);
    return e;
  }

  /** The last slice, if present, must make the total exactly `finalSize`. */
  private lastSliceFits(e: Entry, finalSize: number): boolean {
    const last = e.slices[e.totalChunks - 1];
    return last === undefined || (e.totalChunks - 1) * CHUNK_SIZE_BYTES + last.length === finalSize;
  }

  private completeIfReady(id: string, e: Entry): ReassemblyResult {
    if (e.header === undefined || e.received < e.totalChunks) return { status: 'pending', messageId: id };
    const h = e.header;
    const out = new Uint8Array(h.encryptedMessage.cascadedPayload.finalSize);
    let offset = 0;
    for (const s of e.slices) {
      out.set(s!, offset);
      offset += s!.length;
    }
    this.finish(id, 'completed');
    const message: MessagePdu = {
      type: PDU_TYPE.message,
      messageId: id,
      encryptedMessage: {
        encrypted: true,
        cascaded: true,
        cascadedPayload: { ...h.encryptedMessage.cascadedPayload, finalCiphertext: out },
      },
    };
    return { status: 'complete', message };
  }

  private abort(id: string): void {
    this.finish(id, 'aborted');
  }

  private finish(id: string, how: Finished): void {
    const e = this.entries.get(id);
    if (e !== undefined) {
      this.buffered -= e.bytes;
      this.entries.delete(id);
    }
    this.remember(id, how);
  }

  private remember(id: string, how: Finished): void {
    this.finished.delete(id);
    this.finished.set(id, how);
    while (this.finished.size > this.replayWindow) {
      const oldest = this.finished.keys().next().value as string;
      this.finished.delete(oldest);
    }
  }
}
