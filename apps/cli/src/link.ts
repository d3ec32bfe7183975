/**
 * One chat with one contact over the broker: dials (and accepts the contact's own dial, with the
 * web app's tie-break), runs the cascade handshake with our identity and the TOFU pins, and speaks
 * the web app's frames (@enkrypted/chat) inside the secure session: hello, messages with delivered
 * and read receipts, typing, and files (offer, chunks, cancel; delivered receipt on arrival).
 */
import { mkdir, open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  type ChunkFrame,
  type ControlFrame,
  decodeFrame,
  encodeChunk,
  encodeControl,
  FILE_CHUNK_BYTES,
  FileAssembly,
  MAX_FILE_BYTES,
  MAX_FILE_NAME_CHARS,
  MAX_INCOMING_TRANSFERS,
  MAX_TEXT_CHARS,
  type MessageStatus,
  nextStatus,
  randomId,
  sha256Hex,
  TYPING_SEND_INTERVAL_MS,
} from '@enkrypted/chat';
import {
  type ContactPins,
  computeSafetyNumber,
  type IdentityKeyPair,
  type PublicIdentity,
  publicIdentityToJson,
} from '@enkrypted/crypto';
import {
  cascadeHandshake,
  type DataConnection,
  handshakeFailureCode,
  isIdentityKeyChanged,
  isPeerError,
  PEER_ERROR,
  type Peer,
  Session,
  type SessionOptions,
} from '@enkrypted/peer';
import { CLI_ERROR, CliError } from './errors.js';
import type { Home } from './home.js';
import { type Reporter, stateLabel } from './output.js';

/** After the last fast-path chunk, how long the channel stays open for the receiver to read it all. */
const FAST_PATH_LINGER_MS = 30_000;
/** Progress lines per transfer are rate-limited to this period (plus one at 100 %). */
const PROGRESS_INTERVAL_MS = 250;
/**
 * With --wait, redials after a failed or closed session back off from 1 s to at most 5 s: a broker
 * holds an OFFER for an id that is not registered yet for its expire timeout (5 s by default), so a
 * contact coming online is reached within about one hold plus one pause; one contact per process
 * keeps that cheap.
 */
const REDIAL_MIN_MS = 1_000;
const REDIAL_MAX_MS = 5_000;

export interface LinkOptions {
  peer: Peer;
  ownId: string;
  remoteId: string;
  identity: IdentityKeyPair;
  pins: ContactPins;
  home: Home;
  reporter: Reporter;
  /** Our display name in the hello. */
  name: string;
  /**
   * Keep waiting for the contact instead of failing fast: listen for its dial and dial it too when
   * this side is the one to dial (the lower id, as in the web app, or with messages queued), again
   * after each failure or close, until the command ends.
   */
  wait: boolean;
  /** Folder where received files are written. */
  downloads: string;
  /** A fatal condition: the command reports it and ends. */
  onFatal(err: CliError): void;
  /** The contact closed the chat (after it had been ready). */
  onRemoteClosed(): void;
}

interface Outgoing {
  id: string;
  frame: ControlFrame;
  status: MessageStatus;
}

interface Incoming {
  name: string;
  assembly: FileAssembly;
  lastProgress: number;
}

export class ChatLink {
  readonly #o: LinkOptions;
  #session: Session | undefined;
  #remoteIdentity: PublicIdentity | undefined;
  /** The display name from the contact's hello (printed with its messages). */
  #remoteName: string | undefined;
  #ready = false;
  #closing = false;
  #queue: Outgoing[] = [];
  #flushing = false;
  readonly #outgoing = new Map<string, Outgoing>();
  readonly #seen = new Set<string>();
  readonly #incoming = new Map<string, Incoming>();
  readonly #statusWaiters = new Set<() => void>();
  readonly #readyWaiters = new Set<() => void>();
  #redialTimer: ReturnType<typeof setTimeout> | undefined;
  #redialDelay = 0;
  /** When "typing" was last announced (0: not typing), for the web app's rate limit. */
  #lastTypingSent = 0;

