/** `GET /healthz` (liveness for load balancers) and `GET /metrics` (Prometheus text format). */
import type { ServerResponse } from 'node:http';
import type { Registry as PromRegistry } from 'prom-client';
import type { RegistryStats } from '../registry/registry.js';
import { sendJson, sendText } from './respond.js';

export function serveHealth(res: ServerResponse, shuttingDown: boolean, stats: RegistryStats): void {
  sendJson(res, shuttingDown ? 503 : 200, {
    status: shuttingDown ? 'shutting-down' : 'ok',
    peers: stats.peers,
  });
}

export function serveMetrics(res: ServerResponse, registry: PromRegistry): void {
  registry.metrics().then(
    (text) => sendText(res, 200, text, registry.contentType),
    () => sendText(res, 500, 'Internal error'),
  );
}
