/**
 * A Session: the P7 connection state machine driven by a data connection, with the crypto handshake
 * hook (P3) between DataChannelOpen and Ready. Application data moves only in Ready (P7.1); before
 * the first Ready it is refused (NOT_READY, or ENCRYPTION_REQUIRED when no handshake hook is set and
 * encryption was not explicitly disabled); during an outage (P7.4 Disconnected) it is queued (bounded)
 * and written after the session is Ready again, or rejected with RECOVERY_FAILED / CLOSED.
 *
 * The handshake itself belongs to the crypto package: this module only gives the hook the open channel
 * and uses the `seal`/`open` of the secure session it returns for every application frame.
 */

import type { DataConnection } from './connection/data-connection.js';
import { SendQueue } from './connection/send-queue.js';
import { type ConnectionEvent, type ConnectionState, transition } from './connection/states.js';
import { PEER_ERROR, PeerError } from './errors.js';
import {
  HANDSHAKE_TIMEOUT_MS,
  MAX_HANDSHAKE_INBOX_BYTES,
  MAX_HANDSHAKE_INBOX_FRAMES,
  MAX_OUTAGE_QUEUE_BYTES,
  MAX_OUTAGE_QUEUE_MESSAGES,
  MAX_RETAINED_BYTES,
  MAX_RETAINED_FRAMES,
  RESUME_TIMEOUT_MS,
  SESSION_KEEPALIVE_INTERVAL_MS,
  SESSION_SILENCE_LIMIT_MS,
} from './limits.js';
import type { ConnectOptions, Peer } from './peer.js';
import { Emitter } from './util/emitter.js';
import { type WaitOptions, waitFor } from './util/wait.js';

export type SessionFrame = string | Uint8Array;

/**
 * What a completed handshake yields: the P6 outbound and inbound paths, frame by frame.
 *
 * `seal` returns the frames of one message, sent in order (a chunked message is several frames; a
 * single frame is accepted too). `open` takes one frame and returns the plaintext of a completed
 * message, or null when the frame completes nothing yet (a chunk, a rotation); it must throw on any
 * authentication or format failure: the frame is then dropped and reported, never delivered.
 */
export interface SecureSession {
  seal(plaintext: Uint8Array): Promise<SessionFrame | readonly SessionFrame[]>;
  open(frame: SessionFrame): Promise<Uint8Array | null>;
  /** P7.4: whether the state is still usable after a transport outage. Default: true. */
  isIntact?(): boolean;
  /** The identity the handshake authenticated (shown as `session.remoteIdentity`). */
  readonly remoteIdentity?: unknown;
}

/** The open data channel as the handshake hook sees it. */
export interface HandshakeChannel {
  send(frame: SessionFrame): Promise<void>;
  /** The next frame from the remote; rejects on timeout, abort or channel loss. */
  receive(options?: WaitOptions): Promise<SessionFrame>;
}

export interface HandshakeContext {
  role: 'initiator' | 'responder';
  remoteId: string;
  /** Aborted when the session closes or the transport is lost mid-handshake. */
  signal: AbortSignal;
  /** The open data connection (its `peerConnection` holds both SDPs, for the DTLS fingerprints). */
  connection: DataConnection;
}

export type HandshakeHook = (channel: HandshakeChannel, context: HandshakeContext) => Promise<SecureSession>;

export interface SessionOptions {
  /** Runs in CryptoHandshaking (P3). Required unless encryption is disabled for debugging. */
  handshake?: HandshakeHook;
  /**
   * 'disabled-for-debugging' skips the handshake (DataChannelOpen → Ready) and sends plaintext. Only
   * for debugging (P2.4.4): the session says so through `onWarning` and `encrypted === false`.
   */
  encryption?: 'required' | 'disabled-for-debugging';
  /** P8.3 handshake stall timer. Default HANDSHAKE_TIMEOUT_MS. */
  handshakeTimeoutMs?: number;
  /** Receives loud warnings (default: console.warn). */
  onWarning?: (message: string) => void;
  /**
   * [Enkrypted] keep-alive in Ready (docs/protocol.md §1.11): a frame every `intervalMs`, and the
   * path counts as lost after `silenceLimitMs` without any frame from the remote. `false` turns both
   * off. Default SESSION_KEEPALIVE_INTERVAL_MS / SESSION_SILENCE_LIMIT_MS.
   */
  keepalive?: { intervalMs: number; silenceLimitMs: number } | false;
}

