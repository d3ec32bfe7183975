/**
 * The cluster Registry: any number of broker processes sharing one Redis act as one broker.
 *
 * Each node keeps its own sockets in a local map; Redis holds who owns every id (which node, which
 * connection, the token's hash) and the offline queues. Frames between two sockets of the same node
 * never touch Redis. Frames for ids elsewhere, collected over one event-loop turn, go through one
 * Lua script call (scripts.ts) that publishes each to its owning node's channel or queues it,
 * atomically; each node has one subscriber connection on its own channel. Registrations carry a
 * TTL (the lapse) that every node refreshes by heartbeat, so a dead node's ids lapse on their own.
 *
 * Ordering: frames of one sender to one destination are relayed in the order sent. Frames to
 * another node travel over one command connection, one subscriber connection and one channel, all
 * FIFO, so they are pipelined; while any frame of a sender is still on its way to Redis, that
 * sender's later frames to local ids wait behind it, so a local delivery never overtakes a frame
 * handed to Redis before it (e.g. while the destination's own claim is still in flight).
 *
 * Without Redis (down, or a command timed out) the node keeps serving: local ids still relay,
 * claims are decided locally, frames to ids that are not local are refused (the sender gets EXPIRE
 * at once). When Redis answers again, the node re-asserts every local registration (REFRESH), and
 * a registration another token took meanwhile closes its local socket.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { encodeRelay } from '@enkrypted/protocol';
import { Redis } from 'ioredis';
import { CLOSE_CODE } from '../../close-codes.js';
import type { Logger } from '../../logger.js';
import type { MaybePromise } from '../../maybe-promise.js';
import type { ExpiryNotice, QueueBounds } from '../offline-queues.js';
import type {
  ClaimOutcome,
  ClusterStats,
  PeerConnection,
  Registry,
  RegistryHealth,
  RegistryStats,
  RouteOutcome,
} from '../registry.js';
import {
  CLUSTER_EXPIRE_BATCH,
  CLUSTER_HEARTBEATS_PER_LAPSE,
  CLUSTER_LIST_IDS_MAX,
  CLUSTER_MAX_HOPS,
  CLUSTER_REFRESH_CHUNK,
  CLUSTER_ROUTE_BATCH_BYTES,
  CLUSTER_ROUTE_BATCH_FRAMES,
  CLUSTER_SCAN_COUNT,
  DEFAULT_REDIS_PREFIX,
  REDIS_COMMAND_TIMEOUT_MS,
  REDIS_RETRY_MAX_MS,
  REDIS_RETRY_STEP_MS,
} from './cluster-limits.js';
import { type FrameRecord, parsePayload } from './payload.js';
import {
  CLAIM_SCRIPT,
  EXPIRE_SCRIPT,
  HEARTBEAT_SCRIPT,
  LEAVE_SCRIPT,
  REFRESH_SCRIPT,
  RELEASE_SCRIPT,
  ROUTE_SCRIPT,
} from './scripts.js';

export interface RedisRegistryOptions extends QueueBounds {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  url: string;
  /** Registered ids on this node (the process's descriptor budget; see DEFAULT_CONCURRENT_LIMIT). */
  concurrentLimit: number;
  /** Time after which a stopped node's registrations lapse. */
  lapseMs: number;
  prefix?: string;
  log: Logger;
}

/** One socket of this node. `pending`: claim in Redis; `claimed`: waiting for takeQueued; `live`. */
interface LocalPeer {
  readonly conn: PeerConnection;
  readonly connId: string;
  readonly tokenHash: string;
  state: 'pending' | 'claimed' | 'live';
  /** Frames for this connection that arrived before it was live (queue taken at claim, then published). */
  early: string[] | undefined;
}

type ScriptName = 'claim' | 'release' | 'route' | 'expire' | 'refresh' | 'heartbeat' | 'leave';
const SCRIPTS: Record<ScriptName, string> = {
  claim: CLAIM_SCRIPT,
  release: RELEASE_SCRIPT,
  route: ROUTE_SCRIPT,
  expire: EXPIRE_SCRIPT,
  refresh: REFRESH_SCRIPT,
  heartbeat: HEARTBEAT_SCRIPT,
  leave: LEAVE_SCRIPT,
};
type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

