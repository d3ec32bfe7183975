/**
 * Broker options: the shape the embeddable API takes, the defaults, and validation. Pure: reading
 * TLS files and secrets happens in the caller (cli.ts) or in server.ts at start.
 */
import { BROKER_ERROR, BrokerError } from './errors.js';
import type { StaticSite } from './http/static-site.js';
import {
  DEFAULT_ALIVE_TIMEOUT_MS,
  DEFAULT_CONCURRENT_LIMIT,
  DEFAULT_EXPIRE_TIMEOUT_MS,
  DEFAULT_HOST,
  DEFAULT_KEY,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_PATH,
  DEFAULT_PER_IP_LIMIT,
  DEFAULT_PORT,
  DEFAULT_RATE_BURST,
  DEFAULT_RATE_PER_SECOND,
  MAX_QUEUED_BYTES_PER_PEER,
  MAX_QUEUED_BYTES_TOTAL,
  MAX_QUEUED_MESSAGES_PER_PEER,
  MAX_SEND_BUFFER_BYTES,
} from './limits.js';
import {
  DEFAULT_CLUSTER_LAPSE_MS,
  DEFAULT_REDIS_PREFIX,
  MIN_CLUSTER_LAPSE_MS,
} from './registry/redis/cluster-limits.js';
import { DEFAULT_TURN_OPTIONS, resolveTurnOptions, type TurnOptions } from './turn/config.js';

export interface TlsMaterial {
  cert: string | Buffer;
  key: string | Buffer;
}

export interface BrokerOptions {
  host: string;
  /** 0 picks a free port; read the actual one from `broker.port` after start(). */
  port: number;
  /** Mount prefix; normalised to start and end with `/`. */
  path: string;
  /** The PeerJS key clients must present (ignored when API tokens are required). */
  key: string;
  aliveTimeoutMs: number;
  expireTimeoutMs: number;
  concurrentLimit: number;
  perIpLimit: number;
  allowDiscovery: boolean;
  maxFrameBytes: number;
  ratePerSecond: number;
  rateBurst: number;
  maxQueuedMessagesPerPeer: number;
  maxQueuedBytesPerPeer: number;
  maxQueuedBytesTotal: number;
  maxSendBufferBytes: number;
  /** CORS allow-list; empty = reflect any Origin (the stock server's default). */
  corsOrigins: string[];
  /** Take the client address from the last X-Forwarded-For hop (only behind a trusted proxy). */
  trustProxy: boolean;
  /** HTTPS/WSS when set. */
  tls: TlsMaterial | undefined;
  /** Allow plain HTTP/WS on a non-loopback address (P2.4 #1 says production MUST use TLS). */
  insecure: boolean;
  /** HMAC secrets for API tokens; the first signs, all verify. Empty = API tokens not required. */
  apiSecrets: Uint8Array[];
  /** Serve GET /metrics. */
  metrics: boolean;
  /** A built web app served on the same port (see http/static-site.ts); undefined = none. */
  staticSite: StaticSite | undefined;
  /** TURN REST credentials for registered peers (turn/config.ts); no secret = endpoint off. */
  turn: TurnOptions;
  /** Cluster mode: `redis://host:port` (or `rediss://`) shared by every node; undefined = one process. */
  redisUrl: string | undefined;
  /** Key prefix in Redis (several clusters or applications may share one Redis). */
  redisPrefix: string;
  /** Cluster mode: time after which a stopped node's registrations lapse. */
  clusterLapseMs: number;
}

export const DEFAULT_OPTIONS: Readonly<BrokerOptions> = Object.freeze({
  host: DEFAULT_HOST,
  port: DEFAULT_PORT,
  path: DEFAULT_PATH,
  key: DEFAULT_KEY,
  aliveTimeoutMs: DEFAULT_ALIVE_TIMEOUT_MS,
  expireTimeoutMs: DEFAULT_EXPIRE_TIMEOUT_MS,
  concurrentLimit: DEFAULT_CONCURRENT_LIMIT,
  perIpLimit: DEFAULT_PER_IP_LIMIT,
  allowDiscovery: false,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  ratePerSecond: DEFAULT_RATE_PER_SECOND,
  rateBurst: DEFAULT_RATE_BURST,
  maxQueuedMessagesPerPeer: MAX_QUEUED_MESSAGES_PER_PEER,
  maxQueuedBytesPerPeer: MAX_QUEUED_BYTES_PER_PEER,
  maxQueuedBytesTotal: MAX_QUEUED_BYTES_TOTAL,
  maxSendBufferBytes: MAX_SEND_BUFFER_BYTES,
  corsOrigins: [],
  trustProxy: false,
  tls: undefined,
  insecure: false,
  apiSecrets: [],
  metrics: true,
  staticSite: undefined,
  turn: DEFAULT_TURN_OPTIONS,
  redisUrl: undefined,
  redisPrefix: DEFAULT_REDIS_PREFIX,
  clusterLapseMs: DEFAULT_CLUSTER_LAPSE_MS,
});

