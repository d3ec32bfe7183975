/**
 * A PeerJS-compatible data connection with the behaviour the stock client lacks: typed errors on the
 * connection itself (PEER_UNAVAILABLE on EXPIRE), bounded queued sends with backpressure (P8.1), and
 * transport recovery. When the path dies, the initiator dials a new transport for the same
 * connectionId (OFFER with the `iceRestart` marker) and the connection resumes on it; messages sent
 * meanwhile are queued and written after recovery, or rejected with RECOVERY_FAILED.
 */
import { PEER_ERROR, PeerError } from '../errors.js';
import {
  BUFFERED_AMOUNT_HIGH_WATER,
  BUFFERED_AMOUNT_LOW_WATER,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_RECOVERY_TIMEOUT_MS,
  MAX_CHANNEL_MESSAGE_BYTES,
  MAX_OUTAGE_QUEUE_BYTES,
  MAX_OUTAGE_QUEUE_MESSAGES,
  RECOVERY_ATTEMPT_TIMEOUT_MS,
} from '../limits.js';
import type { PeerConnectionConfig, Platform } from '../platform/types.js';
import { backoffDelay } from '../signaling/backoff.js';
import type { InboundSignal, OutboundSignal } from '../signaling/client.js';
import { generateToken } from '../signaling/ids.js';
import { Emitter } from '../util/emitter.js';
import { sleep, type WaitOptions, waitFor } from '../util/wait.js';
import { BinaryReassembler } from './binary-chunks.js';
import { initiate } from './initiator.js';
import {
  type OfferPayload,
  parseAnswer,
  parseCandidate,
  parseOffer,
  type SupportedSerialization,
} from './payloads.js';
import { respond } from './responder.js';
import { SendQueue } from './send-queue.js';
import { closeControlFrame, decodeFrame, encodeFrames, type Frame, frameSize } from './serialization.js';
import type { Transport, TransportOptions } from './transport.js';

/** What a connection needs from its Peer. */
export interface ConnectionContext {
  platform: Platform;
  rtc: PeerConnectionConfig;
  candidateFilter?: ((candidate: string) => boolean) | undefined;
  disconnectedGraceMs?: number | undefined;
  recoveryTimeoutMs?: number | undefined;
  sendSignal(message: OutboundSignal): void;
  onClosed(conn: DataConnection): void;
}

export type DataConnectionState = 'connecting' | 'open' | 'recovering' | 'closed';

export interface SendOptions {
  signal?: AbortSignal;
}

type DataConnectionEvents = {
  open: [];
  data: [unknown];
  /** Closed; `reason` is set when it closed because of an error. */
  close: [PeerError | undefined];
  /** The path died; recovery started (P7.4 Ready → Disconnected). */
  'transport-lost': [];
  /** A new transport is open for this connection (P7.4 Disconnected → DataChannelOpen). */
  'transport-restored': [];
  state: [DataConnectionState];
};

/** Poll period while waiting for the buffer to drain, for stacks that never fire bufferedamountlow. */
const DRAIN_POLL_MS = 20;

export class DataConnection extends Emitter<DataConnectionEvents> {
  readonly connectionId: string;
  readonly remoteId: string;
  readonly label: string;
  readonly reliable: boolean;
  readonly serialization: SupportedSerialization;
  readonly metadata: unknown;
  readonly role: 'initiator' | 'responder';
  readonly #ctx: ConnectionContext;
  #state: DataConnectionState = 'connecting';
  #transport: Transport | undefined;
  /** Identifies the current recovery transport; undefined for the first one (stock-compatible). */
  #restartId: string | undefined;
  #answersRecovery = false;
  /** 'binary' only: ids of our chunked messages (peerjs starts at 1) and the remote's in progress. */
  #chunkedMessages = 0;
  readonly #binaryChunks = new BinaryReassembler();
  #queue = new SendQueue<Frame>(MAX_OUTAGE_QUEUE_MESSAGES, MAX_OUTAGE_QUEUE_BYTES);
  #pumping = false;
  #recoveryTimer: ReturnType<typeof setTimeout> | undefined;
  #recoveryAbort: AbortController | undefined;
  #closeReason: PeerError | undefined;
  /** Incoming frames that failed to decode (dropped, counted for diagnostics). */
  droppedFrames = 0;

  constructor(
    ctx: ConnectionContext,
    init: {
      connectionId: string;
      remoteId: string;
      label: string;
      reliable: boolean;
      serialization: SupportedSerialization;
      metadata: unknown;
      role: 'initiator' | 'responder';
    },
  ) {
    super();
    this.#ctx = ctx;
    this.connectionId = init.connectionId;
    this.remoteId = init.remoteId;
    this.label = init.label;
    this.reliable = init.reliable;
    this.serialization = init.serialization;
    this.metadata = init.metadata;
    this.role = init.role;
  }