  constructor(options: LinkOptions) {
    this.#o = options;
  }

  get ready(): boolean {
    return this.#ready;
  }

  start(): void {
    this.#o.peer.on('connection', (conn) => this.#onIncoming(conn));
    // Waiting, the side the web app's rule makes dial does so (a broker holds the OFFER until the
    // contact registers or the offer expires, then the redial loop tries again); the other listens.
    if (!this.#o.wait || this.#shouldDial()) this.#dial();
  }

  /** Resolves once the session is Ready (or never: fatal errors end the command instead). */
  whenReady(): Promise<void> {
    if (this.#ready) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#readyWaiters.delete(done);
        resolve();
      };
      this.#readyWaiters.add(done);
    });
  }

  /** Queues a text message; it is sent (in order) as soon as the session is Ready. */
  sendText(text: string): string {
    if ([...text].length > MAX_TEXT_CHARS) {
      throw new CliError(CLI_ERROR.usage, `Messages are limited to ${MAX_TEXT_CHARS} characters.`);
    }
    const id = randomId();
    const sentAt = Date.now();
    const out: Outgoing = { id, frame: { t: 'msg', id, text, sentAt }, status: 'queued' };
    this.#outgoing.set(id, out);
    this.#queue.push(out);
    this.#lastTypingSent = 0; // the message ends the typing; the receiver clears its indicator

    // Waiting on a contact that is meant to dial us: a queued message makes us dial it (as the web app).
    if (this.#o.wait && !this.#session) this.#dial();
    void this.#flush();
    return id;
  }

  /**
   * Announces that a message is being typed (`on`) or abandoned, at most every
   * TYPING_SEND_INTERVAL_MS while typing, and only on a Ready session (as the web app).
   */
  typing(on: boolean): void {
    if (!this.#ready) return;
    const now = Date.now();
    if (on && now - this.#lastTypingSent < TYPING_SEND_INTERVAL_MS) return;
    if (!on && this.#lastTypingSent === 0) return;
    this.#lastTypingSent = on ? now : 0;
    void this.#sendControl({ t: 'typing', on }).catch(() => undefined);
  }

  /**
   * Sends a file; resolves (with the transfer id) once the peer confirmed its arrival. The offer
   * (name, size, SHA-256) always goes through the secure session. With `fastPath`, the chunks go
   * over a separate data channel protected by DTLS only (the web app's fast path, ch. 6.4.2): the
   * caller warns the user first.
   */
  async sendFile(name: string, bytes: Uint8Array, fastPath = false): Promise<string> {
    if (bytes.length > MAX_FILE_BYTES) {
      throw new CliError(
        CLI_ERROR.fileUnreadable,
        `Files are limited to ${MAX_FILE_BYTES / 1024 / 1024} MiB.`,
      );
    }
    const id = randomId();
    const sha256 = await sha256Hex(bytes);
    await this.whenReady();
    const session = this.#requireSession();
    const out: Outgoing = {
      id,
      status: 'queued',
      frame: {
        t: 'file-offer',
        id,
        name: [...name].slice(0, MAX_FILE_NAME_CHARS).join('') || 'file',
        size: bytes.length,
        mime: 'application/octet-stream',
        sha256,
        fastPath,
        sentAt: Date.now(),
      },
    };
    this.#outgoing.set(id, out);
    await session.send(encodeControl(out.frame));
    out.status = nextStatus(out.status, 'SENT');
    const fast = fastPath
      ? await this.#o.peer.connect(this.#o.remoteId, {
          label: `fast-${id}`,
          serialization: 'raw',
          metadata: { enkryptedFastPath: id },
        })
      : undefined;
    try {
      await this.#sendChunks(out, bytes, fast);
    } finally {
      if (fast) {
        // The receiver closes the channel once it has every byte; close it ourselves if it does not.
        const timer = setTimeout(() => void fast.close(), FAST_PATH_LINGER_MS);
        fast.on('close', () => clearTimeout(timer));
        if (out.status === 'failed') void fast.close();
      }
    }
    if (out.status === 'failed') throw new CliError(CLI_ERROR.transferFailed, 'The peer refused the file.');
    return id;
  }

  async #sendChunks(out: Outgoing, bytes: Uint8Array, fast: DataConnection | undefined): Promise<void> {
    const id = out.id;
    let last = 0;
    for (let off = 0; off < bytes.length; off += FILE_CHUNK_BYTES) {
      if (out.status === 'failed')
        throw new CliError(CLI_ERROR.transferFailed, 'The peer cancelled the transfer.');
      const data = bytes.subarray(off, off + FILE_CHUNK_BYTES);
      const frame = encodeChunk({ transferId: id, offset: off, data });
      if (fast) await fast.send(frame);
      else await this.#requireSession().send(frame);
      const done = off + data.length;
      if (Date.now() - last >= PROGRESS_INTERVAL_MS || done === bytes.length) {
        last = Date.now();
        this.#o.reporter.progress(done, bytes.length, 'out', id);
      }
    }
    if (bytes.length === 0) this.#o.reporter.progress(0, 0, 'out', id);
    await this.#waitFor(() => out.status === 'delivered' || out.status === 'read' || out.status === 'failed');
  }

  /**
   * Waits until every text message was confirmed delivered, or `timeoutMs` after the session is
   * Ready (messages still queued wait for the connection first; fatal errors end the command).
   */
  async waitDelivered(timeoutMs: number): Promise<void> {
    if (this.#queue.length > 0) await this.whenReady();
    const pending = () =>
      [...this.#outgoing.values()].some(
        (o) => o.frame.t === 'msg' && (o.status === 'queued' || o.status === 'sent'),
      );
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#waitFor(() => !pending()),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#clearRedial();
    await this.#session?.close();
  }

  /** The safety number with the contact, once its identity is known. */
  safetyNumber(): string | undefined {
    if (!this.#remoteIdentity) return undefined;
    return computeSafetyNumber(
      { identity: this.#o.identity.publicIdentity, stableId: this.#o.ownId },
      { identity: this.#remoteIdentity, stableId: this.#o.remoteId },
    ).display;
  }

  // ── Sessions ──────────────────────────────────────────────────────────────────────────────

  #sessionOptions(): SessionOptions {
    return {
      handshake: cascadeHandshake({
        identity: this.#o.identity,
        pins: this.#o.pins,
        onSecureChannel: (channel, remoteId) => {
          if (remoteId === this.#o.remoteId) this.#remoteIdentity = channel.remoteIdentity;
        },
      }),
      onWarning: (message) => this.#o.reporter.emit({ event: 'error', code: 'WARNING', message }),
    };
  }

  /** Dials the contact unless a session (dialled or accepted) is under way. */
  #dial(): void {
    if (this.#session || this.#closing) return;
    this.#clearRedial();
    this.#attach(Session.dial(this.#o.peer, this.#o.remoteId, this.#sessionOptions()));
  }

  /** The web app's rule (apps/web/src/engine/sessions.ts): the lower id dials; the higher one only to deliver. */
  #shouldDial(): boolean {
    return this.#o.ownId < this.#o.remoteId || this.#queue.length > 0;
  }

  #scheduleRedial(): void {
    if (this.#closing || !this.#shouldDial()) return;
    this.#clearRedial();
    this.#redialDelay =
      this.#redialDelay === 0 ? REDIAL_MIN_MS : Math.min(this.#redialDelay * 2, REDIAL_MAX_MS);
    this.#redialTimer = setTimeout(() => {
      this.#redialTimer = undefined;
      this.#dial();
    }, this.#redialDelay);
  }

  #clearRedial(): void {
    clearTimeout(this.#redialTimer);
    this.#redialTimer = undefined;
  }

  #onIncoming(conn: DataConnection): void {
    const meta = conn.metadata as { enkryptedFastPath?: unknown } | undefined;
    if (typeof meta?.enkryptedFastPath === 'string') {
      // A fast-path channel for a file (its offer is refused below): never a new session.
      void conn.close();
      return;
    }
    if (conn.remoteId !== this.#o.remoteId || this.#closing) {
      // This command chats with one contact only.
      void conn.close();
      return;
    }
    const existing = this.#session;
    // Both sides dialled at once: the dial of the lower id wins, on both sides alike (as the web app).
    if (
      existing &&
      existing.state !== 'Ready' &&
      existing.role === 'initiator' &&
      this.#o.ownId < conn.remoteId
    ) {
      void conn.close();
      return;
    }
    this.#session = undefined;
    if (existing) void existing.close();
    this.#clearRedial();
    this.#attach(Session.accept(conn, this.#sessionOptions()));
  }

  #attach(session: Session): void {
    this.#session = session;
    this.#ready = false;
    let everReady = false;
    const current = () => this.#session === session;
    session.on('state', (state) => {
      if (!current()) return;
      this.#o.reporter.emit({ event: 'state', peer: this.#o.remoteId, state, label: stateLabel(state) });
      this.#ready = state === 'Ready';
      if (!this.#ready) return;
      everReady = true;
      this.#redialDelay = 0;
      this.#o.reporter.emit({
        event: 'ready',
        peer: this.#o.remoteId,
        encrypted: session.encrypted,
        safetyNumber: this.safetyNumber(),
      });
      void this.#sendControl({
        t: 'hello',
        name: this.#o.name,
        identity: publicIdentityToJson(this.#o.identity.publicIdentity),
      }).catch(() => undefined);
      for (const w of [...this.#readyWaiters]) w();
      void this.#flush();
    });
    session.on('message', (frame) => {
      if (current()) void this.#onFrame(frame);
    });
    session.on('error', (err) => {
      if (current()) this.#o.reporter.emit({ event: 'error', code: err.code, message: err.message });
    });
    session.ready().catch(() => undefined); // failures arrive as the close event below
    session.on('close', (reason) => {
      if (!current()) return;
      const wasReady = everReady;
      this.#session = undefined;
      this.#ready = false;
      this.#incoming.clear();
      if (this.#closing) return;
      if (isIdentityKeyChanged(reason)) {
        this.#o.onFatal(
          new CliError(
            CLI_ERROR.identityKeyChanged,
            `${this.#o.remoteId} presented a different identity key than the one pinned. Chat blocked: ` +
              `compare safety numbers out of band, then run "enkrypted trust ${this.#o.remoteId}".`,
          ),
        );
        return;
      }
      if (wasReady) {
        this.#o.reporter.emit({ event: 'closed', peer: this.#o.remoteId, reason: reason?.code });
        if (!this.#o.wait) {
          this.#o.onRemoteClosed();
          return;
        }
      }
      if (this.#o.wait) {
        if (!wasReady && reason && reason.code !== PEER_ERROR.peerUnavailable) {
          this.#o.reporter.emit({ event: 'error', code: reason.code, message: reason.message });
        }
        this.#scheduleRedial(); // when this side dials; else the contact's dial will come in
        return;
      }
      this.#o.onFatal(toCliError(reason, this.#o.remoteId));
    });
  }

  #requireSession(): Session {
    if (!this.#session || !this.#ready)
      throw new CliError(CLI_ERROR.connection, 'The chat is not connected.');
    return this.#session;
  }

  async #sendControl(frame: ControlFrame): Promise<void> {
    await this.#requireSession().send(encodeControl(frame));
  }

  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#ready && this.#queue.length > 0) {
        const next = this.#queue[0] as Outgoing;
        const session = this.#session;
        if (!session) break;
        try {
          await session.send(encodeControl(next.frame));
        } catch {
          break; // stays queued; the next Ready flushes it
        }
        this.#queue.shift();
        this.#setStatus(next, 'SENT');
        if (next.frame.t === 'msg') {
          this.#o.reporter.emit({
            event: 'sent',
            to: this.#o.remoteId,
            id: next.id,
            text: next.frame.text,
            time: next.frame.sentAt,
          });
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  #setStatus(out: Outgoing, event: 'SENT' | 'DELIVERED' | 'READ' | 'FAILED'): void {
    const status = nextStatus(out.status, event);
    if (status === out.status) return;
    out.status = status;
    if (out.frame.t === 'msg') this.#o.reporter.emit({ event: 'receipt', id: out.id, status });
    for (const w of [...this.#statusWaiters]) w();
  }

  #waitFor(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        this.#statusWaiters.delete(check);
        resolve();
      };
      this.#statusWaiters.add(check);
    });
  }

  // ── Frames ────────────────────────────────────────────────────────────────────────────────

  async #onFrame(raw: string | Uint8Array): Promise<void> {
    let decoded: ReturnType<typeof decodeFrame>;
    try {
      decoded = decodeFrame(raw);
    } catch (err) {
      const e = err as { code?: string; message: string };
      this.#o.reporter.emit({ event: 'error', code: e.code ?? 'CHAT_MALFORMED_FRAME', message: e.message });
      return;
    }
    if (decoded.kind === 'chunk') {
      await this.#onChunk(decoded.chunk);
      return;
    }
    const f = decoded.frame;
    const from = this.#o.remoteId;
    switch (f.t) {
      case 'hello':
        await this.#onHello(f.name, f.identity);
        return;
      case 'msg':
        if (!this.#seen.has(f.id)) {
          this.#seen.add(f.id);
          this.#o.reporter.emit({
            event: 'message',
            from,
            name: this.#remoteName,
            id: f.id,
            text: f.text,
            time: f.sentAt,
          });
          // Printed on the screen or stdout at once: delivered and read alike.
          await this.#sendControl({ t: 'receipt', kind: 'delivered', ids: [f.id] }).catch(() => undefined);
          await this.#sendControl({ t: 'receipt', kind: 'read', ids: [f.id] }).catch(() => undefined);
        } else {
          await this.#sendControl({ t: 'receipt', kind: 'delivered', ids: [f.id] }).catch(() => undefined);
        }
        return;
      case 'receipt':
        for (const id of f.ids) {
          const out = this.#outgoing.get(id);
          if (out) this.#setStatus(out, f.kind === 'read' ? 'READ' : 'DELIVERED');
        }
        return;
      case 'typing':
        this.#o.reporter.emit({ event: 'typing', from, on: f.on });
        return;
      case 'file-offer': {
        const refuse = (message: string) => {
          this.#o.reporter.emit({ event: 'error', code: CLI_ERROR.transferFailed, message });
          void this.#sendControl({ t: 'file-cancel', id: f.id }).catch(() => undefined);
        };
        if (f.fastPath) return refuse(`Refused ${f.name}: the DTLS-only fast path is not supported here.`);
        if (this.#incoming.size >= MAX_INCOMING_TRANSFERS)
          return refuse(`Refused ${f.name}: too many transfers.`);
        this.#incoming.set(f.id, {
          name: f.name,
          assembly: new FileAssembly(f.size, f.sha256),
          lastProgress: 0,
        });
        this.#o.reporter.emit({ event: 'file-offer', from, id: f.id, name: f.name, size: f.size });
        if (f.size === 0) await this.#finishIncoming(f.id);
        return;
      }
      case 'file-cancel': {
        if (this.#incoming.delete(f.id)) {
          this.#o.reporter.emit({
            event: 'error',
            code: CLI_ERROR.transferFailed,
            message: 'The sender cancelled the file.',
          });
        }
        const out = this.#outgoing.get(f.id);
        if (out && out.frame.t === 'file-offer') this.#setStatus(out, 'FAILED');
        return;
      }
    }
  }

  async #onHello(name: string, identity: ReturnType<typeof publicIdentityToJson>): Promise<void> {
    const proven = this.#remoteIdentity ? publicIdentityToJson(this.#remoteIdentity) : undefined;
    if (!proven || JSON.stringify(proven) !== JSON.stringify(identity)) {
      this.#o.reporter.emit({
        event: 'error',
        code: CLI_ERROR.connection,
        message: 'The contact announced an identity other than the one its handshake proved; closing.',
      });
      await this.#session?.close();
      return;
    }
    this.#remoteName = name;
    await this.#o.home.putContact(this.#o.remoteId, { identity, name, lastSeen: Date.now() });
    this.#o.reporter.emit({ event: 'hello', from: this.#o.remoteId, name });
  }

  async #onChunk(chunk: ChunkFrame): Promise<void> {
    const t = this.#incoming.get(chunk.transferId);
    if (!t) return; // a cancelled or refused transfer's tail
    try {
      t.assembly.add(chunk.offset, chunk.data);
    } catch (err) {
      this.#incoming.delete(chunk.transferId);
      this.#o.reporter.emit({
        event: 'error',
        code: CLI_ERROR.transferFailed,
        message: (err as Error).message,
      });
      void this.#sendControl({ t: 'file-cancel', id: chunk.transferId }).catch(() => undefined);
      return;
    }
    const { received, size } = t.assembly;
    if (Date.now() - t.lastProgress >= PROGRESS_INTERVAL_MS || received === size) {
      t.lastProgress = Date.now();
      this.#o.reporter.progress(received, size, 'in', chunk.transferId);
    }
    if (t.assembly.complete) await this.#finishIncoming(chunk.transferId);
  }

  async #finishIncoming(id: string): Promise<void> {
    const t = this.#incoming.get(id);
    if (!t) return;
    this.#incoming.delete(id);
    let bytes: Uint8Array;
    try {
      bytes = await t.assembly.finish();
    } catch (err) {
      this.#o.reporter.emit({
        event: 'error',
        code: CLI_ERROR.transferFailed,
        message: (err as Error).message,
      });
      void this.#sendControl({ t: 'file-cancel', id }).catch(() => undefined);
      return;
    }
    const path = await saveDownload(this.#o.downloads, t.name, bytes);
    this.#o.reporter.emit({
      event: 'file',
      from: this.#o.remoteId,
      id,
      name: t.name,
      size: bytes.length,
      path,
      sha256: t.assembly.sha256,
    });
    await this.#sendControl({ t: 'receipt', kind: 'delivered', ids: [id] }).catch(() => undefined);
  }
}

