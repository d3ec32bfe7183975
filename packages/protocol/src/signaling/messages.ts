/**
 * The PeerJS signaling wire protocol (see docs/protocol.md §Signaling and
 * shared/reference/peerjs-protocol.md). Field names and exact JSON shapes are the wire contract with
 * the stock `peer` server and `peerjs` client.
 */

/** Relayed between peers by the broker, `src` rewritten by the broker. */
export const RELAY_TYPES = ['OFFER', 'ANSWER', 'CANDIDATE', 'LEAVE', 'EXPIRE'] as const;
export type RelayType = (typeof RELAY_TYPES)[number];

/** Everything a server may send. `INVALID-KEY` is legacy; stock clients still understand it. */
export const SERVER_TYPES = ['OPEN', 'ERROR', 'ID-TAKEN', 'INVALID-KEY', ...RELAY_TYPES] as const;
export type ServerType = (typeof SERVER_TYPES)[number];

/** Everything a client may send. */
export const CLIENT_TYPES = ['HEARTBEAT', ...RELAY_TYPES] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];

export interface OpenMessage {
  type: 'OPEN';
}
export interface ErrorMessage {
  type: 'ERROR' | 'ID-TAKEN' | 'INVALID-KEY';
  payload: { msg: string };
}
export interface RelayMessage {
  type: RelayType;
  src?: string;
  dst?: string;
  payload?: unknown;
}
export interface HeartbeatMessage {
  type: 'HEARTBEAT';
}

export type ServerMessage = OpenMessage | ErrorMessage | RelayMessage;
export type ClientMessage = HeartbeatMessage | RelayMessage;

/** Exact texts of the stock server's admission errors (clients and tests match on them). */
export const SERVER_ERROR_TEXT = {
  missingParams: 'No id, token, or key supplied to websocket server',
  invalidKey: 'Invalid key provided',
  idTaken: 'ID is taken',
  concurrentLimit: 'Server has reached its concurrent user limit',
} as const;

export function isRelayType(t: unknown): t is RelayType {
  return typeof t === 'string' && (RELAY_TYPES as readonly string[]).includes(t);
}

export function isServerType(t: unknown): t is ServerType {
  return typeof t === 'string' && (SERVER_TYPES as readonly string[]).includes(t);
}
