/**
 * `POST {path}{key}/turn-credentials` with body `{"id": "<peer id>", "token": "<peer token>"}`:
 * short-lived TURN credentials (turn/credentials.ts) for a peer that is registered on this broker
 * with that id and token. Answer (the TURN REST API draft's shape plus `expiresAt`):
 *
 *   {"username": "1764111111:alice", "password": "…", "ttl": 3600, "expiresAt": 1764111111,
 *    "uris": ["turn:turn.example:3478?transport=udp", …]}
 *
 * 404 when no TURN secret is configured, 405 other methods, 429 rate-limited (per address),
 * 413 body over TURN_REQUEST_MAX_BYTES, 400 malformed body, 403 id not registered with that token.
 * The secret, the token and the password are never logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidPeerId, MAX_TOKEN_LENGTH, TOKEN_PATTERN } from '@enkrypted/protocol';
import type { Logger } from '../logger.js';
import { type MaybePromise, settle } from '../maybe-promise.js';
import type { TurnOptions } from '../turn/config.js';
import { mintTurnCredentials } from '../turn/credentials.js';
import { TURN_REQUEST_MAX_BYTES } from '../turn/limits.js';
import type { AddressRateLimiter } from '../turn/rate-limit.js';
import { sendJson, sendText } from './respond.js';

export interface TurnCredentialsDeps {
  turn: TurnOptions;
  limiter: AddressRateLimiter;
  /** Whether `id` is registered right now with `token` (may ask a shared store). */
  holdsToken(id: string, token: string): MaybePromise<boolean>;
  clientAddress(req: IncomingMessage): string;
  log: Logger;
  /** Clock in ms. */
  now(): number;
}

/** The credentials response body. */
export interface TurnCredentialsResponse {
  username: string;
  password: string;
  ttl: number;
  expiresAt: number;
  uris: string[];
}

function parseRequest(text: string): { id: string; token: string } | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const { id, token } = v as { id?: unknown; token?: unknown };
  if (typeof id !== 'string' || !isValidPeerId(id)) return undefined;
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !TOKEN_PATTERN.test(token))
    return undefined;
  return { id, token };
}

export function serveTurnCredentials(req: IncomingMessage, res: ServerResponse, deps: TurnCredentialsDeps) {
  const { turn } = deps;
  const secret = turn.secret;
  if (secret === undefined) return sendText(res, 404, 'TURN credentials are not configured');
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST, OPTIONS');
    return sendText(res, 405, 'Method not allowed');
  }
  const address = deps.clientAddress(req);
  if (!deps.limiter.take(address, deps.now())) {
    deps.log.info({ ip: address }, 'TURN credential rate limit reached');
    return sendText(res, 429, 'Too many requests');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  req.on('data', (chunk: Buffer) => {
    if (done) return;
    size += chunk.length;
    if (size > TURN_REQUEST_MAX_BYTES) {
      done = true;
      res.setHeader('Connection', 'close');
      sendText(res, 413, 'Request body too large');
      req.resume();
      return;
    }
    chunks.push(chunk);
  });
  req.on('error', () => {
    done = true;
  });
  req.on('end', () => {
    if (done) return;
    done = true;
    const body = parseRequest(Buffer.concat(chunks).toString('utf8'));
    if (!body) return sendText(res, 400, 'Body must be {"id": "<peer id>", "token": "<token>"}');
    settle(
      deps.holdsToken(body.id, body.token),
      (holds) => {
        if (!holds) return sendText(res, 403, 'Not registered with this id and token');
        const expiresAt = Math.floor(deps.now() / 1000) + turn.ttlSeconds;
        const creds = mintTurnCredentials(secret, body.id, expiresAt);
        const answer: TurnCredentialsResponse = {
          username: creds.username,
          password: creds.password,
          ttl: turn.ttlSeconds,
          expiresAt,
          uris: turn.urls,
        };
        deps.log.debug({ peer: body.id, expiresAt }, 'TURN credentials issued');
        sendJson(res, 200, answer);
      },
      (err) => {
        deps.log.error({ err }, 'TURN credential check failed');
        sendText(res, 500, 'Internal error');
      },
    );
  });
}