/** How many " (n)" suffixes to try before giving up on a free file name. */
const MAX_NAME_ATTEMPTS = 1000;

/** A peer-chosen file name made safe: no folders, no control characters, no hidden-file dot. */
export function safeFileName(name: string): string {
  const cleaned = basename(name.replace(/\\/g, '/'))
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/^\.+/, '')
    .trim();
  return cleaned === '' ? 'file' : cleaned;
}

/** Writes a received file (mode 0600) without overwriting anything: "name (1).ext" if taken. */
async function saveDownload(dir: string, name: string, bytes: Uint8Array): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const safe = safeFileName(name);
  const dot = safe.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [safe.slice(0, dot), safe.slice(dot)] : [safe, ''];
  for (let n = 0; n < MAX_NAME_ATTEMPTS; n++) {
    const path = join(dir, n === 0 ? safe : `${stem} (${n})${ext}`);
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(bytes);
      } finally {
        await handle.close();
      }
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new CliError(CLI_ERROR.transferFailed, `No free file name for ${safe} in ${dir}.`);
}

function toCliError(reason: unknown, remoteId: string): CliError {
  if (isPeerError(reason, PEER_ERROR.peerUnavailable)) {
    return new CliError(CLI_ERROR.peerUnavailable, `${remoteId} is not online at this broker.`, {
      cause: reason,
    });
  }
  const crypto = handshakeFailureCode(reason);
  if (crypto !== undefined) {
    return new CliError(
      CLI_ERROR.connection,
      `The encrypted handshake with ${remoteId} failed (${crypto}).`,
      {
        cause: reason,
      },
    );
  }
  const code = (reason as { code?: string } | undefined)?.code;
  return new CliError(
    CLI_ERROR.connection,
    `The connection to ${remoteId} failed${code ? ` (${code})` : ''}.`,
    {
      cause: reason,
    },
  );
}
