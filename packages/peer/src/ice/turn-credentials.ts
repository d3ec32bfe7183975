/**
 * The broker's TURN credentials route (docs/protocol.md §1, "TURN credentials"): where it lives,
 * what it answers, and how an answer becomes an `RTCIceServer`. Pure, no I/O.
 */
import { type BrokerAddress, normalisePath } from '../signaling/url.js';

/** A validated answer of `POST {path}{key}/turn-credentials`. */
export interface TurnCredentials {
  username: string;
  password: string;
  /** Lifetime the broker granted, seconds. */
  ttl: number;
  /** Unix seconds after which the TURN server refuses them. */
  expiresAt: number;
  /** `turn:`, `turns:` and `stun:` URLs to use them with. */
  uris: string[];
}

/** Bounds on what we accept from the broker (generous: they only stop nonsense). */
const MAX_URIS = 16;
const MAX_FIELD_CHARS = 512;
const URI = /^(?:stuns?|turns?):[^\s@]+$/;

export function turnCredentialsUrl(address: BrokerAddress): string {
  const scheme = address.secure ? 'https' : 'http';
  const key = encodeURIComponent(address.key ?? 'peerjs');
  return `${scheme}://${address.host}:${address.port}${normalisePath(address.path)}${key}/turn-credentials`;
}

/** Parses the route's JSON answer; undefined for anything that is not exactly the documented shape. */
export function parseTurnCredentials(text: string): TurnCredentials | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const { username, password, ttl, expiresAt, uris } = o;
  const shortString = (s: unknown): s is string =>
    typeof s === 'string' && s.length > 0 && s.length <= MAX_FIELD_CHARS;
  if (!shortString(username) || !shortString(password)) return undefined;
  if (!Number.isSafeInteger(ttl) || (ttl as number) <= 0) return undefined;
  if (!Number.isSafeInteger(expiresAt) || (expiresAt as number) <= 0) return undefined;
  if (!Array.isArray(uris) || uris.length === 0 || uris.length > MAX_URIS) return undefined;
  if (!uris.every((u) => shortString(u) && URI.test(u))) return undefined;
  return { username, password, ttl: ttl as number, expiresAt: expiresAt as number, uris: [...uris] };
}

/** STUN URLs need no credentials; TURN URLs carry them. */
export function toIceServers(creds: TurnCredentials): RTCIceServer[] {
  const turn = creds.uris.filter((u) => u.startsWith('turn'));
  const stun = creds.uris.filter((u) => u.startsWith('stun'));
  const servers: RTCIceServer[] = [];
  if (turn.length > 0) servers.push({ urls: turn, username: creds.username, credential: creds.password });
  if (stun.length > 0) servers.push({ urls: stun });
  return servers;
}
