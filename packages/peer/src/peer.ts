/**
 * A peer: one registration on a PeerJS-compatible broker plus the data connections it opens
 * (`connect`, initiator) or accepts (`connection` event, responder). Routes each relayed message to
 * its connection by (remote id, connectionId), as peerjs does.
 */
import { isValidPeerId } from '@enkrypted/protocol';
import { platform } from '#platform';
import { type ConnectionContext, DataConnection } from './connection/data-connection.js';
import {
  type OfferPayload,
  parseOffer,
  SUPPORTED_SERIALIZATIONS,
  type SupportedSerialization,
} from './connection/payloads.js';
import { PEER_ERROR, PeerError } from './errors.js';
import { BrokerTurnCredentials } from './ice/broker-credentials.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, MAX_UNCLAIMED_CONNECTIONS } from './limits.js';
import type { PeerConnectionConfig, Platform } from './platform/types.js';
import {
  type InboundSignal,
  SignalingClient,
  type SignalingOptions,
  type SignalingState,
} from './signaling/client.js';
import { generateConnectionId } from './signaling/ids.js';
import { Emitter } from './util/emitter.js';
import type { WaitOptions } from './util/wait.js';

export interface PeerOptions extends SignalingOptions, PeerConnectionConfig {
  /** Keep only ICE candidates this accepts, in both directions (e.g. loopback-only tests). */
  candidateFilter?: (candidate: string) => boolean;
  /**
   * 'broker' (with `Peer.open`): fetch short-lived TURN credentials from the broker once registered, refresh them before
   * they expire, and add them to `iceServers` for every new connection (docs/turn.md). Combine with
   * `iceTransportPolicy: 'relay'` for relay-only mode.
   */
  turn?: 'broker';
  /** ICE `disconnected` grace period before recovery starts (default ICE_DISCONNECTED_GRACE_MS). */
  disconnectedGraceMs?: number;
  /** How long a lost transport may take to come back (default DEFAULT_RECOVERY_TIMEOUT_MS). */
  recoveryTimeoutMs?: number;
}

export interface ConnectOptions extends WaitOptions {
  label?: string;
  /** Ordered delivery (peerjs `reliable`). Default true. */
  reliable?: boolean;
  /** 'raw' (default) or 'json'; both interoperate with stock peerjs. */
  serialization?: SupportedSerialization;
  metadata?: unknown;
}

type PeerEvents = {
  /** A remote peer opened a connection to us (not open yet: await `conn.whenOpen()`). */
  connection: [DataConnection];
  /**
   * Non-fatal and fatal errors: PEER_UNAVAILABLE (also delivered on the pending connection),
   * UNSUPPORTED_SERIALIZATION for offers we cannot serve, and fatal signaling errors (ID_TAKEN,
   * INVALID_KEY, SERVER_ERROR, NETWORK) after which the broker link is closed.
   */
  error: [PeerError];
  /** The broker link dropped; reconnecting with the same id and token. */
  disconnected: [];
  /** Registered again after a drop. */
  reconnected: [];
  signaling: [SignalingState];
};

export class Peer extends Emitter<PeerEvents> {
  readonly #signaling: SignalingClient;
  readonly #options: PeerOptions;
  readonly #connections = new Map<string, DataConnection>();
  /** Incoming connections that arrived before anyone listened for 'connection' (oldest first). */
  #unclaimed: DataConnection[] = [];
  #closed = false;