type SessionEvents = {
  state: [ConnectionState, ConnectionEvent];
  message: [SessionFrame];
  /** Non-fatal: a frame failed to open (dropped, P8.2) or similar. */
  error: [PeerError];
  close: [PeerError | undefined];
};

export class Session extends Emitter<SessionEvents> {
  readonly remoteId: string;
  readonly role: 'initiator' | 'responder';
  readonly encrypted: boolean;
  readonly #options: SessionOptions;
  #state: ConnectionState = 'Idle';
  #conn: DataConnection | undefined;
  #secure: SecureSession | undefined;
  /** Kept across a re-handshake failure so the app can still say who it was talking to. */
  #remoteIdentity: unknown;
  #everReady = false;
  #closed = false;
  #closeReason: PeerError | undefined;
  #inbox: SessionFrame[] = [];
  #inboxBytes = 0;
  #inboxWaiter: (() => void) | undefined;
  #handshakeAbort: AbortController | undefined;
  #outage = new SendQueue<Uint8Array | string>(MAX_OUTAGE_QUEUE_MESSAGES, MAX_OUTAGE_QUEUE_BYTES);
  /** Serialises sealing and opening so frames keep their order through async crypto. */
  #sendChain: Promise<void> = Promise.resolve();
  #receiveChain: Promise<void> = Promise.resolve();
  #flushing = false;
  /** The P8.3 stall timer; also cleared on close, so a hook that never settles cannot pin the process. */
  #handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Application frames handed to / taken from the transport, across transports (session resume). */
  #sent = 0;
  #received = 0;
  #retained: SessionFrame[] = [];
  #retainedSizes: number[] = [];
  #retainedBytes = 0;
  #keepaliveTimer: ReturnType<typeof setInterval> | undefined;
  /** When the last frame of any kind arrived from the remote (or the path last came up). */
  #lastHeard = 0;

  private constructor(remoteId: string, role: 'initiator' | 'responder', options: SessionOptions) {
    super();
    this.remoteId = remoteId;
    this.role = role;
    this.#options = options;
    this.encrypted = options.encryption !== 'disabled-for-debugging';
  }

  /** Opens a session to `remoteId` through `peer`. Returns at once; await `ready()` for Ready. */
  static dial(peer: Peer, remoteId: string, options: SessionOptions & ConnectOptions = {}): Session {
    const session = new Session(remoteId, 'initiator', options);
    void session.#runDial(peer, options);
    return session;
  }

