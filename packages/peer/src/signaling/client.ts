/**
 * The PeerJS signaling client: one WebSocket to the broker, registered under our id and token.
 *
 * Differences from the stock client, each fixing a known problem (peerjs-protocol.md §3.3, §5):
 * - outgoing frames are queued (bounded) until the broker has registered us, instead of dropped;
 * - a lost socket is reconnected automatically with jittered exponential backoff, keeping id and
 *   token so the broker re-attaches us instead of answering ID-TAKEN;
 * - a re-attach that the broker does not confirm with OPEN (stock `peer`, §1.9) is recognised by the
 *   absence of an admission error, so `open` never hangs;
 * - every broker error becomes a PeerError with a stable code.
 */
import { isValidPeerId, parseServerFrame, type RelayMessage } from '@enkrypted/protocol';
import { platform as defaultPlatform } from '#platform';
import { PEER_ERROR, PeerError } from '../errors.js';
import { DEFAULT_OPEN_TIMEOUT_MS, MAX_QUEUED_SIGNALING_FRAMES, REATTACH_SILENCE_MS } from '../limits.js';
import { type Platform, SOCKET_OPEN, type SocketLike } from '../platform/types.js';
import { Emitter } from '../util/emitter.js';
import { type WaitOptions, waitFor } from '../util/wait.js';
import { type BackoffOptions, backoffDelay } from './backoff.js';
import { generatePeerId, generateToken } from './ids.js';
import { type BrokerAddress, idUrl, socketUrl } from './url.js';

export interface SignalingOptions extends BrokerAddress {
  /** Our peer id. Default: 128 random bits generated here; 'broker' asks the broker (`GET {key}/id`). */
  id?: string | 'broker';
  /** Our token. Default: 128 random bits. Pass a stored one to reclaim an id after a page reload. */
  token?: string;
  /** HEARTBEAT period; the broker drops us after its alive_timeout without one. Default 5000 ms. */
  pingIntervalMs?: number;
  backoff?: BackoffOptions;
  /** Give up reconnecting after this many consecutive failed attempts. Default: never. */
  maxReconnectAttempts?: number;
}

export type SignalingState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A relayed message with the sender's id, as delivered to the connection layer. */
export interface InboundSignal {
  type: 'OFFER' | 'ANSWER' | 'CANDIDATE' | 'LEAVE' | 'EXPIRE';
  src: string;
  payload: unknown;
}

export interface OutboundSignal {
  type: 'OFFER' | 'ANSWER' | 'CANDIDATE';
  dst: string;
  payload: unknown;
}

type SignalingEvents = {
  /** Registered (first time or after a reconnect). */
  open: [];
  /** The socket dropped; reconnecting. */
  disconnected: [];
  message: [InboundSignal];
  /** A fatal error: the client is closed after it. */
  error: [PeerError];
  state: [SignalingState];
};

const DEFAULT_PING_INTERVAL_MS = 5_000;

export class SignalingClient extends Emitter<SignalingEvents> {
  readonly #platform: Platform;
  readonly #options: SignalingOptions;
  #id: string | undefined;
  readonly #token: string;
  #state: SignalingState = 'idle';
  #socket: SocketLike | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #silenceTimer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #everRegistered = false;
  #queue: string[] = [];
  #fatal: PeerError | undefined;
  #socketClosed: Promise<void> = Promise.resolve();
  /** Frames dropped because they failed validation (for diagnostics and tests). */
  droppedFrames = 0;

  constructor(options: SignalingOptions, platformOverride?: Platform) {
    super();
    this.#platform = platformOverride ?? defaultPlatform;
    this.#options = options;
    if (options.id !== undefined && options.id !== 'broker' && !isValidPeerId(options.id)) {
      throw new PeerError(PEER_ERROR.invalidId, 'peer id does not follow the PeerJS id grammar');
    }
    this.#id = options.id === 'broker' ? undefined : (options.id ?? generatePeerId());
    this.#token = options.token ?? generateToken();
  }

