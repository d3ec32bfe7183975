/**
 * Wiring: options → HTTP(S) server + WebSocket upgrade + registry + one housekeeping timer.
 * `createBroker(options)` is the embeddable API; cli.ts is a thin shell around it.
 */
import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { encodeRelay } from '@enkrypted/protocol';
import { WebSocketServer } from 'ws';
import { CLOSE_CODE } from './close-codes.js';
import { BROKER_ERROR, BrokerError } from './errors.js';
import { createRouter } from './http/router.js';
import { clientAddress, refuseUpgrade } from './http/upgrade.js';
import {
  QUEUE_OVERHEAD_BYTES,
  SHUTDOWN_GRACE_MS,
  SWEEP_INTERVAL_MAX_MS,
  SWEEP_INTERVAL_MIN_MS,
} from './limits.js';
import { type Logger, silentLogger } from './logger.js';
import { settle } from './maybe-promise.js';
import { type BrokerMetrics, createMetrics } from './metrics.js';
import { type BrokerOptions, resolveOptions } from './options.js';
import { MemoryRegistry } from './registry/memory.js';
import { RedisRegistry } from './registry/redis/redis-registry.js';
import type { Registry } from './registry/registry.js';
import type { BrokerContext } from './session/context.js';
import { Session } from './session/session.js';

export interface CreateBrokerOptions extends Partial<BrokerOptions> {
  /** pino logger; default: silent (the CLI passes a real one). */
  logger?: Logger;
  /** Peer state store; default: Redis when `redisUrl` is set, else in-memory. */
  registry?: Registry;
}

export interface ConnectionEvent {
  id: string;
  reattached: boolean;
}
export interface DisconnectEvent {
  id: string;
  reason: string;
}

export interface BrokerEvents {
  listening: [{ host: string; port: number; url: string }];
  connection: [ConnectionEvent];
  disconnect: [DisconnectEvent];
  rejected: [{ reason: string }];
}

export interface Broker extends EventEmitter<BrokerEvents> {
  readonly options: BrokerOptions;
  readonly registry: Registry;
  readonly metrics: BrokerMetrics;
  /** Actual listening port (after start()). */
  readonly port: number;
  /** Base URL, e.g. `ws://127.0.0.1:9000/` (WebSocket endpoint is `${url}peerjs`). */
  readonly url: string;
  /** Number of open WebSockets. */
  readonly socketCount: number;
  start(): Promise<void>;
  /** Closes every socket (1001), stops listening. Idempotent. */
  stop(): Promise<void>;
}

/** Housekeeping period for the given timeouts (see SWEEP_INTERVAL_*). */
export function sweepInterval(aliveTimeoutMs: number, expireTimeoutMs: number): number {
  const quarter = Math.floor(Math.min(aliveTimeoutMs, expireTimeoutMs) / 4);
  return Math.max(SWEEP_INTERVAL_MIN_MS, Math.min(SWEEP_INTERVAL_MAX_MS, quarter));
}

class BrokerImpl extends EventEmitter<BrokerEvents> implements Broker {
  readonly options: BrokerOptions;
  readonly registry: Registry;
  readonly metrics: BrokerMetrics;
  readonly #log: Logger;
  readonly #sessions = new Set<Session>();
  readonly #perIp = new Map<string, number>();
  readonly #ctx: BrokerContext;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #wsPath: string;
  #sweep: NodeJS.Timeout | undefined;
  #port = 0;
  #state: 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' = 'idle';
  #stopped: Promise<void> | undefined;