  /** Subscribing to 'connection' also delivers the connections that arrived before (see #unclaimed). */
  override on<K extends keyof PeerEvents>(event: K, listener: (...args: PeerEvents[K]) => void): () => void {
    const off = super.on(event, listener);
    if (event === 'connection' && this.#unclaimed.length > 0) {
      queueMicrotask(() => {
        if (this.listenerCount('connection') === 0) return;
        for (const conn of this.#unclaimed.splice(0)) this.emit('connection', conn);
      });
    }
    return off;
  }

  /** Creates a peer and registers it with the broker. */
  static async open(options: PeerOptions, wait: WaitOptions = {}): Promise<Peer> {
    const peer = new Peer(options);
    try {
      await peer.#signaling.open(wait);
      await peer.#turn?.start();
      peer.#releaseHeldSignals();
    } catch (err) {
      await peer.close();
      throw err;
    }
    return peer;
  }

  /** Prefer `Peer.open`. `platformOverride` exists for embedding; the default is the build's platform. */
  constructor(options: PeerOptions, platformOverride?: Platform) {
    super();
    this.#options = options;
    this.#platform = platformOverride ?? platform;
    this.#signaling = new SignalingClient(options, this.#platform);
    this.#signaling.on('message', (m) => {
      if (this.#held === undefined) this.#onSignal(m);
      else if (this.#held.length < MAX_HELD_SIGNALS) this.#held.push(m);
    });
    this.#signaling.on('error', (e) => this.emit('error', e));
    this.#signaling.on('disconnected', () => this.emit('disconnected'));
    let registeredOnce = false;
    this.#signaling.on('open', () => {
      if (registeredOnce) this.emit('reconnected');
      registeredOnce = true;
    });
    this.#signaling.on('state', (s) => this.emit('signaling', s));
    if (options.turn === 'broker') {
      this.#held = [];
      this.#turn = new BrokerTurnCredentials({
        platform: this.#platform,
        address: options,
        identity: () => ({ id: this.id, token: this.token }),
        onError: (e) => this.emit('error', e),
      });
    }
  }

  readonly #platform: Platform;
  #turn: BrokerTurnCredentials | undefined;
  /**
   * With `turn: 'broker'`, signals that arrive between registration and the first credentials (a
   * contact waiting for us dials at once) wait here: a connection answered before that would have
   * no TURN server, and in relay-only mode no path at all.
   */
  #held: InboundSignal[] | undefined;

  #releaseHeldSignals(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const m of held) this.#onSignal(m);
  }

  get id(): string {
    return this.#signaling.id;
  }

  /** Our token (a secret): persist it with the id to reclaim the id after a restart. */
  get token(): string {
    return this.#signaling.token;
  }

  get signalingState(): SignalingState {
    return this.#signaling.state;
  }

  get connections(): readonly DataConnection[] {
    return [...this.#connections.values()];
  }

  /** Resolves when registered with the broker (e.g. after a broker restart). */
  whenRegistered(wait: WaitOptions = {}): Promise<void> {
    return this.#signaling.whenOpen(wait);
  }

  /**
   * Opens a data connection to `remoteId` and resolves once its channel is open. Rejects with
   * PEER_UNAVAILABLE when the broker reports the id unknown, TIMEOUT, ABORTED or NEGOTIATION_FAILED.
   */
  async connect(remoteId: string, options: ConnectOptions = {}): Promise<DataConnection> {
    if (this.#closed) throw new PeerError(PEER_ERROR.closed, 'peer is closed');
    if (!isValidPeerId(remoteId))
      throw new PeerError(PEER_ERROR.invalidId, 'remote id is not a valid peer id');
    const serialization = options.serialization ?? 'raw';
    if (!(SUPPORTED_SERIALIZATIONS as readonly string[]).includes(serialization)) {
      throw new PeerError(
        PEER_ERROR.unsupportedSerialization,
        `serialization ${serialization} is not supported`,
      );
    }
    const connectionId = generateConnectionId();
    const conn = new DataConnection(this.#context(), {
      connectionId,
      remoteId,
      label: options.label ?? connectionId,
      reliable: options.reliable ?? true,
      serialization,
      metadata: options.metadata,
      role: 'initiator',
    });
    this.#connections.set(key(remoteId, connectionId), conn);
    conn.startAsInitiator();
    try {
      await conn.whenOpen({
        signal: options.signal,
        timeoutMs: options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      });
    } catch (err) {
      await conn.close();
      throw err;
    }
    return conn;
  }

  /** Closes every connection and the broker link; releases all sockets and timers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const conns = [...this.#connections.values()];
    this.#connections.clear();
    this.#unclaimed = [];
    await Promise.all(conns.map((c) => c.close()));
    this.#turn?.close();
    await this.#signaling.close();
    this.removeAllListeners();
  }

  #context(): ConnectionContext {
    const o = this.#options;
    const rtc: PeerConnectionConfig = {};
    if (o.iceServers !== undefined) rtc.iceServers = o.iceServers;
    const turn = this.#turn;
    if (turn) {
      // Read when each peer connection is created, so recoveries use refreshed credentials.
      Object.defineProperty(rtc, 'iceServers', {
        enumerable: true,
        get: () => [...(o.iceServers ?? []), ...turn.iceServers()],
      });
    }
    if (o.iceTransportPolicy !== undefined) rtc.iceTransportPolicy = o.iceTransportPolicy;
    if (o.bindAddress !== undefined) rtc.bindAddress = o.bindAddress;
    return {
      platform: this.#platform,
      rtc,
      candidateFilter: o.candidateFilter,
      disconnectedGraceMs: o.disconnectedGraceMs,
      recoveryTimeoutMs: o.recoveryTimeoutMs,
      sendSignal: (m) => this.#signaling.send(m),
      onClosed: (conn) => {
        const k = key(conn.remoteId, conn.connectionId);
        if (this.#connections.get(k) === conn) this.#connections.delete(k);
        const held = this.#unclaimed.indexOf(conn);
        if (held >= 0) this.#unclaimed.splice(held, 1);
      },
    };
  }

  #onSignal(message: InboundSignal): void {
    if (this.#closed) return;
    if (message.type === 'EXPIRE' || message.type === 'LEAVE') {
      // Only connections still waiting are failed: an open channel is the truth about an open peer,
      // whatever its broker link does.
      let pending = false;
      for (const conn of this.#connections.values()) {
        if (conn.remoteId === message.src && conn.state === 'connecting') {
          pending = true;
          conn.remoteUnavailable();
        }
      }
      if (pending || message.type === 'EXPIRE') {
        this.emit(
          'error',
          new PeerError(PEER_ERROR.peerUnavailable, 'a remote peer is not registered on the broker'),
        );
      }
      return;
    }
    const payload = message.payload as { connectionId?: unknown } | undefined;
    if (typeof payload?.connectionId !== 'string') return;
    const k = key(message.src, payload.connectionId);
    const existing = this.#connections.get(k);
    if (message.type === 'OFFER') {
      const offer = parseOffer(message.payload);
      if (!offer) return;
      if (existing && offer.iceRestart && existing.state !== 'closed') {
        existing.handleSignal(message);
        return;
      }
      // A repeated offer without the marker replaces the old connection (stock peerjs behaviour).
      if (existing) void existing.close();
      this.#accept(message.src, offer, offer.iceRestart ? restartIdOf(message.payload) : undefined);
      return;
    }
    existing?.handleSignal(message);
  }

  #accept(remoteId: string, offer: OfferPayload, restartId: string | undefined): void {
    if (!(SUPPORTED_SERIALIZATIONS as readonly string[]).includes(offer.serialization)) {
      this.emit(
        'error',
        new PeerError(
          PEER_ERROR.unsupportedSerialization,
          `remote offered unsupported serialization ${offer.serialization}`,
        ),
      );
      return;
    }
    const conn = new DataConnection(this.#context(), {
      connectionId: offer.connectionId,
      remoteId,
      label: offer.label,
      reliable: offer.reliable,
      serialization: offer.serialization as SupportedSerialization,
      metadata: offer.metadata,
      role: 'responder',
    });
    this.#connections.set(key(remoteId, offer.connectionId), conn);
    conn.startAsResponder(offer, restartId);
    if (this.listenerCount('connection') > 0) {
      this.emit('connection', conn);
      return;
    }
    // Held for the first listener; at the bound the oldest held one (the likeliest stale) goes.
    if (this.#unclaimed.length >= MAX_UNCLAIMED_CONNECTIONS) void this.#unclaimed.shift()?.close();
    this.#unclaimed.push(conn);
  }
}

/** Our restart ids are 128-bit tokens; anything longer is not one of ours. */
const MAX_RESTART_ID_LENGTH = 64;

/** Signals held while the first TURN credentials are fetched: one OFFER with its candidates for several contacts. */
const MAX_HELD_SIGNALS = 256;

function restartIdOf(payload: unknown): string | undefined {
  const id = (payload as { restartId?: unknown } | undefined)?.restartId;
  // Echoed back verbatim, so only a token-sized value is accepted.
  return typeof id === 'string' && id.length <= MAX_RESTART_ID_LENGTH ? id : undefined;
}

function key(remoteId: string, connectionId: string): string {
  return `${remoteId}\u0000${connectionId}`;
}