/** A frame waiting for this tick's ROUTE call. */
interface Pending {
  src: string;
  dst: string;
  queueable: boolean;
  frame: string;
  hops: number;
  /** Counted in its sender's Tail (frames a client sent; not notices or re-routes). */
  tracked: boolean;
  done(outcome: RouteOutcome): void;
}

/** A sender's frames still on their way through Redis: how many, and the last one's outcome. */
interface Tail {
  last: Promise<unknown>;
  pending: number;
}

const ROUTE_OUTCOMES: ReadonlySet<string> = new Set([
  'delivered',
  'queued',
  'refused',
  'refused-again',
  'dropped',
]);

/** The previous holder of a re-attached id lives on another node: it was told to close by Redis. */
const REMOTE_PREVIOUS: PeerConnection = {
  id: '',
  token: '',
  deliver: () => false,
  close: () => {},
};

const noop = (): void => {};

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export class RedisRegistry implements Registry {
  /** This process's name in the cluster; fresh per start, so a restarted node never inherits ids. */
  readonly nodeId = randomBytes(6).toString('hex');
  readonly #o: RedisRegistryOptions;
  readonly #prefix: string;
  readonly #channel: string;
  readonly #log: Logger;
  readonly #cmd: Redis;
  readonly #sub: Redis;
  readonly #local = new Map<string, LocalPeer>();
  /** Per sender: the last of its frames still on its way through Redis (see Ordering above). */
  readonly #tails = new Map<string, Tail>();
  /** Frames for ids not on this node, sent to Redis together at the end of the tick (one ROUTE call). */
  #outgoing: Pending[] = [];
  #flushScheduled = false;
  #connSeq = 0;
  #up = false;
  #subscribed = false;
  #closed = false;
  #beating = false;
  #expiring = false;
  #timer: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #cluster: ClusterStats;
  #queues = { queues: 0, frames: 0, bytes: 0 };
  /** Payloads on our channel that were not in a known shape (someone else publishing). */
  badPayloads = 0;
  #framesOut = 0;
  #framesIn = 0;

  constructor(options: RedisRegistryOptions) {
    this.#o = options;
    this.#log = options.log;
    this.#prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.#channel = `${this.#prefix}node:${this.nodeId}`;
    this.#cluster = { node: this.nodeId, storeUp: false, nodes: 0, peers: 0, framesOut: 0, framesIn: 0 };
    const common = {
      lazyConnect: true,
      connectionName: `enkrypted-broker-${this.nodeId}`,
      retryStrategy: (times: number) => Math.min(times * REDIS_RETRY_STEP_MS, REDIS_RETRY_MAX_MS),
      // A command on a dead link fails at once instead of piling up: the caller degrades locally.
      maxRetriesPerRequest: 0,
    };
    this.#cmd = new Redis(options.url, {
      ...common,
      enableOfflineQueue: false,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    });
    for (const [name, lua] of Object.entries(SCRIPTS))
      this.#cmd.defineCommand(name, { numberOfKeys: 0, lua });
    this.#sub = new Redis(options.url, { ...common, enableOfflineQueue: true, autoResubscribe: true });
    this.#sub.on('messageBuffer', (_channel: Buffer, payload: Buffer) => this.#onMessage(payload));
    this.#cmd.on('ready', () => this.#onReady());
    this.#sub.on('ready', () => this.#onSubReady());
    for (const c of [this.#cmd, this.#sub]) {
      c.on('close', () => this.#setDown('connection closed'));
      // ioredis reports every failed reconnection; the state change is logged once in #setDown.
      c.on('error', noop);
    }
  }

  /** Connects; resolves once the node is registered in Redis, or after a short wait if it is not reachable. */
  async start(): Promise<void> {
    this.#cmd.connect().catch(noop);
    this.#sub.connect().catch(noop);
    this.#timer = setInterval(
      () => void this.#beat(),
      Math.max(1, Math.floor(this.#o.lapseMs / CLUSTER_HEARTBEATS_PER_LAPSE)),
    );
    this.#timer.unref();
    const deadline = Date.now() + REDIS_COMMAND_TIMEOUT_MS;
    while (!this.#up && !this.#closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  claim(id: string, token: string, conn: PeerConnection): MaybePromise<ClaimOutcome> {
    const tokenHash = hashToken(token);
    const cur = this.#local.get(id);
    if (cur && !sameHash(cur.tokenHash, tokenHash)) return { kind: 'taken' };
    if (!cur && this.#local.size >= this.#o.concurrentLimit) return { kind: 'full' };
    this.#connSeq += 1;
    const entry: LocalPeer = {
      conn,
      connId: this.#connSeq.toString(36),
      tokenHash,
      state: 'pending',
      early: undefined,
    };
    this.#local.set(id, entry);
    if (!this.#up) {
      // Decided locally; the next successful heartbeat re-asserts it cluster-wide.
      entry.state = 'claimed';
      return cur ? { kind: 'reattached', previous: cur.conn } : { kind: 'registered' };
    }
    return this.#claimInRedis(id, entry, cur);
  }

  async #claimInRedis(id: string, entry: LocalPeer, cur: LocalPeer | undefined): Promise<ClaimOutcome> {
    let res: string[];
    try {
      res = strings(
        await this.#call('claim')(
          this.#prefix,
          id,
          entry.tokenHash,
          this.nodeId,
          entry.connId,
          this.#o.lapseMs,
          this.#o.overheadBytes,
          'claim',
        ),
      );
    } catch (err) {
      this.#failed(err);
      entry.state = 'claimed';
      return cur ? { kind: 'reattached', previous: cur.conn } : { kind: 'registered' };
    }
    const [kind, prevNode = '', , ...frames] = res;
    if (kind !== 'registered' && kind !== 'reattached') {
      // 'taken' (or an answer we do not understand: refuse rather than share an id).
      if (this.#local.get(id) === entry) {
        if (cur) this.#local.set(id, cur);
        else this.#local.delete(id);
      }
      return { kind: 'taken' };
    }
    entry.state = 'claimed';
    if (frames.length > 0) entry.early = entry.early ? [...frames, ...entry.early] : frames;
    if (cur) return { kind: 'reattached', previous: cur.conn };
    if (kind === 'reattached' && prevNode !== this.nodeId)
      return { kind: 'reattached', previous: REMOTE_PREVIOUS };
    return { kind: 'registered' };
  }

  release(id: string, conn: PeerConnection): void {
    const e = this.#local.get(id);
    if (!e || e.conn !== conn) return;
    this.#local.delete(id);
    this.#releaseInRedis(id, e.connId);
  }

  #releaseInRedis(id: string, connId: string): void {
    if (!this.#up) return; // the record lapses, or REFRESH never re-asserts it
    this.#call('release')(this.#prefix, id, this.nodeId, connId).catch((err: unknown) => this.#failed(err));
  }

  takeQueued(id: string): string[] {
    const e = this.#local.get(id);
    if (!e) return [];
    e.state = 'live';
    const frames = e.early ?? [];
    e.early = undefined;
    return frames;
  }

  route(
    src: string,
    dst: string,
    queueable: boolean,
    frame: string,
    _now: number,
  ): MaybePromise<RouteOutcome> {
    const tail = this.#tails.get(src);
    if (tail !== undefined && this.#local.get(dst)?.state === 'live') {
      // A local delivery must not overtake this sender's frames still on their way through Redis.
      const p = tail.last.then(() => this.#routeNow(src, dst, queueable, frame, 0, false));
      this.#hold(src, p);
      const release = () => this.#release(src);
      p.then(release, release);
      return p;
    }
    // Frames through Redis keep their order by themselves (one connection, batches in order), so
    // a sender's frames are pipelined, never one round trip each. Released in #flush.
    const r = this.#routeNow(src, dst, queueable, frame, 0, true);
    if (r instanceof Promise) this.#hold(src, r);
    return r;
  }

  #hold(src: string, p: Promise<unknown>): void {
    const t = this.#tails.get(src);
    if (t === undefined) this.#tails.set(src, { last: p, pending: 1 });
    else {
      t.last = p;
      t.pending += 1;
    }
  }

  #release(src: string): void {
    const t = this.#tails.get(src);
    if (t !== undefined && --t.pending === 0) this.#tails.delete(src);
  }

  #routeNow(
    src: string,
    dst: string,
    queueable: boolean,
    frame: string,
    hops: number,
    tracked = false,
  ): MaybePromise<RouteOutcome> {
    const e = this.#local.get(dst);
    if (e !== undefined && e.state === 'live') {
      if (e.conn.deliver(frame)) return 'delivered';
      this.#local.delete(dst);
      this.#releaseInRedis(dst, e.connId);
      return 'dead';
    }
    // Without Redis nothing is known of ids elsewhere: the sender learns at once (EXPIRE).
    if (!this.#up) return queueable ? 'refused' : 'dropped';
    return new Promise<RouteOutcome>((done) => {
      this.#outgoing.push({ src, dst, queueable, frame, hops, tracked, done });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Sends the frames of this tick to Redis, in order, a bounded number per call. */
  #flush(): void {
    this.#flushScheduled = false;
    const all = this.#outgoing;
    this.#outgoing = [];
    const o = this.#o;
    for (let i = 0; i < all.length; ) {
      const batch: Pending[] = [];
      let bytes = 0;
      while (
        i < all.length &&
        batch.length < CLUSTER_ROUTE_BATCH_FRAMES &&
        bytes < CLUSTER_ROUTE_BATCH_BYTES
      ) {
        const p = all[i++]!;
        batch.push(p);
        bytes += p.frame.length;
      }
      const args: (string | number)[] = [
        this.#prefix,
        o.maxMessagesPerPeer,
        o.maxBytesPerPeer,
        o.maxBytesTotal,
        o.overheadBytes,
      ];
      for (const p of batch) args.push(p.src, p.dst, p.queueable ? '1' : '0', p.frame, p.hops);
      this.#call('route')(...args).then(
        (res) => {
          const outcomes = strings(res);
          batch.forEach((p, k) => {
            const r = outcomes[k];
            if (r === 'delivered') this.#framesOut += 1;
            p.done(r !== undefined && ROUTE_OUTCOMES.has(r) ? (r as RouteOutcome) : 'dropped');
            if (p.tracked) this.#release(p.src);
          });
        },
        (err: unknown) => {
          this.#failed(err);
          for (const p of batch) {
            p.done(p.queueable ? 'refused' : 'dropped');
            if (p.tracked) this.#release(p.src);
          }
        },
      );
    }
  }

  /** A frame or notice published to this node. */
  #onMessage(payload: Buffer): void {
    const p = parsePayload(payload);
    if (p === null) {
      this.badPayloads += 1;
      return;
    }
    if (p.kind === 'kick') {
      const e = this.#local.get(p.id);
      if (e && e.connId === p.conn) {
        this.#local.delete(p.id);
        e.conn.close(CLOSE_CODE.replaced, 'replaced by a newer connection');
      }
      return;
    }
    for (const f of p.frames) this.#onFrame(f);
  }

  #onFrame(f: FrameRecord): void {
    this.#framesIn += 1;
    const e = this.#local.get(f.dst);
    if (e && e.connId === f.conn) {
      if (e.state !== 'live') {
        e.early ??= [];
        if (e.early.length < this.#o.maxMessagesPerPeer) e.early.push(f.frame);
        return;
      }
      if (e.conn.deliver(f.frame)) return;
      this.#local.delete(f.dst);
      this.#releaseInRedis(f.dst, e.connId);
      this.#notice('LEAVE', f.dst, f.src);
      return;
    }
    this.#reroute(f);
  }

  /** The connection a frame was published for is gone: drop its record and route the frame again. */
  #reroute(p: FrameRecord): void {
    this.#releaseInRedis(p.dst, p.conn);
    if (p.hops >= CLUSTER_MAX_HOPS) return;
    const r = this.#routeNow(p.src, p.dst, p.queueable, p.frame, p.hops + 1);
    const after = (outcome: RouteOutcome) => {
      if (outcome === 'refused') this.#notice('EXPIRE', p.dst, p.src);
      else if (outcome === 'dead') this.#notice('LEAVE', p.dst, p.src);
    };
    if (r instanceof Promise) r.then(after, noop);
    else after(r);
  }

  /** Tells `to` (wherever it is) that `about` left or could not be reached; never queued. */
  #notice(type: 'LEAVE' | 'EXPIRE', about: string, to: string): void {
    const r = this.#routeNow(about, to, false, encodeRelay(type, about, to, undefined), CLUSTER_MAX_HOPS);
    if (r instanceof Promise) r.catch(noop);
  }

  async expire(_now: number, expireTimeoutMs: number): Promise<ExpiryNotice[]> {
    if (!this.#up || this.#expiring) return [];
    this.#expiring = true;
    try {
      const flat = strings(
        await this.#call('expire')(
          this.#prefix,
          expireTimeoutMs,
          this.#o.overheadBytes,
          CLUSTER_EXPIRE_BATCH,
        ),
      );
      const due: ExpiryNotice[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) due.push({ offline: flat[i]!, sender: flat[i + 1]! });
      return due;
    } catch (err) {
      this.#failed(err);
      return [];
    } finally {
      this.#expiring = false;
    }
  }

  isRegistered(id: string): MaybePromise<boolean> {
    if (this.#local.has(id)) return true;
    if (!this.#up) return false;
    return this.#cmd.exists(`${this.#prefix}peer:${id}`).then(
      (n) => n > 0,
      () => false,
    );
  }

  holdsToken(id: string, token: string): MaybePromise<boolean> {
    const tokenHash = hashToken(token);
    const e = this.#local.get(id);
    if (e !== undefined && e.state !== 'pending') return sameHash(e.tokenHash, tokenHash);
    if (!this.#up) return false;
    return this.#cmd.hget(`${this.#prefix}peer:${id}`, 't').then(
      (t) => typeof t === 'string' && sameHash(t, tokenHash),
      () => false,
    );
  }

  async listIds(): Promise<string[]> {
    const ids = new Set<string>();
    for (const [id, e] of this.#local) if (e.state !== 'pending') ids.add(id);
    if (!this.#up) return [...ids];
    const head = `${this.#prefix}peer:`;
    let cursor = '0';
    try {
      do {
        const [next, keys] = await this.#cmd.scan(cursor, 'MATCH', `${head}*`, 'COUNT', CLUSTER_SCAN_COUNT);
        cursor = next;
        for (const k of keys) if (ids.size < CLUSTER_LIST_IDS_MAX) ids.add(k.slice(head.length));
      } while (cursor !== '0' && ids.size < CLUSTER_LIST_IDS_MAX);
    } catch (err) {
      this.#failed(err);
    }
    return [...ids];
  }

  /**
   * Per node: its own peers. Queue figures are cluster-wide (queues live in Redis) and, like the
   * cluster figures, as of the last heartbeat.
   */
  stats(): RegistryStats {
    const health: RegistryHealth = this.#up ? { ok: true } : { ok: false, reason: 'redis-unreachable' };
    return {
      peers: this.#local.size,
      queues: this.#queues.queues,
      queuedFrames: this.#queues.frames,
      queuedBytes: this.#queues.bytes,
      health,
      cluster: { ...this.#cluster, storeUp: this.#up, framesOut: this.#framesOut, framesIn: this.#framesIn },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#retry) clearTimeout(this.#retry);
    if (this.#up) await this.#call('leave')(this.#prefix, this.nodeId).catch(noop);
    // Let in-flight releases reach Redis before the link goes.
    const inFlight = [...this.#tails.values()].map((t) => t.last);
    await Promise.race([Promise.all(inFlight), new Promise((r) => setTimeout(r, 500))]);
    this.#up = false;
    this.#local.clear();
    await Promise.all([this.#cmd.quit().catch(noop), this.#sub.quit().catch(noop)]);
    this.#cmd.disconnect();
    this.#sub.disconnect();
  }

  #call(name: ScriptName): ScriptCall {
    return (this.#cmd as unknown as Record<ScriptName, ScriptCall>)[name].bind(this.#cmd);
  }

  #onReady(): void {
    if (this.#subscribed) void this.#beat();
  }

  #onSubReady(): void {
    this.#sub.subscribe(this.#channel).then(
      () => {
        this.#subscribed = true;
        if (this.#cmd.status === 'ready') void this.#beat();
      },
      (err: unknown) => this.#failed(err),
    );
  }

  #setDown(why: string): void {
    if (this.#closed) return;
    if (this.#sub.status !== 'ready') this.#subscribed = false;
    if (!this.#up) return;
    this.#up = false;
    this.#log.warn({ why }, 'redis unreachable: serving local peers only');
    // A reconnection triggers a heartbeat by itself ('ready'); a command that timed out on a live
    // link does not, so try again soon rather than at the next regular heartbeat.
    if (this.#retry === undefined) {
      this.#retry = setTimeout(() => {
        this.#retry = undefined;
        void this.#beat();
      }, REDIS_RETRY_MAX_MS);
      this.#retry.unref();
    }
  }

  #failed(err: unknown): void {
    if (this.#closed) return;
    if (this.#up) this.#log.warn({ err: String(err) }, 'redis command failed');
    this.#setDown('command failed');
  }

  /**
   * Heartbeat: marks this node alive, reads the cluster figures, refreshes (or re-asserts) every
   * local registration. The first one that succeeds after an outage brings the node back up.
   */
  async #beat(): Promise<void> {
    if (this.#beating || this.#closed) return;
    if (this.#cmd.status !== 'ready' || !this.#subscribed) return;
    this.#beating = true;
    try {
      const stats = await this.#call('heartbeat')(
        this.#prefix,
        this.nodeId,
        this.#o.lapseMs,
        this.#local.size,
      );
      const [nodes = 0, peers = 0, frames = 0, bytes = 0, queues = 0] = Array.isArray(stats)
        ? stats.map((n) => Number(n) || 0)
        : [];
      this.#cluster = { ...this.#cluster, storeUp: true, nodes, peers };
      this.#queues = { queues, frames, bytes };
      await this.#refreshAll();
      if (!this.#up && !this.#closed) {
        this.#up = true;
        this.#log.info({ node: this.nodeId, nodes, peers }, 'redis reachable: cluster registry up');
      }
    } catch (err) {
      this.#failed(err);
    } finally {
      this.#beating = false;
    }
  }

  async #refreshAll(): Promise<void> {
    const entries = [...this.#local].filter(([, e]) => e.state !== 'pending');
    for (let i = 0; i < entries.length; i += CLUSTER_REFRESH_CHUNK) {
      const chunk = entries.slice(i, i + CLUSTER_REFRESH_CHUNK);
      const args: (string | number)[] = [this.#prefix, this.nodeId, this.#o.lapseMs, this.#o.overheadBytes];
      for (const [id, e] of chunk) args.push(id, e.tokenHash, e.connId);
      const res = await this.#call('refresh')(...args);
      if (!Array.isArray(res)) continue;
      const sent = new Map(chunk);
      for (const id of strings(res[0])) {
        const e = sent.get(id);
        if (e && this.#local.get(id) === e) {
          // Another connection took the id while this node could not reach Redis.
          this.#local.delete(id);
          e.conn.close(CLOSE_CODE.idTaken, 'id taken while the broker was cut off from Redis');
        }
      }
      for (const found of res.slice(1)) {
        const [id, ...frames] = strings(found);
        const e = id === undefined ? undefined : sent.get(id);
        if (!e || this.#local.get(id!) !== e) continue;
        if (e.state === 'live') for (const f of frames) e.conn.deliver(f);
        else e.early = [...(e.early ?? []), ...frames];
      }
    }
  }
}
