/**
 * One WebSocket: admission, then each frame parsed → validated → routed. Kept small on purpose:
 * at 15,000 idle connections every field counts, so listeners are shared functions that find the
 * session through the socket, not closures per connection.
 */

import type { Socket } from 'node:net';
import {
  encodeRelay,
  encodeRelayedFrame,
  isProtocolError,
  type RelayFrame,
  readRelayFrame,
} from '@enkrypted/protocol';
import type { WebSocket } from 'ws';
import { CLOSE_CODE } from '../close-codes.js';
import { settle } from '../maybe-promise.js';
import type { CloseReason } from '../metrics.js';
import type { ClaimOutcome, PeerConnection, RouteOutcome } from '../registry/registry.js';
import { countRelayedCandidate } from '../turn/candidate-types.js';
import {
  decideAdmission,
  encodeRejection,
  REJECT_ID_TAKEN,
  REJECT_SERVER_FULL,
  type Rejection,
} from './admission.js';
import type { BrokerContext } from './context.js';
import { type BucketState, takeToken } from './token-bucket.js';
import { encodeTextFrames, type OutboxOwner, queueFrame } from './write-batch.js';

/** Socket states: admitting → open → closing (was open) ; admitting → closed (rejected). */
const STATE_ADMITTING = 0;
const STATE_OPEN = 1;
const STATE_CLOSING = 2;
const STATE_CLOSED = 3;

/** Codes in `payload.code` of ERRORs sent after admission. */
export const SESSION_ERROR = {
  rateLimited: 'BROKER_RATE_LIMITED',
  internal: 'BROKER_INTERNAL',
} as const;

const OPEN_FRAME = '{"type":"OPEN"}';

/**
 * Frames a client may send while its id is still being claimed (a shared registry answers
 * asynchronously; PeerJS clients send as soon as the WebSocket opens, before OPEN). They are
 * processed in order once the claim succeeds. 64 holds an OFFER with its candidates to a few peers;
 * the in-memory registry claims synchronously, so it never buffers.
 */
export const MAX_EARLY_FRAMES = 64;

type RawFrame = Buffer | ArrayBuffer | Buffer[];
const RATE_LIMITED_FRAME = JSON.stringify({
  type: 'ERROR',
  payload: { msg: 'Rate limit exceeded', code: SESSION_ERROR.rateLimited },
});

interface SessionSocket extends WebSocket {
  session?: Session;
}

function errorFrame(msg: string, code: string): string {
  return JSON.stringify({ type: 'ERROR', payload: { msg, code } });
}

function onSocketMessage(this: SessionSocket, data: Buffer | ArrayBuffer | Buffer[]): void {
  this.session?.onFrame(data);
}
function onSocketClose(this: SessionSocket, code: number): void {
  this.session?.onClosed(code);
}
function onSocketError(this: SessionSocket): void {
  // ws emits 'error' for protocol violations (oversized frame → 1009, invalid UTF-8 → 1007) and
  // then closes the socket itself; the close handler does the bookkeeping.
  const s = this.session;
  if (s && s.closeReason === undefined) s.closeReason = 'protocol_error';
}

export class Session implements PeerConnection, BucketState, OutboxOwner {
  id = '';
  token = '';
  tokens: number;
  refilledAt: number;
  lastSeen: number;
  state = STATE_ADMITTING;
  closeReason: CloseReason | undefined = undefined;
  /** Relayed frames waiting for the end of this tick (write-batch.ts); undefined when none. */
  outbox: string[] | undefined = undefined;
  /** Frames received while the claim was pending (see MAX_EARLY_FRAMES); undefined when none. */
  early: RawFrame[] | undefined = undefined;

  constructor(
    readonly ctx: BrokerContext,
    readonly ws: WebSocket,
    readonly ip: string,
  ) {
    const now = ctx.now();
    this.tokens = ctx.options.rateBurst;
    this.refilledAt = now;
    this.lastSeen = now;
    const s = ws as SessionSocket;
    s.session = this;
    ws.on('message', onSocketMessage);
    ws.on('close', onSocketClose);
    ws.on('error', onSocketError);
  }

  get isOpen(): boolean {
    return this.state === STATE_OPEN;
  }

