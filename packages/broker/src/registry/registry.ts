/**
 * The seam between sessions and where peer state lives. The in-memory implementation is the
 * default; a shared-store implementation (Redis) can sit behind the same interface, which is why
 * every call may answer with a promise.
 *
 * A registry owns: which id is bound to which token and connection, the concurrent limit, delivery
 * of a frame to a connected id (wherever it is connected), and the offline queues with their expiry.
 */
import type { MaybePromise } from '../maybe-promise.js';
import type { ExpiryNotice } from './offline-queues.js';

/** A connected peer as the registry sees it. */
export interface PeerConnection {
  readonly id: string;
  readonly token: string;
  /** Writes one frame; false when the socket is gone or too far behind (the caller answers LEAVE). */
  deliver(frame: string): boolean;
  close(code: number, reason: string): void;
}

export type ClaimOutcome =
  | { kind: 'registered' }
  | { kind: 'reattached'; previous: PeerConnection }
  | { kind: 'taken' }
  | { kind: 'full' };

/**
 * - delivered: written to the destination's socket;
 * - queued: destination offline, frame queued;
 * - refused: destination offline and its queue is full; the sender is owed an EXPIRE now;
 * - refused-again: as refused, but the sender was already told;
 * - dead: destination registered but its socket is gone; it was released and the sender is owed LEAVE;
 * - dropped: LEAVE/EXPIRE to an offline id (never queued).
 */
export type RouteOutcome = 'delivered' | 'queued' | 'refused' | 'refused-again' | 'dead' | 'dropped';

export interface RegistryStats {
  peers: number;
  queues: number;
  queuedFrames: number;
  queuedBytes: number;
  /** Absent = always healthy (the in-memory registry). */
  health?: RegistryHealth;
  /** Absent = not a cluster. */
  cluster?: ClusterStats;
}

/** Whether the registry's store answers; a load balancer takes an unhealthy node out (`/healthz` 503). */
export interface RegistryHealth {
  ok: boolean;
  /** Stable reason when not ok, e.g. `redis-unreachable`. */
  reason?: string;
}

/** Figures of the whole cluster as this node last read them (shared registries only). */
export interface ClusterStats {
  /** This node's id in the cluster. */
  node: string;
  /** Whether this node currently reaches the shared store. */
  storeUp: boolean;
  /** Nodes whose heartbeat is within the lapse. */
  nodes: number;
  /** Registered ids on those nodes. */
  peers: number;
  /** Frames this node handed to other nodes through Redis, and received from them (totals). */
  framesOut: number;
  framesIn: number;
}

export interface Registry {
  /** Binds `id` to `conn` unless held with another token or the concurrent limit is reached. */
  claim(id: string, token: string, conn: PeerConnection): MaybePromise<ClaimOutcome>;
  /** Unbinds `id` if `conn` is still its current connection (a replaced socket's close is a no-op). */
  release(id: string, conn: PeerConnection): MaybePromise<void>;
  /** Delivers or queues `frame` (already encoded with the broker-set src) for `dst`. */
  route(src: string, dst: string, queueable: boolean, frame: string, now: number): MaybePromise<RouteOutcome>;
  /** Removes and returns frames queued for `id`, oldest first. */
  takeQueued(id: string): MaybePromise<string[]>;
  /** Drops stale queued frames; returns the EXPIREs now due to their senders. */
  expire(now: number, expireTimeoutMs: number): MaybePromise<ExpiryNotice[]>;
  isRegistered(id: string): MaybePromise<boolean>;
  /** Whether `id` is registered with `token` (authenticates a peer on HTTP routes, e.g. TURN credentials). */
  holdsToken(id: string, token: string): MaybePromise<boolean>;
  listIds(): MaybePromise<string[]>;
  stats(): RegistryStats;
  close(): MaybePromise<void>;
  /** Connects to a shared store; resolves when ready or known unreachable (the node starts either way). */
  start?(): Promise<void>;
}
