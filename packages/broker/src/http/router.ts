/**
 * The HTTP routes, relative to the mount path `{path}` (always ends with `/`):
 * `GET {path}` info, `GET {path}{key}/id`, `GET {path}{key}/peers`; and at the root `GET /healthz`,
 * `GET /metrics`. CORS on every response. With a static site (the web app), every other GET is
 * answered from it, and `GET {path}` serves the app instead of the info JSON. Everything else is 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry as PromRegistry } from 'prom-client';
import { verifyApiToken } from '../auth/api-token.js';
import { type Logger, silentLogger } from '../logger.js';
import type { BrokerOptions } from '../options.js';
import type { Registry } from '../registry/registry.js';
import { candidateTallies } from '../turn/candidate-types.js';
import { AddressRateLimiter } from '../turn/rate-limit.js';
import { answerPreflight, applyCors } from './cors.js';
import { serveHealth, serveMetrics } from './health.js';
import { serveId } from './id.js';
import { serveInfo } from './info.js';
import { servePeers } from './peers.js';
import { sendText } from './respond.js';
import { serveStatic } from './static-site.js';
import { serveTurnCredentials } from './turn-credentials.js';
import { clientAddress } from './upgrade.js';

export interface RouterDeps {
  options: BrokerOptions;
  registry: Registry;
  prom: PromRegistry;
  isShuttingDown(): boolean;
  /** Default: silent. */
  log?: Logger;
}

const KEY_ROUTE = /^([^/]{1,256})\/(id|peers|turn-credentials)$/;

export function createRouter(deps: RouterDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { options, registry } = deps;
  const prefix = options.path;
  const bare = prefix.length > 1 ? prefix.slice(0, -1) : prefix;
  const turn = {
    turn: options.turn,
    limiter: new AddressRateLimiter(),
    holdsToken: (id: string, token: string) => registry.holdsToken(id, token),
    clientAddress: (req: IncomingMessage) =>
      clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], options.trustProxy),
    log: deps.log ?? silentLogger(),
    now: Date.now,
  };
  // Registered here so the relay-only counter shows zeros from the first scrape.
  candidateTallies(deps.prom);
  return (req, res) => {
    applyCors(req, res, options.corsOrigins);
    if (req.method === 'OPTIONS') return answerPreflight(req, res);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const isGet = req.method === 'GET' || req.method === 'HEAD';
    if (!isGet && !path.endsWith('/turn-credentials')) return sendText(res, 404, 'Not found');
    if (path === '/healthz') return serveHealth(res, deps.isShuttingDown(), registry.stats());
    if (path === '/metrics' && options.metrics) return serveMetrics(res, deps.prom);
    const m = path.startsWith(prefix) ? KEY_ROUTE.exec(path.slice(prefix.length)) : null;
    if (!m) {
      if (!isGet) return sendText(res, 404, 'Not found');
      if (options.staticSite && serveStatic(options.staticSite, path, res)) return;
      if (path === prefix || path === bare) return serveInfo(res);
      return sendText(res, 404, 'Not found');
    }
    if (options.apiSecrets.length > 0) {
      // The stock server ignores the key on HTTP routes; with API tokens on, they need one too.
      let key: string;
      try {
        key = decodeURIComponent(m[1]!);
      } catch {
        return sendText(res, 401, 'Unauthorized');
      }
      if (!verifyApiToken(key, options.apiSecrets, Math.floor(Date.now() / 1000)).ok) {
        return sendText(res, 401, 'Unauthorized');
      }
    }
    if (m[2] === 'turn-credentials') return serveTurnCredentials(req, res, turn);
    if (m[2] === 'id') return serveId(res, (id) => registry.isRegistered(id));
    return servePeers(res, options.allowDiscovery, () => registry.listIds());
  };
}
