/** `GET /healthz` (liveness for load balancers) and `GET /metrics` (Prometheus text format). */
import type { ServerResponse } from 'node:http';
import type { Registry as PromRegistry } from 'prom-client';
import type { RegistryStats } from '../registry/registry.js';
import { sendJson, sendText } from './respond.js';

/**
 * 200 `{status:'ok'}` while the node can serve; 503 with a stable `reason` when it should be taken
 * out of a load balancer: shutting down, or (cluster) its Redis is unreachable. A cluster node also
 * reports its id and the cluster figures it last read.
 */
export function serveHealth(res: ServerResponse, shuttingDown: boolean, stats: RegistryStats): void {
  const unhealthy = stats.health && !stats.health.ok;
  const body: Record<string, unknown> = shuttingDown
    ? { status: 'shutting-down', reason: 'shutting-down' }
    : unhealthy
      ? { status: 'unhealthy', reason: stats.health?.reason ?? 'unknown' }
      : { status: 'ok' };
  body.peers = stats.peers;
  if (stats.cluster) {
    body.node = stats.cluster.node;
    body.cluster = { nodes: stats.cluster.nodes, peers: stats.cluster.peers };
  }
  sendJson(res, shuttingDown || unhealthy ? 503 : 200, body);
}

export function serveMetrics(res: ServerResponse, registry: PromRegistry): void {
  registry.metrics().then(
    (text) => sendText(res, 200, text, registry.contentType),
    () => sendText(res, 500, 'Internal error'),
  );
}