  /** Wraps an incoming connection (from the Peer's `connection` event). */
  static accept(conn: DataConnection, options: SessionOptions = {}): Session {
    const session = new Session(conn.remoteId, 'responder', options);
    void session.#runAccept(conn);
    return session;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get connection(): DataConnection | undefined {
    return this.#conn;
  }

  /**
   * The identity the last handshake authenticated (`PublicIdentity` with `cascadeHandshake`), or
   * undefined before the first Ready and with encryption disabled.
   */
  get remoteIdentity(): unknown {
    return this.#remoteIdentity;
  }

  /** Resolves in Ready; rejects with the reason the session cannot get there. */
  ready(options: WaitOptions = {}): Promise<void> {
    return waitFor<void>(
      'the session to be ready',
      (resolve, reject) => {
        const check = () => {
          if (this.#state === 'Ready') resolve();
          else if (this.#closed) reject(this.#closedError());
          else if (this.#state === 'DataChannelOpen' && this.#refusal()) reject(this.#refusal());
        };
        check();
        const offState = this.on('state', check);
        const offClose = this.on('close', check);
        return () => {
          offState();
          offClose();
        };
      },
      options,
    );
  }

  /** Sends one application message (sealed when encrypted). See the module comment for the rules. */
  send(data: SessionFrame, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError());
    const refusal = this.#refusal();
    if (refusal) return Promise.reject(refusal);
    if (this.#state === 'Ready' && this.#outage.length === 0) return this.#write(data);
    if (!this.#everReady) {
      return Promise.reject(
        new PeerError(PEER_ERROR.notReady, `application data is refused in ${this.#state} (P7.1)`),
      );
    }
    const size = typeof data === 'string' ? data.length * 3 : data.byteLength;
    const queued = this.#outage.push(data, size, options.signal);
    if (this.#state === 'Ready') void this.#flushOutage();
    return queued;
  }

  async close(): Promise<void> {
    await this.#close(undefined);
  }

  #refusal(): PeerError | undefined {
    if (this.encrypted && !this.#options.handshake) {
      return new PeerError(
        PEER_ERROR.encryptionRequired,
        'no handshake hook: application data is refused unless encryption is disabled for debugging',
      );
    }
    return undefined;
  }

  #apply(event: ConnectionEvent): void {
    this.#state = transition(this.#state, event);
    this.emit('state', this.#state, event);
  }

  async #runDial(peer: Peer, options: SessionOptions & ConnectOptions): Promise<void> {
    try {
      await peer.whenRegistered({ signal: options.signal, timeoutMs: options.timeoutMs });
      if (this.#closed) return;
      this.#apply('SIGNALING_REGISTERED');
      this.#apply('NEGOTIATION_STARTED');
      const conn = await peer.connect(this.remoteId, { ...options, serialization: 'raw' });
      if (this.#closed) {
        await conn.close();
        return;
      }
      this.#bind(conn);
      this.#apply('CHANNEL_OPEN');
      await this.#secureChannel();
    } catch (err) {
      if (this.#state === 'WebRTCConnecting') this.#apply('NEGOTIATION_FAILED');
      await this.#close(asPeerError(err, PEER_ERROR.negotiationFailed));
    }
  }

  async #runAccept(conn: DataConnection): Promise<void> {
    this.#bind(conn);
    // Let the caller attach listeners before the first transitions are emitted.
    await Promise.resolve();
    if (this.#closed) return;
    this.#apply('SIGNALING_REGISTERED');
    this.#apply('NEGOTIATION_STARTED');
    try {
      await conn.whenOpen();
      if (this.#closed) return;
      this.#apply('CHANNEL_OPEN');
      // The remote kept a session with a previous instance of us: answer its resume first (we have
      // no state, so this always ends in a new handshake), or it would wait for our resume frame.
      if (conn.answersRecovery) await this.#resume({ fresh: true });
      await this.#secureChannel();
    } catch (err) {
      if (this.#state === 'WebRTCConnecting') this.#apply('NEGOTIATION_FAILED');
      await this.#close(asPeerError(err, PEER_ERROR.negotiationFailed));
    }
  }

  #bind(conn: DataConnection): void {
    this.#conn = conn;
    conn.on('data', (value) => this.#onFrame(value as SessionFrame));
    conn.on('transport-lost', () => {
      if (this.#closed) return;
      this.#handshakeAbort?.abort();
      this.#apply('TRANSPORT_LOST');
    });
    conn.on('transport-restored', () => {
      if (this.#closed) return;
      this.#apply('TRANSPORT_RESTORED');
      void this.#resume()
        .then((bothIntact) => {
          if (!bothIntact) this.#forgetCrypto();
          return this.#secureChannel();
        })
        .catch((err) => this.#close(asPeerError(err, PEER_ERROR.recoveryFailed)));
    });
    conn.on('close', (reason) => {
      void this.#close(reason);
    });
  }

  /**
   * Drops the secure session and the resume counters: a new handshake starts a new numbering on both
   * sides. Frames sealed under the old keys can no longer be re-sent.
   */
  #forgetCrypto(): void {
    this.#secure = undefined;
    this.#sent = 0;
    this.#received = 0;
    this.#retained = [];
    this.#retainedSizes = [];
    this.#retainedBytes = 0;
  }

  #localIntact(): boolean {
    if (!this.encrypted) return true;
    return this.#secure !== undefined && (this.#secure.isIntact?.() ?? true);
  }

  /** DataChannelOpen → Ready, by the cheapest path the state allows (P7.4). */
  async #secureChannel(): Promise<void> {
    if (!this.encrypted) {
      if (!this.#everReady) {
        (this.#options.onWarning ?? console.warn)(
          `enkrypted: session with ${this.remoteId} runs WITHOUT end-to-end encryption (disabled for debugging)`,
        );
      }
      this.#apply('ENCRYPTION_SKIPPED');
      this.#becameReady();
      return;
    }
    if (this.#secure && (this.#secure.isIntact?.() ?? true)) {
      this.#apply('CRYPTO_RESUMED');
      this.#becameReady();
      return;
    }
    const hook = this.#options.handshake;
    if (!hook) {
      this.emit('state', this.#state, 'CHANNEL_OPEN'); // wake ready() waiters: they reject with the refusal
      return;
    }
    this.#apply('HANDSHAKE_STARTED');
    const abort = new AbortController();
    this.#handshakeAbort = abort;
    const timeoutMs = this.#options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    this.#handshakeTimer = timer;
    try {
      const conn = this.#conn;
      if (!conn) throw new PeerError(PEER_ERROR.handshakeFailed, 'no connection');
      const secure = await hook(this.#handshakeChannel(abort.signal), {
        role: this.role,
        remoteId: this.remoteId,
        signal: abort.signal,
        connection: conn,
      });
      if (this.#closed || this.#state !== 'CryptoHandshaking') return;
      if (!secure || typeof secure.seal !== 'function' || typeof secure.open !== 'function') {
        throw new PeerError(PEER_ERROR.handshakeFailed, 'the handshake hook returned no secure session');
      }
      this.#secure = secure;
      this.#remoteIdentity = secure.remoteIdentity;
      this.#apply('HANDSHAKE_COMPLETED');
      this.#becameReady();
    } catch (err) {
      if (this.#closed || this.#state !== 'CryptoHandshaking') return; // lost mid-handshake: recovery decides
      this.#apply('HANDSHAKE_FAILED');
      const reason = abort.signal.aborted
        ? new PeerError(PEER_ERROR.timeout, 'the handshake stalled (P8.3)')
        : asPeerError(err, PEER_ERROR.handshakeFailed);
      await this.#close(reason);
    } finally {
      clearTimeout(timer);
      if (this.#handshakeTimer === timer) this.#handshakeTimer = undefined;
      if (this.#handshakeAbort === abort) this.#handshakeAbort = undefined;
    }
  }

  #becameReady(): void {
    this.#everReady = true;
    this.#lastHeard = Date.now();
    this.#startKeepalive();
    // Frames that arrived after the remote reached Ready but before we did are application frames.
    const early = this.#inbox;
    this.#inbox = [];
    this.#inboxBytes = 0;
    for (const frame of early) this.#deliver(frame);
    void this.#flushOutage();
  }

  async #flushOutage(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      await this.#flushLoop();
    } finally {
      this.#flushing = false;
    }
  }

  async #flushLoop(): Promise<void> {
    for (let head = this.#outage.peek(); head && this.#state === 'Ready'; head = this.#outage.peek()) {
      try {
        await this.#write(head.item);
        this.#outage.shiftWritten();
      } catch (err) {
        if (this.#state === 'Ready' && !this.#closed) {
          // Not an outage: this frame cannot be sent at all (e.g. too big once sealed).
          this.#outage.peek()?.reject(asPeerError(err, PEER_ERROR.invalidMessage));
          this.#outage.shiftWrittenWithoutResolve();
        } else {
          return;
        }
      }
    }
  }

  #write(data: SessionFrame): Promise<void> {
    const conn = this.#conn;
    if (!conn) return Promise.reject(new PeerError(PEER_ERROR.notReady, 'no connection'));
    if (!this.#secure) return conn.send(data).then(() => this.#retain(data));
    const secure = this.#secure;
    const plaintext = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const result = this.#sendChain.then(async () => {
      const sealed = await secure.seal(plaintext);
      // One frame at a time: conn.send resolves once the frame is handed over under P8.1 backpressure.
      for (const frame of isFrameList(sealed) ? sealed : [sealed]) {
        await conn.send(frame);
        this.#retain(frame);
      }
    });
    this.#sendChain = result.catch(() => undefined);
    return result;
  }

  /**
   * Keeps the last frames handed to the transport: a frame handed over just before the path dies may
   * never arrive, and after recovery the remote's `received` count says which ones to send again.
   */
  #retain(frame: SessionFrame): void {
    const size = typeof frame === 'string' ? frame.length * 3 : frame.byteLength;
    this.#retained.push(frame);
    this.#retainedSizes.push(size);
    this.#retainedBytes += size;
    this.#sent++;
    while (this.#retained.length > MAX_RETAINED_FRAMES || this.#retainedBytes > MAX_RETAINED_BYTES) {
      this.#retained.shift();
      this.#retainedBytes -= this.#retainedSizes.shift() ?? 0;
    }
  }

  /**
   * [Enkrypted] session resume, run on a restored transport before Ready (P7.4): each side sends
   * `{"type":"session-resume","received":n,"intact":b}` as its first frame. When both kept their
   * crypto state, each re-sends the frames the other side has not received and the session resumes
   * without a handshake; frames older than the retention window are reported (MESSAGES_LOST), never
   * dropped silently. Otherwise (a side lost or invalidated its state, e.g. the remote process
   * restarted and answers as a fresh session) resolves false: both sides run a new handshake.
   */
  async #resume({ fresh = false } = {}): Promise<boolean> {
    const conn = this.#conn;
    if (!conn) return false;
    const abort = new AbortController();
    this.#handshakeAbort = abort;
    try {
      const localIntact = !fresh && this.#localIntact();
      await conn.send(resumeFrame(this.#received, localIntact));
      const frame = await this.#handshakeChannel(abort.signal).receive({ timeoutMs: RESUME_TIMEOUT_MS });
      const resume = parseResume(frame);
      if (resume === undefined) {
        throw new PeerError(PEER_ERROR.recoveryFailed, 'the remote did not resume the session');
      }
      if (!resume.intact || !localIntact) {
        // Frames the remote missed were sealed under keys that are about to be replaced.
        const missed = this.#sent - resume.received;
        if (resume.intact && missed > 0) {
          this.emit(
            'error',
            new PeerError(PEER_ERROR.messagesLost, `${missed} messages were lost with the old crypto state`),
          );
        }
        return false;
      }
      const remoteReceived = resume.received;
      if (remoteReceived > this.#sent) {
        throw new PeerError(PEER_ERROR.recoveryFailed, 'the remote resumed another session');
      }
      const oldest = this.#sent - this.#retained.length;
      if (remoteReceived < oldest) {
        this.emit(
          'error',
          new PeerError(
            PEER_ERROR.messagesLost,
            `${oldest - remoteReceived} messages were lost in the outage`,
          ),
        );
      }
      const resend = this.#retained.slice(Math.max(0, remoteReceived - oldest));
      for (const f of resend) await conn.send(f);
      return true;
    } finally {
      if (this.#handshakeAbort === abort) this.#handshakeAbort = undefined;
    }
  }

  /** One timer per session, from the first Ready until close; it only acts while Ready. */
  #startKeepalive(): void {
    const k = this.#options.keepalive ?? {
      intervalMs: SESSION_KEEPALIVE_INTERVAL_MS,
      silenceLimitMs: SESSION_SILENCE_LIMIT_MS,
    };
    if (k === false || this.#keepaliveTimer !== undefined) return;
    this.#keepaliveTimer = setInterval(() => {
      const conn = this.#conn;
      if (this.#state !== 'Ready' || !conn?.open) return;
      if (Date.now() - this.#lastHeard > k.silenceLimitMs) {
        conn.reportSilence();
        return;
      }
      conn.send(KEEPALIVE_FRAME).catch(() => undefined);
    }, k.intervalMs);
  }

  #onFrame(frame: SessionFrame): void {
    if (this.#closed) return;
    this.#lastHeard = Date.now();
    if (frame === KEEPALIVE_FRAME) return; // liveness only: never data, never counted for resume
    if (
      !this.#everReady &&
      !this.#conn?.answersRecovery &&
      typeof frame === 'string' &&
      parseResume(frame) !== undefined
    ) {
      // The remote resumes a session we have no state for (we are a fresh process or Peer under the
      // same id): say so, and both sides run a new handshake instead of waiting on each other.
      this.#conn?.send(resumeFrame(0, false)).catch(() => undefined);
      return;
    }
    if (this.#state === 'Ready') {
      this.#deliver(frame);
      return;
    }
    const size = typeof frame === 'string' ? frame.length : frame.byteLength;
    if (
      this.#inbox.length >= MAX_HANDSHAKE_INBOX_FRAMES ||
      this.#inboxBytes + size > MAX_HANDSHAKE_INBOX_BYTES
    ) {
      this.emit('error', new PeerError(PEER_ERROR.queueFull, 'handshake inbox full: frame dropped'));
      return;
    }
    this.#inboxBytes += size;
    this.#inbox.push(frame);
    this.#inboxWaiter?.();
  }

  #deliver(frame: SessionFrame): void {
    this.#received++;
    const secure = this.#secure;
    if (!secure) {
      this.emit('message', frame);
      return;
    }
    this.#receiveChain = this.#receiveChain.then(async () => {
      try {
        const plaintext = await secure.open(frame);
        if (plaintext !== null && !this.#closed) this.emit('message', plaintext);
      } catch (err) {
        // P8.2: never deliver plaintext that failed authentication.
        this.emit('error', asPeerError(err, PEER_ERROR.invalidMessage));
      }
    });
  }

  #handshakeChannel(signal: AbortSignal): HandshakeChannel {
    return {
      send: (frame) => {
        if (signal.aborted || !this.#conn)
          return Promise.reject(new PeerError(PEER_ERROR.aborted, 'handshake aborted'));
        return this.#conn.send(frame);
      },
      receive: (options = {}) =>
        waitFor<SessionFrame>(
          'a handshake frame',
          (resolve, reject) => {
            const take = () => {
              const next = this.#inbox.shift();
              if (next === undefined) return;
              this.#inboxBytes -= typeof next === 'string' ? next.length : next.byteLength;
              resolve(next);
            };
            const onAbort = () => reject(new PeerError(PEER_ERROR.aborted, 'handshake aborted'));
            if (signal.aborted) onAbort();
            signal.addEventListener('abort', onAbort, { once: true });
            this.#inboxWaiter = take;
            take();
            return () => {
              signal.removeEventListener('abort', onAbort);
              if (this.#inboxWaiter === take) this.#inboxWaiter = undefined;
            };
          },
          { signal: options.signal, timeoutMs: options.timeoutMs },
        ),
    };
  }

  #closedError(): PeerError {
    return this.#closeReason ?? new PeerError(PEER_ERROR.closed, 'the session is closed');
  }

  async #close(reason: PeerError | undefined): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    this.#handshakeAbort?.abort();
    if (this.#handshakeTimer !== undefined) clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = undefined;
    if (this.#keepaliveTimer !== undefined) clearInterval(this.#keepaliveTimer);
    this.#keepaliveTimer = undefined;
    this.#apply('CLOSED');
    this.#outage.rejectAll(reason ?? new PeerError(PEER_ERROR.closed, 'the session was closed'));
    await this.#conn?.close();
    this.emit('close', reason);
  }
}

/** [Enkrypted] keep-alive frame: a text frame no sealed frame or resume frame can equal. */
const KEEPALIVE_FRAME = '{"type":"session-keepalive"}';

function resumeFrame(received: number, intact: boolean): string {
  return JSON.stringify({ type: 'session-resume', received, intact });
}

/** `intact` absent (an older peer) means intact, as before the field existed. */
function parseResume(frame: SessionFrame): { received: number; intact: boolean } | undefined {
  if (typeof frame !== 'string' || frame.length > 200) return undefined;
  try {
    const v = JSON.parse(frame) as { type?: unknown; received?: unknown; intact?: unknown };
    if (v.type !== 'session-resume' || typeof v.received !== 'number') return undefined;
    if (!Number.isSafeInteger(v.received) || v.received < 0) return undefined;
    if (v.intact !== undefined && typeof v.intact !== 'boolean') return undefined;
    return { received: v.received, intact: v.intact !== false };
  } catch {
    return undefined;
  }
}

function isFrameList(sealed: SessionFrame | readonly SessionFrame[]): sealed is readonly SessionFrame[] {
  return Array.isArray(sealed);
}

function asPeerError(err: unknown, code: PeerError['code']): PeerError {
  if (err instanceof PeerError) return err;
  return new PeerError(code, err instanceof Error ? err.message : 'operation failed', { cause: err });
}
