/**
 * `GET {path}{key}/id`: a fresh random id as bare text (the stock client uses the body verbatim).
 * UUIDs satisfy the peer-id grammar, so the client may later reuse them as user-supplied ids.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ID_GENERATION_ATTEMPTS } from '../limits.js';
import { type MaybePromise, settle } from '../maybe-promise.js';
import { sendText } from './respond.js';

export function serveId(res: ServerResponse, isRegistered: (id: string) => MaybePromise<boolean>): void {
  const attempt = (left: number): void => {
    const id = randomUUID();
    settle(
      isRegistered(id),
      (taken) => {
        if (!taken) sendText(res, 200, id, 'text/html; charset=utf-8');
        else if (left > 1) attempt(left - 1);
        else sendText(res, 503, 'Could not allocate an id');
      },
      () => sendText(res, 500, 'Internal error'),
    );
  };
  attempt(ID_GENERATION_ATTEMPTS);
}
