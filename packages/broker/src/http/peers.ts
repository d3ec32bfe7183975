/** `GET {path}{key}/peers`: every registered id, only when discovery is on (else 401 as stock). */
import type { ServerResponse } from 'node:http';
import { type MaybePromise, settle } from '../maybe-promise.js';
import { sendJson, sendText } from './respond.js';

export function servePeers(
  res: ServerResponse,
  allowDiscovery: boolean,
  list: () => MaybePromise<string[]>,
): void {
  if (!allowDiscovery) {
    sendText(res, 401, 'Unauthorized');
    return;
  }
  settle(
    list(),
    (ids) => sendJson(res, 200, ids),
    () => sendText(res, 500, 'Internal error'),
  );
}