/** Smallest accepted API secret: 256 bits, the HMAC-SHA-256 key size. */
export const API_SECRET_MIN_BYTES = 32;

/** Normalises a mount path the way PeerJS does: leading and trailing slash. */
export function normalizePath(path: string): string {
  let p = path.trim();
  if (!p.startsWith('/')) p = `/${p}`;
  if (!p.endsWith('/')) p = `${p}/`;
  return p;
}

/** True for addresses that never leave this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function requireInt(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BrokerError(BROKER_ERROR.invalidOption, `${name} must be an integer in [${min}, ${max}]`);
  }
}

/** Fills defaults and validates; throws BrokerError(BROKER_INVALID_OPTION | BROKER_INSECURE_BIND). */
export function resolveOptions(partial: Partial<BrokerOptions> = {}): BrokerOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const o: BrokerOptions = { ...DEFAULT_OPTIONS, ...defined };
  o.path = normalizePath(o.path);
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(o.path)) {
    throw new BrokerError(BROKER_ERROR.invalidOption, 'path may only contain URL-safe characters');
  }
  if (typeof o.key !== 'string' || o.key.length === 0 || !/^[\x21-\x7e]+$/.test(o.key)) {
    throw new BrokerError(BROKER_ERROR.invalidOption, 'key must be non-empty printable ASCII');
  }
  if (typeof o.host !== 'string' || o.host.length === 0) {
    throw new BrokerError(BROKER_ERROR.invalidOption, 'host must be a non-empty string');
  }
  requireInt('port', o.port, 0, 65535);
  requireInt('aliveTimeoutMs', o.aliveTimeoutMs, 100);
  requireInt('expireTimeoutMs', o.expireTimeoutMs, 100);
  requireInt('concurrentLimit', o.concurrentLimit, 1);
  requireInt('perIpLimit', o.perIpLimit, 1);
  requireInt('maxFrameBytes', o.maxFrameBytes, 1024, 16 * 1024 * 1024);
  requireInt('ratePerSecond', o.ratePerSecond, 1);
  requireInt('rateBurst', o.rateBurst, 1);
  requireInt('maxQueuedMessagesPerPeer', o.maxQueuedMessagesPerPeer, 0);
  requireInt('maxQueuedBytesPerPeer', o.maxQueuedBytesPerPeer, 0);
  requireInt('maxQueuedBytesTotal', o.maxQueuedBytesTotal, 0);
  requireInt('maxSendBufferBytes', o.maxSendBufferBytes, 1024);
  requireInt('clusterLapseMs', o.clusterLapseMs, MIN_CLUSTER_LAPSE_MS);
  if (o.redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(o.redisUrl)) {
    throw new BrokerError(BROKER_ERROR.invalidOption, 'redis URL must look like redis://host:port');
  }
  if (typeof o.redisPrefix !== 'string' || !/^[\x21-\x7e]{0,64}$/.test(o.redisPrefix)) {
    throw new BrokerError(
      BROKER_ERROR.invalidOption,
      'redis prefix must be at most 64 printable ASCII characters',
    );
  }
  o.turn = resolveTurnOptions(o.turn);
  for (const s of o.apiSecrets) {
    if (s.length < API_SECRET_MIN_BYTES) {
      throw new BrokerError(
        BROKER_ERROR.apiSecret,
        `API secrets must be at least ${API_SECRET_MIN_BYTES} bytes`,
      );
    }
  }
  if (!o.tls && !o.insecure && !isLoopbackHost(o.host)) {
    throw new BrokerError(
      BROKER_ERROR.insecureBind,
      `refusing to serve plain ws on non-loopback address ${o.host}: give TLS files, or --insecure`,
    );
  }
  return o;
}
