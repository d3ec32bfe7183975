/**
 * Prometheus metrics on a registry of our own (several brokers can live in one process). The relay
 * path only adds 1 to a plain number (a Tally); prom-client reads the tallies when scraped, so
 * labels are never hashed per frame.
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
  'protocol_error',
  'leave',
  'shutdown',
  'error',
] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

export const RELAY_OUTCOMES = ['delivered', 'queued', 'refused', 'refused-again', 'dead', 'dropped'] as const;
export type RelayOutcome = (typeof RELAY_OUTCOMES)[number];

/** A monotonically increasing count read at scrape time. */
export class Tally {
  value = 0;
  inc(): void {
    this.value += 1;
  }
}

export interface BrokerMetrics {
  registry: Registry;
  accepted: Tally;
  reattached: Tally;
  rejected: Record<RejectReason, Tally>;
  closed: Record<CloseReason, Tally>;
  relayed: Record<RelayOutcome, Tally>;
  heartbeats: Tally;
  invalidFrames: Tally;
  expired: Tally;
}

function tallies<K extends string>(keys: readonly K[]): Record<K, Tally> {
  return Object.fromEntries(keys.map((k) => [k, new Tally()])) as Record<K, Tally>;
}

/** A prom-client counter fed from tallies (one per label value, or a single unlabeled one). */
function counterFrom(
  registry: Registry,
  name: string,
  help: string,
  source: Tally | { label: string; values: Record<string, { readonly value: number }> },
): void {
  const seen = new Map<string, number>();
  new Counter({
    name,
    help,
    labelNames: source instanceof Tally ? [] : [source.label],
    registers: [registry],
    collect() {
      const add = (key: string, t: { readonly value: number }, labels?: Record<string, string>) => {
        const delta = t.value - (seen.get(key) ?? 0);
        seen.set(key, t.value);
        if (delta <= 0) return;
        if (labels) this.inc(labels, delta);
        else this.inc(delta);
      };
      if (source instanceof Tally) add('', source);
      else for (const [k, t] of Object.entries(source.values)) add(k, t, { [source.label]: k });
    },
  });
}

function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

export function createMetrics(stats: () => RegistryStats, openSockets: () => number): BrokerMetrics {
  const registry = new Registry();
  const m: BrokerMetrics = {
    registry,
    accepted: new Tally(),
    reattached: new Tally(),
    rejected: tallies(REJECT_REASONS),
    closed: tallies(CLOSE_REASONS),
    relayed: tallies(RELAY_OUTCOMES),
    heartbeats: new Tally(),
    invalidFrames: new Tally(),
    expired: new Tally(),
  };
  counterFrom(registry, 'broker_connections_accepted_total', 'Peers admitted (OPEN sent)', m.accepted);
  counterFrom(registry, 'broker_reattach_total', 'Same-token re-attachments (OPEN sent)', m.reattached);
  counterFrom(registry, 'broker_connections_rejected_total', 'WebSockets refused at admission, by reason', {
    label: 'reason',
    values: m.rejected,
  });
  counterFrom(registry, 'broker_connections_closed_total', 'Admitted WebSockets closed, by reason', {
    label: 'reason',
    values: m.closed,
  });
  counterFrom(registry, 'broker_frames_relayed_total', 'Relay frames by outcome', {
    label: 'outcome',
    values: m.relayed,
  });
  counterFrom(registry, 'broker_heartbeats_total', 'HEARTBEAT frames received', m.heartbeats);
  counterFrom(registry, 'broker_invalid_frames_total', 'Frames answered with ERROR', m.invalidFrames);
  counterFrom(registry, 'broker_expire_sent_total', 'EXPIRE notices due to senders', m.expired);
  gauge(registry, 'broker_sockets_open', 'Open WebSockets (admitted or not)', openSockets);
  gauge(registry, 'broker_peers_registered', 'Registered peer ids (on this node)', () => stats().peers);
  // Cluster figures: per node above, whole cluster here (as of the node's last heartbeat).
  gauge(
    registry,
    'broker_cluster_peers',
    'Registered peer ids on every live node (0 outside a cluster)',
    () => stats().cluster?.peers ?? 0,
  );
  gauge(
    registry,
    'broker_cluster_nodes',
    'Live broker nodes in the cluster (0 outside a cluster)',
    () => stats().cluster?.nodes ?? 0,
  );
  // Read at scrape time from the registry's own totals (a cluster node counts what crosses Redis).
  counterFrom(registry, 'broker_cluster_frames_total', 'Frames sent to and received from other nodes', {
    label: 'direction',
    values: {
      out: {
        get value() {
          return stats().cluster?.framesOut ?? 0;
        },
      },
      in: {
        get value() {
          return stats().cluster?.framesIn ?? 0;
        },
      },
    },
  });
  gauge(registry, 'broker_store_up', 'Whether the registry store answers (1 outside a cluster)', () =>
    stats().health?.ok === false ? 0 : 1,
  );
  gauge(
    registry,
    'broker_queued_frames',
    'Frames queued for offline ids (cluster-wide in a cluster)',
    () => stats().queuedFrames,
  );
  gauge(
    registry,
    'broker_queued_bytes',
    'Bytes charged to offline queues (frames + per-queue overhead)',
    () => stats().queuedBytes,
  );
  return m;
}
