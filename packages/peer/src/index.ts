export { DataConnection, type DataConnectionState, type SendOptions } from './connection/data-connection.js';
export type { OfferPayload, Serialization, SupportedSerialization } from './connection/payloads.js';
export { SUPPORTED_SERIALIZATIONS } from './connection/payloads.js';
export {
  allowsApplicationData,
  CONNECTION_EVENTS,
  CONNECTION_STATES,
  type ConnectionEvent,
  type ConnectionState,
  TRANSITIONS,
  transition,
} from './connection/states.js';
export { isPeerError, PEER_ERROR, PeerError, type PeerErrorCode } from './errors.js';
export * from './limits.js';
export { type ConnectOptions, Peer, type PeerOptions } from './peer.js';
export type { PeerConnectionConfig } from './platform/types.js';
export {
  adaptChannel,
  type CascadeHandshakeOptions,
  type CascadeSecureSession,
  cascadeHandshake,
  connectionFingerprints,
  type DtlsFingerprints,
  handshakeFailureCode,
  isIdentityKeyChanged,
  sdpFingerprint,
} from './secure/index.js';
export {
  type HandshakeChannel,
  type HandshakeContext,
  type HandshakeHook,
  type SecureSession,
  Session,
  type SessionFrame,
  type SessionOptions,
} from './session.js';
export { backoffDelay } from './signaling/backoff.js';
export { SignalingClient, type SignalingOptions, type SignalingState } from './signaling/client.js';
export { generatePeerId, generateToken } from './signaling/ids.js';
export type { BrokerAddress } from './signaling/url.js';
export type { WaitOptions } from './util/wait.js';