  get state(): DataConnectionState {
    return this.#state;
  }

  get open(): boolean {
    return this.#state === 'open';
  }

  /** The current RTCPeerConnection (diagnostics: getStats, fault injection in tests). */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.#transport?.pc;
  }

  /** Bytes written but not yet sent by the current channel, plus bytes queued here. */
  get bufferedAmount(): number {
    return (this.#transport?.channel?.bufferedAmount ?? 0) + this.#queue.bytes;
  }

  /** @internal Starts the first transport as initiator. */
  startAsInitiator(): void {
    this.#dial(undefined);
  }

  /**
   * @internal Starts the first transport as responder to `offer`. `restartId` is set when the offer
   * is a recovery offer for a connection this Peer never knew (the remote kept its side across our
   * restart): echoing it lets the remote take our answer as the restored transport.
   */
  startAsResponder(offer: OfferPayload, restartId?: string): void {
    this.#answersRecovery = restartId !== undefined;
    this.#answer(offer, restartId);
  }

  /**
   * True when this connection was created by a recovery offer: the remote kept a session with a
   * previous instance of this Peer (same id) and expects the session-resume exchange first.
   */
  get answersRecovery(): boolean {
    return this.#answersRecovery;
  }

  /** Resolves when open; rejects with the close reason (e.g. PEER_UNAVAILABLE) if it closes first. */
  whenOpen(options: WaitOptions = {}): Promise<void> {
    return waitFor<void>(
      'the data connection to open',
      (resolve, reject) => {
        if (this.#state === 'open') resolve();
        if (this.#state === 'closed') reject(this.#closedError());
        const offOpen = this.on('open', resolve);
        const offClose = this.on('close', () => reject(this.#closedError()));
        return () => {
          offOpen();
          offClose();
        };
      },
      { signal: options.signal, timeoutMs: options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS },
    );
  }

  /**
   * Sends one value. Resolves once the message is handed to the data channel. While the channel is
   * not open (connecting, recovering) or above the P8.1 high-water mark, messages wait in a bounded
   * queue; a full queue rejects with QUEUE_FULL, a failed recovery with RECOVERY_FAILED.
   */
  send(value: unknown, options: SendOptions = {}): Promise<void> {
    if (this.#state === 'closed') return Promise.reject(this.#closedError());
    let frames: Frame[];
    try {
      frames = encodeFrames(this.serialization, value, () => ++this.#chunkedMessages);
    } catch (err) {
      return Promise.reject(err);
    }
    if (frames.length === 1) return this.#send(frames[0] as Frame, options);
    // A chunked 'binary' message: its frames go out in order, like separate sends.
    return Promise.all(frames.map((f) => this.#send(f, options))).then(() => undefined);
  }

  #send(frame: Frame, options: SendOptions): Promise<void> {
    const size = frameSize(frame);
    if (size > MAX_CHANNEL_MESSAGE_BYTES) {
      return Promise.reject(
        new PeerError(PEER_ERROR.messageTooBig, `message exceeds ${MAX_CHANNEL_MESSAGE_BYTES} bytes`),
      );
    }
    const channel = this.#transport?.channel;
    if (
      this.#queue.length === 0 &&
      this.#state === 'open' &&
      channel?.readyState === 'open' &&
      channel.bufferedAmount + size <= BUFFERED_AMOUNT_HIGH_WATER
    ) {
      try {
        this.#write(channel, frame);
        return Promise.resolve();
      } catch {
        // The channel died between the check and the write: queue it for after recovery.
      }
    }
    const queued = this.#queue.push(frame, size, options.signal);
    this.#pump();
    return queued;
  }

  /** Closes the connection and releases its transport. Pending sends reject with CLOSED. */
  async close(): Promise<void> {
    await this.#close(undefined, true);
  }

  /** @internal Routes a signaling message for this connection. */
  handleSignal(message: InboundSignal): void {
    if (this.#state === 'closed') return;
    const payload = message.payload as { restartId?: unknown } | undefined;
    const restartId = typeof payload?.restartId === 'string' ? payload.restartId : undefined;
    switch (message.type) {
      case 'ANSWER': {
        const answer = parseAnswer(message.payload);
        if (!answer || this.role !== 'initiator' || restartId !== this.#restartId) return;
        const transport = this.#transport;
        transport?.setRemoteDescription(answer.sdp).catch((err) => {
          if (transport === this.#transport) this.#onTransportFailure(err);
        });
        return;
      }
      case 'CANDIDATE': {
        const c = parseCandidate(message.payload);
        if (!c || restartId !== this.#restartId) return;
        void this.#transport?.addRemoteCandidate(c.candidate);
        return;
      }
      case 'OFFER': {
        const offer = parseOffer(message.payload);
        if (!offer?.iceRestart || restartId === undefined || this.role !== 'responder') return;
        if (this.#state === 'open' || this.#state === 'connecting') this.#onLost();
        this.#answer(offer, restartId);
        return;
      }
      default:
        return;
    }
  }

  /**
   * @internal The session heard nothing from the remote for too long (keep-alive): the path counts
   * as lost, as when ICE fails, and recovery starts (P7.4).
   */
  reportSilence(): void {
    if (this.#state === 'open') this.#onLost();
  }

  /** @internal The broker reported the remote unreachable (EXPIRE/LEAVE). */
  remoteUnavailable(): void {
    if (this.#state === 'connecting') {
      void this.#close(
        new PeerError(PEER_ERROR.peerUnavailable, 'the remote peer is not registered on the broker'),
        false,
      );
    }
  }

  #transportOptions(restartId: string | undefined): TransportOptions {
    return {
      platform: this.#ctx.platform,
      rtc: this.#ctx.rtc,
      candidateFilter: this.#ctx.candidateFilter,
      disconnectedGraceMs: this.#ctx.disconnectedGraceMs,
      sendCandidate: (candidate) => {
        const payload: Record<string, unknown> = { candidate, type: 'data', connectionId: this.connectionId };
        if (restartId !== undefined) payload.restartId = restartId;
        this.#signal({ type: 'CANDIDATE', dst: this.remoteId, payload });
      },
    };
  }

  #signal(message: OutboundSignal): void {
    try {
      this.#ctx.sendSignal(message);
    } catch (err) {
      this.#onTransportFailure(err);
    }
  }

  #dial(restartId: string | undefined): Transport {
    this.#restartId = restartId;
    const { transport, offered } = initiate(
      this.#transportOptions(restartId),
      {
        connectionId: this.connectionId,
        label: this.label,
        reliable: this.reliable,
        serialization: this.serialization,
        metadata: this.metadata,
        restartId,
      },
      (payload) => this.#signal({ type: 'OFFER', dst: this.remoteId, payload }),
    );
    this.#bind(transport);
    offered.catch((err) => {
      if (transport === this.#transport) this.#onTransportFailure(err);
    });
    return transport;
  }

  #answer(offer: OfferPayload, restartId: string | undefined): void {
    const previous = this.#transport;
    this.#restartId = restartId;
    const { transport, answered } = respond(
      this.#transportOptions(restartId),
      offer,
      (payload) => this.#signal({ type: 'ANSWER', dst: this.remoteId, payload }),
      restartId,
    );
    this.#bind(transport);
    if (previous && previous !== transport) void previous.close(false);
    answered.catch((err) => {
      if (transport === this.#transport) this.#onTransportFailure(err);
    });
  }

  #bind(transport: Transport): void {
    this.#transport = transport;
    transport.on('open', () => {
      if (transport !== this.#transport) return;
      if (this.#state === 'connecting') {
        this.#setState('open');
        this.emit('open');
      } else if (this.#state === 'recovering') {
        this.#restored();
      }
      this.#pump();
    });
    transport.on('message', (data) => {
      if (transport !== this.#transport) return;
      const decoded = decodeFrame(this.serialization, data, this.#binaryChunks);
      if (decoded.kind === 'value') this.emit('data', decoded.value);
      else if (decoded.kind === 'close') void this.#close(undefined, false);
      else if (decoded.kind === 'invalid') this.droppedFrames++;
    });
    transport.on('lost', () => {
      if (transport === this.#transport) this.#onLost();
    });
    transport.on('remote-close', () => {
      if (transport === this.#transport) void this.#close(undefined, false);
    });
  }

  #onTransportFailure(err: unknown): void {
    // 'connecting' only ever precedes the first open: recovery attempts run in 'recovering'.
    if (this.#state === 'connecting') {
      const reason =
        err instanceof PeerError
          ? err
          : new PeerError(PEER_ERROR.negotiationFailed, 'negotiation failed', { cause: err });
      void this.#close(reason, false);
      return;
    }
    // During recovery a failed attempt is retried by the recovery loop (initiator) or by the next offer.
  }

  #onLost(): void {
    if (this.#state === 'closed' || this.#state === 'recovering') return;
    if (this.#state === 'connecting') {
      // Never opened: this is a failed negotiation, not an outage.
      const pc = this.#transport?.pc as { relayUnavailable?: boolean } | undefined;
      void this.#close(
        pc?.relayUnavailable
          ? new PeerError(
              PEER_ERROR.relayUnavailable,
              'relay-only: no TURN relay could be allocated (server unreachable, or credentials expired or refused)',
            )
          : new PeerError(PEER_ERROR.negotiationFailed, 'ICE failed before the channel opened'),
        false,
      );
      return;
    }
    this.#setState('recovering');
    this.emit('transport-lost');
    const timeout = this.#ctx.recoveryTimeoutMs ?? DEFAULT_RECOVERY_TIMEOUT_MS;
    this.#recoveryAbort = new AbortController();
    this.#recoveryTimer = setTimeout(() => {
      void this.#close(
        new PeerError(PEER_ERROR.recoveryFailed, 'the transport could not be restored in time'),
        false,
      );
    }, timeout);
    if (this.role === 'initiator') void this.#redialLoop(this.#recoveryAbort.signal);
  }

  async #redialLoop(signal: AbortSignal): Promise<void> {
    for (let attempt = 0; this.#state === 'recovering' && !signal.aborted; attempt++) {
      const previous = this.#transport;
      const transport = this.#dial(generateToken());
      if (previous) void previous.close(false);
      try {
        await transport.whenOpen({ signal, timeoutMs: RECOVERY_ATTEMPT_TIMEOUT_MS });
        return; // The 'open' handler has restored the connection.
      } catch {
        if (this.#state !== 'recovering' || signal.aborted) return;
        void transport.close(false);
        try {
          await sleep(backoffDelay(attempt, Math.random()), signal);
        } catch {
          return;
        }
      }
    }
  }

  #restored(): void {
    this.#clearRecovery();
    this.#setState('open');
    this.emit('transport-restored');
  }

  #clearRecovery(): void {
    if (this.#recoveryTimer !== undefined) clearTimeout(this.#recoveryTimer);
    this.#recoveryTimer = undefined;
    this.#recoveryAbort?.abort();
    this.#recoveryAbort = undefined;
  }

  #write(channel: RTCDataChannel, frame: Frame): void {
    if (typeof frame === 'string') channel.send(frame);
    else channel.send(frame as Uint8Array<ArrayBuffer>);
  }

  /** Writes queued frames in order while the channel is open and below the high-water mark. */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (let head = this.#queue.peek(); head; head = this.#queue.peek()) {
        const channel = this.#transport?.channel;
        if (this.#state !== 'open' || !channel || channel.readyState !== 'open') return;
        if (channel.bufferedAmount + head.size > BUFFERED_AMOUNT_HIGH_WATER) {
          try {
            await this.#drained(channel);
          } catch {
            return;
          }
          continue;
        }
        try {
          this.#write(channel, head.item);
        } catch {
          return; // Channel died; recovery will call #pump again.
        }
        this.#queue.shiftWritten();
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** Waits until the channel's buffer is below the low-water mark (event, with a polling fallback). */
  #drained(channel: RTCDataChannel): Promise<void> {
    channel.bufferedAmountLowThreshold = BUFFERED_AMOUNT_LOW_WATER;
    return waitFor<void>('the send buffer to drain', (resolve, reject) => {
      const check = () => {
        if (channel.readyState !== 'open') reject(new PeerError(PEER_ERROR.closed, 'channel closed'));
        else if (channel.bufferedAmount <= BUFFERED_AMOUNT_LOW_WATER) resolve();
      };
      const poll = setInterval(check, DRAIN_POLL_MS);
      channel.addEventListener('bufferedamountlow', check);
      check();
      return () => {
        clearInterval(poll);
        channel.removeEventListener('bufferedamountlow', check);
      };
    });
  }

  #setState(state: DataConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit('state', state);
  }

  #closedError(): PeerError {
    return this.#closeReason ?? new PeerError(PEER_ERROR.closed, 'the data connection is closed');
  }

  async #close(reason: PeerError | undefined, sendCloseControl: boolean): Promise<void> {
    if (this.#state === 'closed') return;
    const wasOpen = this.#state === 'open';
    this.#closeReason = reason;
    this.#clearRecovery();
    this.#setState('closed');
    this.#queue.rejectAll(reason ?? new PeerError(PEER_ERROR.closed, 'the data connection was closed'));
    const transport = this.#transport;
    if (sendCloseControl && wasOpen && this.serialization !== 'raw') {
      // peerjs's in-band close message, so a stock json/binary peer closes its side cleanly.
      try {
        transport?.channel?.send(closeControlFrame(this.serialization) as Uint8Array<ArrayBuffer>);
      } catch {
        // Best effort: the stream reset tells the remote anyway.
      }
    }
    this.#ctx.onClosed(this);
    this.emit('close', reason);
    await transport?.close(true);
  }
}