  /** Runs the admission checks for the query string of the upgrade request. */
  admit(query: string): void {
    const { ctx } = this;
    const decision = decideAdmission(query, ctx.options, Math.floor(Date.now() / 1000));
    if (decision.kind === 'reject') {
      this.#reject(decision);
      return;
    }
    this.id = decision.id;
    this.token = decision.token;
    settle(
      ctx.registry.claim(decision.id, decision.token, this),
      (outcome) => this.#onClaim(outcome),
      (err) => this.#fail(err),
    );
  }

  #onClaim(outcome: ClaimOutcome): void {
    const { ctx } = this;
    if (this.state !== STATE_ADMITTING) {
      // The socket went away while a shared registry was answering.
      if (outcome.kind === 'registered' || outcome.kind === 'reattached') this.#release();
      return;
    }
    if (outcome.kind === 'taken' || outcome.kind === 'full') {
      this.#reject(outcome.kind === 'taken' ? REJECT_ID_TAKEN : REJECT_SERVER_FULL);
      return;
    }
    if (outcome.kind === 'reattached') {
      // [Enkrypted] The stock server keeps the old socket and sends no OPEN, which leaves a stock
      // client's reconnect() hanging (peerjs#1289). We close the old socket and answer OPEN.
      const previous = outcome.previous;
      if (previous !== this) previous.close(CLOSE_CODE.replaced, 'replaced by a newer connection');
      ctx.metrics.reattached.inc();
    } else {
      ctx.metrics.accepted.inc();
    }
    this.state = STATE_OPEN;
    this.lastSeen = ctx.now();
    this.ws.send(OPEN_FRAME);
    ctx.log.debug({ peer: this.id, reattached: outcome.kind === 'reattached' }, 'peer open');
    ctx.events.emit('connection', { id: this.id, reattached: outcome.kind === 'reattached' });
    settle(
      ctx.registry.takeQueued(this.id),
      (frames) => {
        for (const f of frames) this.deliver(f);
      },
      (err) => this.#fail(err),
    );
    const early = this.early;
    if (early !== undefined) {
      this.early = undefined;
      for (const data of early) this.onFrame(data);
    }
  }

  #reject(r: Rejection): void {
    const { ctx } = this;
    this.early = undefined;
    ctx.metrics.rejected[r.reason].inc();
    ctx.events.emit('rejected', { reason: r.reason });
    this.state = STATE_CLOSED;
    this.closeReason = 'error';
    // The error goes in its own frame before the close, as the stock server does.
    this.ws.send(encodeRejection(r));
    this.ws.close(r.closeCode, r.msg);
  }

  /** One frame from the client. */
  onFrame(data: RawFrame): void {
    if (this.state !== STATE_OPEN) {
      if (this.state === STATE_ADMITTING) {
        this.early ??= [];
        if (this.early.length < MAX_EARLY_FRAMES) this.early.push(data);
      }
      return;
    }
    const { ctx } = this;
    const opts = ctx.options;
    const now = ctx.now();
    this.lastSeen = now;
    if (!takeToken(this, now, opts.ratePerSecond, opts.rateBurst)) {
      ctx.log.info({ ip: this.ip }, 'rate limit exceeded, closing socket');
      this.#send(RATE_LIMITED_FRAME);
      this.close(CLOSE_CODE.rateLimited, 'rate limit exceeded', 'rate_limited');
      return;
    }
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.from(data).toString('utf8');
    let msg: RelayFrame;
    try {
      msg = readRelayFrame(text, opts.maxFrameBytes);
    } catch (err) {
      if (!isProtocolError(err)) {
        this.#fail(err);
        return;
      }
      ctx.metrics.invalidFrames.inc();
      this.#send(errorFrame(err.message, err.code));
      return;
    }
    const type = msg.type;
    if (type === 'HEARTBEAT') {
      ctx.metrics.heartbeats.inc();
      return;
    }
    if (type === 'CANDIDATE') countRelayedCandidate(ctx.metrics.registry, text);
    const dst = msg.dst;
    if (dst === undefined) {
      // Legacy (peerjs 0.3) LEAVE without dst: "I am leaving".
      this.close(CLOSE_CODE.normal, 'leave', 'leave');
      return;
    }
    // LEAVE and EXPIRE are notices about the present; they are relayed to connected ids only.
    const queueable = type !== 'LEAVE' && type !== 'EXPIRE';
    const frame = encodeRelayedFrame(msg, this.id);
    let routed: ReturnType<typeof ctx.registry.route>;
    try {
      routed = ctx.registry.route(this.id, dst, queueable, frame, now);
    } catch (err) {
      this.#fail(err);
      return;
    }
    // The in-memory registry answers synchronously: no closure or promise on the hot path.
    if (routed instanceof Promise) {
      routed.then(
        (outcome) => this.#onRouted(dst, outcome),
        (err: unknown) => this.#fail(err),
      );
    } else this.#onRouted(dst, routed);
  }

  #onRouted(dst: string, outcome: RouteOutcome): void {
    this.ctx.metrics.relayed[outcome].inc();
    if (outcome === 'refused') {
      // Queue full: tell the sender now rather than after expire_timeout.
      this.ctx.metrics.expired.inc();
      this.deliver(encodeRelay('EXPIRE', dst, this.id, undefined));
    } else if (outcome === 'dead') {
      this.deliver(encodeRelay('LEAVE', dst, this.id, undefined));
    }
  }

  /** PeerConnection: writes a frame unless the socket is gone or not reading. */
  deliver(frame: string): boolean {
    const ws = this.ws;
    if (this.state !== STATE_OPEN || ws.readyState !== 1) return false;
    if (ws.bufferedAmount > this.ctx.options.maxSendBufferBytes) {
      this.ctx.log.info({ ip: this.ip }, 'send buffer over limit, closing slow socket');
      this.close(CLOSE_CODE.slowConsumer, 'not reading', 'slow_consumer');
      return false;
    }
    queueFrame(this, frame);
    return true;
  }

  /**
   * OutboxOwner: writes the frames queued this tick as one buffer straight to the socket. Only
   * while the socket is open (as ws.send would); ws never queues frames of its own here (no
   * compression, no Blobs), so nothing it writes can be overtaken.
   */
  flushOutbox(): void {
    const frames = this.outbox;
    if (frames === undefined) return;
    this.outbox = undefined;
    const raw = (this.ws as unknown as { _socket?: Socket })._socket;
    if (this.ws.readyState !== 1 || !raw || raw.destroyed) return;
    raw.write(encodeTextFrames(frames));
  }

  /** Sends a frame of our own after the relayed frames already queued, keeping their order. */
  #send(frame: string): void {
    this.flushOutbox();
    this.ws.send(frame);
  }

  /** PeerConnection: closes the socket (re-attach, liveness, limits, shutdown). */
  close(code: number, reason: string, why: CloseReason = 'replaced'): void {
    if (this.closeReason === undefined) this.closeReason = why;
    if (this.state === STATE_OPEN) {
      this.state = STATE_CLOSING;
      this.#release();
    } else if (this.state === STATE_ADMITTING) {
      this.state = STATE_CLOSED;
    }
    this.flushOutbox();
    this.ws.close(code, reason);
  }

  /** The socket is closed (by either side): return the IP slot and the id. */
  onClosed(_code: number): void {
    const { ctx } = this;
    const state = this.state;
    const reason = this.closeReason ?? 'client';
    this.state = STATE_CLOSED;
    (this.ws as SessionSocket).session = undefined;
    ctx.sessions.delete(this);
    ctx.releaseIp(this.ip);
    if (state === STATE_OPEN) this.#release();
    if (state === STATE_OPEN || state === STATE_CLOSING) {
      ctx.metrics.closed[reason].inc();
      ctx.log.debug({ peer: this.id, reason }, 'peer closed');
      ctx.events.emit('disconnect', { id: this.id, reason });
    }
  }

  #release(): void {
    const r = this.ctx.registry.release(this.id, this);
    if (r instanceof Promise)
      r.catch((err: unknown) => this.ctx.log.error({ err }, 'registry release failed'));
  }

  #fail(err: unknown): void {
    this.ctx.log.error({ err }, 'session failure');
    if (this.ws.readyState === 1) this.#send(errorFrame('Internal error', SESSION_ERROR.internal));
    this.close(CLOSE_CODE.internalError, 'internal error', 'error');
  }
}
