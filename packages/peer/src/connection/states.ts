/**
 * The P7.1 connection state machine as an explicit transition table. Pure: no I/O, no timers.
 * Any (state, event) pair missing from the table is a bug in the caller and throws
 * INVALID_TRANSITION; nothing is ignored silently.
 *
 * P7.4 reconnection: Ready --TRANSPORT_LOST--> Disconnected --TRANSPORT_RESTORED--> DataChannelOpen,
 * then CRYPTO_RESUMED (state intact) → Ready, or HANDSHAKE_STARTED → CryptoHandshaking.
 */
import { PEER_ERROR, PeerError } from '../errors.js';

export const CONNECTION_STATES = [
  'Idle',
  'SignalingRegistered',
  'WebRTCConnecting',
  'DataChannelOpen',
  'CryptoHandshaking',
  'Ready',
  'Disconnected',
] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

export const CONNECTION_EVENTS = [
  /** The broker registered our id. */
  'SIGNALING_REGISTERED',
  /** We sent an OFFER (initiator) or accepted one (responder). */
  'NEGOTIATION_STARTED',
  /** The data channel reached `open`. */
  'CHANNEL_OPEN',
  /** The crypto handshake hook started on the open channel. */
  'HANDSHAKE_STARTED',
  /** The hook returned a secure session: all enabled layers are initialised (P7.2). */
  'HANDSHAKE_COMPLETED',
  /** `encryption: 'disabled-for-debugging'`: skip the handshake (P2.4.4 exception). */
  'ENCRYPTION_SKIPPED',
  /** After a restored transport, the secure session from before the outage is still valid (P7.4). */
  'CRYPTO_RESUMED',
  /** ICE failed / disconnected past the grace period / channel closed underneath us. */
  'TRANSPORT_LOST',
  /** A new or restarted transport delivered an open data channel for the same session. */
  'TRANSPORT_RESTORED',
  /** The secure session reported corruption: run a full handshake again (P7.4). */
  'SESSION_CORRUPT',
  /** The handshake hook failed: the channel is unusable for application data. */
  'HANDSHAKE_FAILED',
  /** Negotiation failed before the channel ever opened. */
  'NEGOTIATION_FAILED',
  /** The application (or recovery timeout) closed the session. Terminal. */
  'CLOSED',
] as const;
export type ConnectionEvent = (typeof CONNECTION_EVENTS)[number];

type Table = { readonly [S in ConnectionState]: Partial<Readonly<Record<ConnectionEvent, ConnectionState>>> };

/** The table itself. Read a row as "in this state, these events are allowed, leading there". */
export const TRANSITIONS: Table = {
  Idle: {
    SIGNALING_REGISTERED: 'SignalingRegistered',
    CLOSED: 'Disconnected',
  },
  SignalingRegistered: {
    NEGOTIATION_STARTED: 'WebRTCConnecting',
    CLOSED: 'Disconnected',
  },
  WebRTCConnecting: {
    CHANNEL_OPEN: 'DataChannelOpen',
    NEGOTIATION_FAILED: 'Disconnected',
    TRANSPORT_LOST: 'Disconnected',
    CLOSED: 'Disconnected',
  },
  DataChannelOpen: {
    HANDSHAKE_STARTED: 'CryptoHandshaking',
    ENCRYPTION_SKIPPED: 'Ready',
    CRYPTO_RESUMED: 'Ready',
    TRANSPORT_LOST: 'Disconnected',
    CLOSED: 'Disconnected',
  },
  CryptoHandshaking: {
    HANDSHAKE_COMPLETED: 'Ready',
    HANDSHAKE_FAILED: 'Disconnected',
    TRANSPORT_LOST: 'Disconnected',
    CLOSED: 'Disconnected',
  },
  Ready: {
    TRANSPORT_LOST: 'Disconnected',
    SESSION_CORRUPT: 'CryptoHandshaking',
    CLOSED: 'Disconnected',
  },
  Disconnected: {
    TRANSPORT_RESTORED: 'DataChannelOpen',
    CLOSED: 'Disconnected',
  },
};

/** P7.1: application (message) PDUs may be sent in Ready only. */
export function allowsApplicationData(state: ConnectionState): boolean {
  return state === 'Ready';
}

/** The next state, or INVALID_TRANSITION. */
export function transition(state: ConnectionState, event: ConnectionEvent): ConnectionState {
  const next = TRANSITIONS[state][event];
  if (next === undefined) {
    throw new PeerError(PEER_ERROR.invalidTransition, `event ${event} is not allowed in state ${state}`);
  }
  return next;
}
