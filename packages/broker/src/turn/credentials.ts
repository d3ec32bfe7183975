/**
 * TURN REST credentials, the scheme coturn implements with `use-auth-secret` and
 * `static-auth-secret` (the "TURN REST API" draft, draft-uberti-behave-turn-rest):
 *
 *   username = "<expiry unix seconds>:<peer id>"
 *   password = base64(HMAC-SHA-1(secret, username))
 *
 * coturn recomputes the password from the username with the same secret and refuses the request
 * once the expiry has passed, so the broker and coturn share one secret and nothing else: no user
 * database, no per-peer state. The peer id after the separator is only a label in coturn's logs.
 */
import { createHmac } from 'node:crypto';

/** coturn's default `rest-api-separator`. Peer ids never contain it (PeerJS id grammar). */
export const TURN_USERNAME_SEPARATOR = ':';

export interface TurnCredentials {
  username: string;
  password: string;
  /** Unix seconds after which coturn refuses them. */
  expiresAt: number;
}

/** The REST username for `peerId`, valid until `expiresAt` (Unix seconds). */
export function turnUsername(expiresAt: number, peerId: string): string {
  if (!Number.isSafeInteger(expiresAt) || expiresAt <= 0) {
    throw new RangeError('expiresAt must be a positive integer (Unix seconds)');
  }
  if (peerId.includes(TURN_USERNAME_SEPARATOR)) throw new RangeError('peer id must not contain ":"');
  return `${expiresAt}${TURN_USERNAME_SEPARATOR}${peerId}`;
}

/** The password coturn expects for `username` under `secret` (the `static-auth-secret` text). */
export function turnPassword(secret: string, username: string): string {
  return createHmac('sha1', Buffer.from(secret, 'utf8')).update(username, 'utf8').digest('base64');
}

/** Mints credentials for `peerId` valid until `expiresAt` (Unix seconds). */
export function mintTurnCredentials(secret: string, peerId: string, expiresAt: number): TurnCredentials {
  const username = turnUsername(expiresAt, peerId);
  return { username, password: turnPassword(secret, username), expiresAt };
}
