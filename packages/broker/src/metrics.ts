/**
 * Prometheus metrics on a registry of our own (several brokers can live in one process). Counters
 * are pre-bound per label value so the relay path increments a field, not a label lookup.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { RegistryStats } from './registry/registry.js';

export const REJECT_REASONS = [
  'missing_params',
  'invalid_params',
  'invalid_key',
  'id_taken',
  'server_full',
  'per_ip_limit',
  'bad_path',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const CLOSE_REASONS = [
  'client',
  'alive_timeout',
  'rate_limited',
  'replaced',
  'slow_consumer',
  'too_big',
  'leave',
  'shutdown',
  'error',
] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

export const RELAY_OUTCOMES = ['delivered', 'queued', 'refused', 'refused-again', 'dead', 'dropped'] as const;

export interface BrokerMetrics {
  registry: Registry;
  accepted: Counter;
  reattached: Counter;
  rejected: Record<RejectReason, Counter.Internal>;
  closed: Record<CloseReason, Counter.Internal>;
  relayed: Record<(typeof RELAY_OUTCOMES)[number], Counter.Internal>;
  heartbeats: Counter;
  invalidFrames: Counter;
  expired: Counter;
  sockets: Gauge;
}

export function createMetrics(stats: () => RegistryStats, openSockets: () => number): BrokerMetrics {
  const registry = new Registry();
  const reg = [registry];
  const rejectedC = new Counter({
    name: 'broker_connections_rejected_total',
    help: 'WebSocket connections refused at admission, by reason',
    labelNames: ['reason'],
    registers: reg,
  });
  const closedC = new Counter({
    name: 'broker_connections_closed_total',
    help: 'Admitted WebSocket connections closed, by reason',
    labelNames: ['reason'],
    registers: reg,
  });
  const relayedC = new Counter({
    name: 'broker_frames_relayed_total',
    help: 'Relay frames (OFFER/ANSWER/CANDIDATE/LEAVE/EXPIRE) by outcome',
    labelNames: ['outcome'],
    registers: reg,
  });
  const bind = <K extends string>(
    c: Counter,
    label: string,
    values: readonly K[],
  ): Record<K, Counter.Internal> =>
    Object.fromEntries(values.map((v) => [v, c.labels({ [label]: v })])) as Record<K, Counter.Internal>;
  const m: BrokerMetrics = {
    registry,
    accepted: new Counter({
      name: 'broker_connections_accepted_total',
      help: 'Peers admitted (OPEN sent)',
      registers: reg,
    }),
    reattached: new Counter({
      name: 'broker_reattach_total',
      help: 'Same-token re-attachments (OPEN sent)',
      registers: reg,
    }),
    rejected: bind(rejectedC, 'reason', REJECT_REASONS),
    closed: bind(closedC, 'reason', CLOSE_REASONS),
    relayed: bind(relayedC, 'outcome', RELAY_OUTCOMES),
    heartbeats: new Counter({
      name: 'broker_heartbeats_total',
      help: 'HEARTBEAT frames received',
      registers: reg,
    }),
    invalidFrames: new Counter({
      name: 'broker_invalid_frames_total',
      help: 'Frames answered with ERROR',
      registers: reg,
    }),
    expired: new Counter({
      name: 'broker_expire_sent_total',
      help: 'EXPIRE notices due to senders',
      registers: reg,
    }),
    sockets: new Gauge({
      name: 'broker_sockets_open',
      help: 'Open WebSockets (admitted or not)',
      registers: reg,
      collect() {
        this.set(openSockets());
      },
    }),
  };
  new Gauge({
    name: 'broker_peers_registered',
    help: 'Registered peer ids',
    registers: reg,
    collect() {
      this.set(stats().peers);
    },
  });
  new Gauge({
    name: 'broker_queued_frames',
    help: 'Frames queued for offline ids',
    registers: reg,
    collect() {
      this.set(stats().queuedFrames);
    },
  });
  new Gauge({
    name: 'broker_queued_bytes',
    help: 'Bytes charged to offline queues (frames + per-queue overhead)',
    registers: reg,
    collect() {
      this.set(stats().queuedBytes);
    },
  });
  return m;
}
