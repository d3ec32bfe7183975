/**
 * File transfers. By default through the secure session (every chunk sealed by the cascade). The
 * fast path (ch. 6.4.2) is an explicit per-transfer choice: chunks go over a separate data channel
 * protected by DTLS only, while the offer, with the file's SHA-256, still goes through the secure
 * session, so the receiver accepts fast-path bytes only for an offer it got encrypted, and the hash
 * still catches any change of content.
 */
import {
  type ChunkFrame,
  type ControlFrame,
  decodeFrame,
  encodeChunk,
  FILE_CHUNK_BYTES,
  FileAssembly,
  MAX_FILE_BYTES,
  MAX_FILE_NAME_CHARS,
  MAX_INCOMING_TRANSFERS,
  randomId,
  sha256Hex,
} from '@enkrypted/chat';
import type { DataConnection } from '@enkrypted/peer';
import { WEB_ERROR, WebError } from '../logic/errors.js';
import type { ChatMessage, FileInfo } from '../logic/model.js';
import type { Repo } from '../store/repo.js';
import type { AppState, Observable, TransferView } from './state.js';

/** Image types previewed inline. SVG is excluded: it is a document that can carry script. */
const PREVIEW_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
/** Progress updates at most this often per transfer, so a fast transfer does not flood the UI. */
const PROGRESS_INTERVAL_MS = 100;
/** How long the fast-path sender waits for the receiver to close the channel after the last byte. */
const FAST_PATH_LINGER_MS = 30_000;
/**
 * A fast-path channel comes through the broker and may arrive before its offer, which is still
 * being opened by the secure session: it is held this long for the offer, then closed.
 */
const FAST_PATH_OFFER_WAIT_MS = 10_000;
/** Data a held fast-path channel may carry before its offer: 32 chunks, then it is closed. */
const MAX_EARLY_FAST_PATH_BYTES = 32 * FILE_CHUNK_BYTES;

export interface TransferDeps {
  repo: Repo;
  state: Observable<AppState>;
  sendControl(contactId: string, frame: ControlFrame): Promise<void>;
  sendChunkFrame(contactId: string, bytes: Uint8Array): Promise<void>;
  openFastPath(contactId: string, transferId: string): Promise<DataConnection>;
  receipt(contactId: string, msgId: string): Promise<void>;
  saveMessage(m: ChatMessage): Promise<void>;
  notify(text: string, kind: 'info' | 'error'): void;
}

/** A fast-path channel waiting for its offer, with what it carried meanwhile. */
interface EarlyFastPath {
  conn: DataConnection;
  frames: Array<Uint8Array | string>;
  bytes: number;
  timer: ReturnType<typeof setTimeout>;
}

interface Incoming {
  contactId: string;
  assembly: FileAssembly;
  fastPath: boolean;
  lastUpdate: number;
}

export function canPreview(mime: string): boolean {
  return PREVIEW_TYPES.has(mime);
}

export class Transfers {
  readonly #d: TransferDeps;
  readonly #incoming = new Map<string, Incoming>();
  readonly #cancelled = new Set<string>();
  readonly #urls = new Map<string, string>();
  readonly #early = new Map<string, EarlyFastPath>();

  constructor(deps: TransferDeps) {
    this.#d = deps;
  }