  constructor(input: CreateBrokerOptions) {
    super();
    const { logger, registry, ...rest } = input;
    this.options = resolveOptions(rest);
    const o = this.options;
    this.#log = logger ?? silentLogger();
    this.registry = registry ?? defaultRegistry(o, this.#log);
    this.metrics = createMetrics(
      () => this.registry.stats(),
      () => this.#sessions.size,
    );
    this.#ctx = {
      options: o,
      registry: this.registry,
      metrics: this.metrics,
      log: this.#log,
      sessions: this.#sessions,
      events: this,
      releaseIp: (ip) => this.#releaseIp(ip),
      now: Date.now,
    };
    this.#wsPath = `${o.path}peerjs`;
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: o.maxFrameBytes,
    });
    const router = createRouter({
      options: o,
      registry: this.registry,
      prom: this.metrics.registry,
      log: this.#log,
      isShuttingDown: () => this.#state === 'stopping' || this.#state === 'stopped',
    });
    this.#server = o.tls
      ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key }, router)
      : createHttpServer(router);
    this.#server.on('upgrade', (req, socket: Duplex, head: Buffer) => this.#onUpgrade(req, socket, head));
    this.#server.on('clientError', (_err, socket: Duplex) => socket.destroy());
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    const scheme = this.options.tls ? 'wss' : 'ws';
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `${scheme}://${host}:${this.#port}${this.options.path}`;
  }

  get socketCount(): number {
    return this.#sessions.size;
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new BrokerError(BROKER_ERROR.alreadyStarted, 'broker already started');
    this.#state = 'starting';
    // A shared store that is down does not stop the node: it serves local peers and reports unhealthy.
    await this.registry.start?.();
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        this.#state = 'idle';
        Promise.resolve(this.registry.close()).then(
          () => reject(err),
          () => reject(err),
        );
      };
      this.#server.once('error', onError);
      this.#server.listen(this.options.port, this.options.host, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.#state = 'running';
    const o = this.options;
    this.#sweep = setInterval(() => this.#housekeeping(), sweepInterval(o.aliveTimeoutMs, o.expireTimeoutMs));
    this.#sweep.unref();
    this.emit('listening', { host: o.host, port: this.#port, url: this.url });
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#shutdown();
    return this.#stopped;
  }

  async #shutdown(): Promise<void> {
    const wasRunning = this.#state === 'running';
    this.#state = 'stopping';
    if (this.#sweep) clearInterval(this.#sweep);
    const serverClosed = new Promise<void>((resolve) => {
      if (!wasRunning) return resolve();
      this.#server.close(() => resolve());
    });
    this.#server.closeIdleConnections();
    const sessions = [...this.#sessions];
    for (const s of sessions) s.close(CLOSE_CODE.goingAway, 'server shutting down', 'shutdown');
    const deadline = Date.now() + SHUTDOWN_GRACE_MS;
    while (this.#sessions.size > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const s of this.#sessions) s.ws.terminate();
    this.#server.closeAllConnections();
    await serverClosed;
    await this.registry.close();
    this.#state = 'stopped';
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path !== this.#wsPath) {
      this.metrics.rejected.bad_path.inc();
      refuseUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (this.#state !== 'running') {
      refuseUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    const o = this.options;
    const ip = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], o.trustProxy);
    if ((this.#perIp.get(ip) ?? 0) >= o.perIpLimit) {
      this.metrics.rejected.per_ip_limit.inc();
      this.#log.info({ ip }, 'per-IP connection limit reached');
      this.emit('rejected', { reason: 'per_ip_limit' });
      refuseUpgrade(socket, 429, 'Too Many Requests');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      // ws completes the handshake synchronously, so the per-IP count cannot be overrun in between.
      this.#perIp.set(ip, (this.#perIp.get(ip) ?? 0) + 1);
      const session = new Session(this.#ctx, ws, ip);
      this.#sessions.add(session);
      session.admit(q < 0 ? '' : url.slice(q + 1));
    });
  }

  #releaseIp(ip: string): void {
    const n = (this.#perIp.get(ip) ?? 1) - 1;
    if (n <= 0) this.#perIp.delete(ip);
    else this.#perIp.set(ip, n);
  }

  /** The one timer: liveness of every socket and expiry of queued frames. */
  #housekeeping(): void {
    const now = Date.now();
    const o = this.options;
    const cutoff = now - o.aliveTimeoutMs;
    for (const s of this.#sessions) {
      if (s.lastSeen <= cutoff && s.isOpen) {
        this.#log.debug({ peer: s.id }, 'alive timeout');
        s.close(CLOSE_CODE.aliveTimeout, 'alive timeout', 'alive_timeout');
      }
    }
    settle(
      this.registry.expire(now, o.expireTimeoutMs),
      (due) => {
        for (const { offline, sender } of due) {
          this.metrics.expired.inc();
          const frame = encodeRelay('EXPIRE', offline, sender, undefined);
          // EXPIRE is never queued: an offline sender simply misses it, as with the stock server.
          settle(
            this.registry.route(offline, sender, false, frame, now),
            () => {},
            (err) => this.#log.error({ err }, 'EXPIRE delivery failed'),
          );
        }
      },
      (err) => this.#log.error({ err }, 'queue expiry failed'),
    );
  }
}

function defaultRegistry(o: BrokerOptions, log: Logger): Registry {
  const bounds = {
    concurrentLimit: o.concurrentLimit,
    maxMessagesPerPeer: o.maxQueuedMessagesPerPeer,
    maxBytesPerPeer: o.maxQueuedBytesPerPeer,
    maxBytesTotal: o.maxQueuedBytesTotal,
    overheadBytes: QUEUE_OVERHEAD_BYTES,
  };
  if (o.redisUrl === undefined) return new MemoryRegistry(bounds);
  return new RedisRegistry({
    ...bounds,
    url: o.redisUrl,
    prefix: o.redisPrefix,
    lapseMs: o.clusterLapseMs,
    log,
  });
}

/** Creates a broker; call `start()` to listen. */
export function createBroker(options: CreateBrokerOptions = {}): Broker {
  return new BrokerImpl(options);
}