  /** Our id, known after `open` when it comes from the broker. */
  get id(): string {
    if (this.#id === undefined) throw new PeerError(PEER_ERROR.closed, 'id not assigned yet');
    return this.#id;
  }

  /** The token, for callers that persist it to reclaim the id later. Treat as a secret. */
  get token(): string {
    return this.#token;
  }

  get state(): SignalingState {
    return this.#state;
  }

  /** Connects and resolves once the broker has registered us. */
  async open(options: WaitOptions = {}): Promise<void> {
    if (this.#state === 'closed') throw this.#fatal ?? new PeerError(PEER_ERROR.closed, 'signaling closed');
    const wait = { signal: options.signal, timeoutMs: options.timeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS };
    if (this.#id === undefined) this.#id = await this.#fetchId(wait);
    if (this.#state === 'idle') {
      this.#setState('connecting');
      this.#connect();
    }
    await this.whenOpen(wait);
  }

  /** Resolves when registered (immediately if already); rejects on a fatal error or close. */
  whenOpen(options: WaitOptions = {}): Promise<void> {
    return waitFor<void>(
      'broker registration',
      (resolve, reject) => {
        if (this.#state === 'open') resolve();
        if (this.#state === 'closed')
          reject(this.#fatal ?? new PeerError(PEER_ERROR.closed, 'signaling closed'));
        const offOpen = this.on('open', () => resolve());
        const offErr = this.on('error', reject);
        const offState = this.on('state', (s) => {
          if (s === 'closed') reject(this.#fatal ?? new PeerError(PEER_ERROR.closed, 'signaling closed'));
        });
        return () => {
          offOpen();
          offErr();
          offState();
        };
      },
      options,
    );
  }

  /**
   * Sends a relay frame, or queues it until registered. Throws QUEUE_FULL when the bounded queue is
   * full and CLOSED after close: a frame is never dropped silently.
   */
  send(message: OutboundSignal): void {
    if (this.#state === 'closed') throw this.#fatal ?? new PeerError(PEER_ERROR.closed, 'signaling closed');
    const frame = JSON.stringify({ type: message.type, payload: message.payload, dst: message.dst });
    if (this.#state === 'open' && this.#socket?.readyState === SOCKET_OPEN) {
      this.#socket.send(frame);
      return;
    }
    if (this.#queue.length >= MAX_QUEUED_SIGNALING_FRAMES) {
      throw new PeerError(PEER_ERROR.queueFull, 'signaling queue is full while the broker is unreachable');
    }
    this.#queue.push(frame);
  }

  /** Closes the socket and every timer. Resolves once the socket is closed. */
  async close(): Promise<void> {
    if (this.#state !== 'closed') this.#shutdown(undefined);
    await this.#socketClosed;
  }

  async #fetchId(wait: WaitOptions): Promise<string> {
    const controller = new AbortController();
    const relay = () => controller.abort();
    wait.signal?.addEventListener('abort', relay, { once: true });
    const timer = setTimeout(relay, wait.timeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS);
    try {
      const res = await this.#platform.fetchText(idUrl(this.#options), controller.signal);
      if (res.status !== 200)
        throw new PeerError(PEER_ERROR.serverError, `broker answered ${res.status} for an id`);
      if (!isValidPeerId(res.body))
        throw new PeerError(PEER_ERROR.serverError, 'broker issued an invalid id');
      return res.body;
    } catch (err) {
      if (err instanceof PeerError) throw err;
      if (wait.signal?.aborted) throw new PeerError(PEER_ERROR.aborted, 'aborted while fetching an id');
      if (controller.signal.aborted) throw new PeerError(PEER_ERROR.timeout, 'timed out fetching an id');
      throw new PeerError(PEER_ERROR.network, 'could not fetch an id from the broker', { cause: err });
    } finally {
      clearTimeout(timer);
      wait.signal?.removeEventListener('abort', relay);
    }
  }

  #setState(state: SignalingState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit('state', state);
  }

  #connect(): void {
    const socket = this.#platform.createWebSocket(socketUrl(this.#options, this.id, this.#token));
    this.#socket = socket;
    let markClosed: () => void = () => {};
    this.#socketClosed = new Promise<void>((r) => {
      markClosed = r;
    });
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      this.#startHeartbeat();
      // Only a re-attach (same token, record still held) can legitimately stay silent.
      if (this.#everRegistered || this.#options.token !== undefined) {
        this.#silenceTimer = setTimeout(() => this.#registered(), REATTACH_SILENCE_MS);
      }
    };
    socket.onmessage = (ev) => {
      if (this.#socket !== socket) return;
      this.#onFrame(ev.data);
    };
    socket.onerror = () => {
      // Always followed by onclose, where recovery happens.
    };
    socket.onclose = () => {
      markClosed();
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#onSocketLost();
    };
  }

  #onFrame(data: unknown): void {
    if (typeof data !== 'string') {
      // `ws` hands text frames as Buffer-like objects unless told otherwise; decode them.
      if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
        data = new TextDecoder().decode(data as ArrayBuffer);
      } else {
        this.droppedFrames++;
        return;
      }
    }
    let msg: ReturnType<typeof parseServerFrame>;
    try {
      msg = parseServerFrame(data as string);
    } catch {
      this.droppedFrames++;
      return;
    }
    switch (msg.type) {
      case 'OPEN':
        this.#registered();
        return;
      case 'ID-TAKEN':
        this.#shutdown(new PeerError(PEER_ERROR.idTaken, 'the broker holds this id for another token'));
        return;
      case 'INVALID-KEY':
        this.#shutdown(new PeerError(PEER_ERROR.invalidKey, 'the broker refused the key'));
        return;
      case 'ERROR': {
        const text = 'payload' in msg ? msg.payload.msg : '';
        const code = text === 'Invalid key provided' ? PEER_ERROR.invalidKey : PEER_ERROR.serverError;
        // The broker's text is fixed admission wording, never user data: safe to surface.
        this.#shutdown(new PeerError(code, `broker error: ${text.slice(0, 200)}`));
        return;
      }
      default: {
        const relay = msg as RelayMessage;
        if (typeof relay.src !== 'string' || relay.src === '') {
          this.droppedFrames++;
          return;
        }
        this.emit('message', { type: relay.type, src: relay.src, payload: relay.payload });
      }
    }
  }

  #registered(): void {
    if (this.#silenceTimer !== undefined) {
      clearTimeout(this.#silenceTimer);
      this.#silenceTimer = undefined;
    }
    if (this.#state === 'open' || this.#state === 'closed') return;
    this.#attempt = 0;
    this.#everRegistered = true;
    this.#setState('open');
    const queued = this.#queue;
    this.#queue = [];
    for (const frame of queued) this.#socket?.send(frame);
    this.emit('open');
  }

  #startHeartbeat(): void {
    this.#stopHeartbeat();
    const interval = this.#options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    this.#heartbeat = setInterval(() => {
      if (this.#socket?.readyState === SOCKET_OPEN) this.#socket.send('{"type":"HEARTBEAT"}');
    }, interval);
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    if (this.#silenceTimer !== undefined) clearTimeout(this.#silenceTimer);
    this.#silenceTimer = undefined;
  }

  #onSocketLost(): void {
    this.#stopHeartbeat();
    if (this.#state === 'closed') return;
    const max = this.#options.maxReconnectAttempts ?? Number.POSITIVE_INFINITY;
    if (this.#attempt >= max) {
      this.#shutdown(new PeerError(PEER_ERROR.network, 'lost the broker and could not reconnect'));
      return;
    }
    const wasOpen = this.#state === 'open';
    this.#setState('reconnecting');
    if (wasOpen) this.emit('disconnected');
    const delay = backoffDelay(this.#attempt, Math.random(), this.#options.backoff);
    this.#attempt++;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#state === 'reconnecting') this.#connect();
    }, delay);
  }

  #shutdown(fatal: PeerError | undefined): void {
    if (this.#state === 'closed') return;
    this.#fatal = fatal;
    this.#stopHeartbeat();
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#queue = [];
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) {
      try {
        socket.close();
      } catch {
        // Closing a socket that never connected may throw in some implementations; it is gone either way.
      }
    }
    this.#setState('closed');
    if (fatal) this.emit('error', fatal);
  }
}