  reset(): void {
    for (const url of this.#urls.values()) URL.revokeObjectURL(url);
    this.#urls.clear();
    this.#incoming.clear();
    for (const e of this.#early.values()) {
      clearTimeout(e.timer);
      void e.conn.close();
    }
    this.#early.clear();
  }

  async send(contactId: string, file: File, fastPath: boolean): Promise<void> {
    if (file.size > MAX_FILE_BYTES) {
      throw new WebError(WEB_ERROR.tooLarge, `Files are limited to ${MAX_FILE_BYTES / (1024 * 1024)} MiB.`);
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const id = randomId();
    const info: FileInfo = {
      transferId: id,
      name: [...(file.name || 'file')].slice(0, MAX_FILE_NAME_CHARS).join(''),
      size: bytes.length,
      mime: (file.type || 'application/octet-stream').slice(0, 127),
      sha256: await sha256Hex(bytes),
      fastPath,
      state: 'transferring',
    };
    const now = Date.now();
    const msg: ChatMessage = {
      id,
      contactId,
      direction: 'out',
      text: '',
      file: info,
      sentAt: now,
      receivedAt: now,
      status: 'queued',
    };
    await this.#d.saveMessage(msg);
    await this.#d.repo.putFile(id, bytes);
    this.#view({ ...viewOf(contactId, 'out', info), done: 0 });
    try {
      await this.#d.sendControl(contactId, {
        t: 'file-offer',
        id,
        name: info.name,
        size: info.size,
        mime: info.mime,
        sha256: info.sha256,
        fastPath,
        sentAt: now,
      });
      await this.#d.saveMessage({ ...msg, status: 'sent' });
      const fast = fastPath ? await this.#d.openFastPath(contactId, id) : undefined;
      let last = 0;
      for (let off = 0; off < bytes.length; off += FILE_CHUNK_BYTES) {
        if (this.#cancelled.has(id)) throw new WebError(WEB_ERROR.transferFailed, 'cancelled');
        const frame = encodeChunk({
          transferId: id,
          offset: off,
          data: bytes.subarray(off, off + FILE_CHUNK_BYTES),
        });
        if (fast) await fast.send(frame);
        else await this.#d.sendChunkFrame(contactId, frame);
        const done = Math.min(bytes.length, off + FILE_CHUNK_BYTES);
        if (Date.now() - last > PROGRESS_INTERVAL_MS || done === bytes.length) {
          last = Date.now();
          this.#progress(id, done);
        }
      }
      if (fast) {
        const timer = setTimeout(() => void fast.close(), FAST_PATH_LINGER_MS);
        fast.on('close', () => clearTimeout(timer));
      }
      this.#finish(id, 'done');
      await this.#setFileState(contactId, id, 'done');
    } catch (err) {
      const cancelled = this.#cancelled.has(id);
      this.#finish(id, cancelled ? 'cancelled' : 'failed', cancelled ? undefined : (err as Error).message);
      await this.#setFileState(contactId, id, cancelled ? 'cancelled' : 'failed');
      if (cancelled) void this.#d.sendControl(contactId, { t: 'file-cancel', id }).catch(() => undefined);
    }
  }

  cancel(id: string): void {
    const view = this.#d.state.value.transfers[id];
    if (view?.state !== 'transferring') return;
    if (view.direction === 'out') {
      this.#cancelled.add(id);
      return;
    }
    this.#incoming.delete(id);
    this.#finish(id, 'cancelled');
    void this.#setFileState(view.contactId, id, 'cancelled');
    void this.#d.sendControl(view.contactId, { t: 'file-cancel', id }).catch(() => undefined);
  }

  onOffer(contactId: string, f: Extract<ControlFrame, { t: 'file-offer' }>): void {
    const known = (this.#d.state.value.messages[contactId] ?? []).some((m) => m.id === f.id);
    if (known) return;
    const mine = [...this.#incoming.values()].filter((t) => t.contactId === contactId).length;
    if (mine >= MAX_INCOMING_TRANSFERS) {
      void this.#d.sendControl(contactId, { t: 'file-cancel', id: f.id }).catch(() => undefined);
      this.#d.notify('Refused a file: too many transfers at once.', 'error');
      return;
    }
    const info: FileInfo = {
      transferId: f.id,
      name: f.name,
      size: f.size,
      mime: f.mime,
      sha256: f.sha256,
      fastPath: f.fastPath,
      state: 'transferring',
    };
    this.#incoming.set(f.id, {
      contactId,
      assembly: new FileAssembly(f.size, f.sha256),
      fastPath: f.fastPath,
      lastUpdate: 0,
    });
    void this.#d.saveMessage({
      id: f.id,
      contactId,
      direction: 'in',
      text: '',
      file: info,
      sentAt: f.sentAt,
      receivedAt: Date.now(),
      read: this.#d.state.value.activeContact === contactId,
    });
    this.#view({ ...viewOf(contactId, 'in', info), done: 0 });
    this.#claimEarly(f.id);
    if (f.size === 0) void this.#complete(f.id);
  }

  onCancel(contactId: string, id: string): void {
    const view = this.#d.state.value.transfers[id];
    if (!view || view.contactId !== contactId || view.state !== 'transferring') return;
    if (view.direction === 'out') this.#cancelled.add(id);
    else {
      this.#incoming.delete(id);
      this.#finish(id, 'cancelled');
      void this.#setFileState(contactId, id, 'cancelled');
    }
  }

  /** A chunk from the secure session (fast = false) or a fast-path channel (fast = true). */
  onChunk(contactId: string, chunk: ChunkFrame, fast: boolean): void {
    const t = this.#incoming.get(chunk.transferId);
    if (!t || t.contactId !== contactId || t.fastPath !== fast) {
      this.#d.notify('Dropped file data that matches no transfer.', 'error');
      return;
    }
    try {
      t.assembly.add(chunk.offset, chunk.data);
    } catch (err) {
      this.#fail(chunk.transferId, t, (err as Error).message);
      return;
    }
    const now = Date.now();
    if (now - t.lastUpdate > PROGRESS_INTERVAL_MS || t.assembly.complete) {
      t.lastUpdate = now;
      this.#progress(chunk.transferId, t.assembly.received);
    }
    if (t.assembly.complete) void this.#complete(chunk.transferId);
  }

  acceptFastPath(conn: DataConnection, transferId: string): void {
    if (this.#incoming.has(transferId)) {
      this.#attachFast(conn, transferId);
      return;
    }
    if (this.#early.has(transferId) || this.#early.size >= MAX_INCOMING_TRANSFERS) {
      void conn.close();
      return;
    }
    // Its offer is still on the way: hold the channel, and what it carries, for a while.
    const early: EarlyFastPath = {
      conn,
      frames: [],
      bytes: 0,
      timer: setTimeout(() => {
        if (this.#early.get(transferId) !== early) return;
        this.#early.delete(transferId);
        void conn.close();
      }, FAST_PATH_OFFER_WAIT_MS),
    };
    this.#early.set(transferId, early);
    conn.on('data', (value) => {
      if (this.#early.get(transferId) !== early) return;
      const data = fastPathData(value);
      early.frames.push(data);
      early.bytes += typeof data === 'string' ? data.length : data.byteLength;
      if (early.bytes > MAX_EARLY_FAST_PATH_BYTES) {
        clearTimeout(early.timer);
        this.#early.delete(transferId);
        void conn.close();
      }
    });
  }

  /** The offer of a held fast-path channel arrived: the channel carries its chunks from now on. */
  #claimEarly(transferId: string): void {
    const early = this.#early.get(transferId);
    if (!early) return;
    this.#early.delete(transferId);
    clearTimeout(early.timer);
    if (this.#attachFast(early.conn, transferId))
      for (const data of early.frames) this.#onFastData(early.conn, transferId, data);
  }

  /** Accepts a fast-path channel for a known offer; false (channel closed) when it does not match. */
  #attachFast(conn: DataConnection, transferId: string): boolean {
    const t = this.#incoming.get(transferId);
    if (!t?.fastPath || t.contactId !== conn.remoteId) {
      void conn.close();
      return false;
    }
    conn.on('data', (value) => this.#onFastData(conn, transferId, fastPathData(value)));
    return true;
  }

  #onFastData(conn: DataConnection, transferId: string, data: Uint8Array | string): void {
    const t = this.#incoming.get(transferId);
    if (!t) return; // finished, failed or cancelled: the channel is being closed
    try {
      const frame = decodeFrame(data);
      if (frame.kind !== 'chunk' || frame.chunk.transferId !== transferId)
        throw new Error('unexpected frame');
      this.onChunk(conn.remoteId, frame.chunk, true);
      if (!this.#incoming.has(transferId)) void conn.close();
    } catch {
      this.#fail(transferId, t, 'The fast-path channel carried something else than file data.');
      void conn.close();
    }
  }

  sessionClosed(contactId: string): void {
    for (const [id, t] of this.#incoming)
      if (t.contactId === contactId) this.#fail(id, t, 'The connection closed.');
  }

  /** The contact is being removed: stop its transfers and release its files' blob URLs. */
  forget(contactId: string): void {
    for (const [id, t] of this.#incoming) if (t.contactId === contactId) this.#incoming.delete(id);
    for (const m of this.#d.state.value.messages[contactId] ?? []) {
      const view = this.#d.state.value.transfers[m.id];
      if (view?.direction === 'out' && view.state === 'transferring') this.#cancelled.add(m.id);
      const url = this.#urls.get(m.id);
      if (url) URL.revokeObjectURL(url);
      this.#urls.delete(m.id);
    }
  }

  /** Blob URL of a stored file (typed for preview only for safe image types). */
  async url(id: string): Promise<string | undefined> {
    const cached = this.#urls.get(id);
    if (cached) return cached;
    const msg = Object.values(this.#d.state.value.messages)
      .flat()
      .find((m) => m.id === id);
    if (!msg?.file) return undefined;
    const bytes = await this.#d.repo.getFile(id);
    if (!bytes) return undefined;
    const type = canPreview(msg.file.mime) ? msg.file.mime : 'application/octet-stream';
    const url = URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type }));
    this.#urls.set(id, url);
    return url;
  }

  async #complete(id: string): Promise<void> {
    const t = this.#incoming.get(id);
    if (!t) return;
    this.#incoming.delete(id);
    try {
      const bytes = await t.assembly.finish();
      await this.#d.repo.putFile(id, bytes);
      this.#finish(id, 'done');
      await this.#setFileState(t.contactId, id, 'done');
      void this.#d.receipt(t.contactId, id);
    } catch (err) {
      this.#fail(id, t, (err as Error).message);
    }
  }

  #fail(id: string, t: Incoming, why: string): void {
    this.#incoming.delete(id);
    this.#finish(id, 'failed', why);
    void this.#setFileState(t.contactId, id, 'failed');
    void this.#d.sendControl(t.contactId, { t: 'file-cancel', id }).catch(() => undefined);
  }

  async #setFileState(contactId: string, id: string, state: FileInfo['state']): Promise<void> {
    const m = (this.#d.state.value.messages[contactId] ?? []).find((x) => x.id === id);
    if (m?.file) await this.#d.saveMessage({ ...m, file: { ...m.file, state } });
  }

  #view(v: TransferView): void {
    this.#d.state.update((s) => ({ ...s, transfers: { ...s.transfers, [v.id]: v } }));
  }

  #progress(id: string, done: number): void {
    const v = this.#d.state.value.transfers[id];
    if (v) this.#view({ ...v, done });
  }

  #finish(id: string, state: TransferView['state'], error?: string): void {
    const v = this.#d.state.value.transfers[id];
    if (v) this.#view({ ...v, state, error });
    this.#cancelled.delete(id);
  }
}

function fastPathData(value: unknown): Uint8Array | string {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : (value as Uint8Array | string);
}

function viewOf(contactId: string, direction: 'in' | 'out', info: FileInfo): Omit<TransferView, 'done'> {
  return {
    id: info.transferId,
    contactId,
    direction,
    name: info.name,
    size: info.size,
    mime: info.mime,
    fastPath: info.fastPath,
    state: 'transferring',
  };
}
