/**
 * The peer package's one error type. `code` is the contract (stable, asserted by tests, listed in
 * packages/peer/README.md); `message` is for people and never carries tokens or payloads.
 */
export const PEER_ERROR = {
  /** The remote id is not registered on the broker (EXPIRE / LEAVE for a pending connection). */
  peerUnavailable: 'PEER_UNAVAILABLE',
  /** The broker holds our id for another token (ID-TAKEN). */
  idTaken: 'ID_TAKEN',
  /** The broker refused our key (INVALID-KEY, or ERROR "Invalid key provided"). */
  invalidKey: 'INVALID_KEY',
  /** A peer id that does not follow the PeerJS id grammar or our length limit. */
  invalidId: 'INVALID_ID',
  /** Any other broker ERROR frame, or an unusable HTTP answer from the broker. */
  serverError: 'SERVER_ERROR',
  /** The broker could not be reached or the socket dropped and could not be restored. */
  network: 'NETWORK',
  /** The caller's AbortSignal fired. */
  aborted: 'ABORTED',
  /** A wait exceeded its timeout. */
  timeout: 'TIMEOUT',
  /** The peer, connection or session was closed while the operation was pending. */
  closed: 'CLOSED',
  /** A bounded queue (signaling, outage buffer) is full; the item was refused, not dropped. */
  queueFull: 'QUEUE_FULL',
  /** A message exceeds what the channel or serialization can carry. */
  messageTooBig: 'MESSAGE_TOO_BIG',
  /** A value the chosen serialization cannot encode (e.g. top-level null for json). */
  invalidMessage: 'INVALID_MESSAGE',
  /** The remote offered a serialization this library does not implement. */
  unsupportedSerialization: 'UNSUPPORTED_SERIALIZATION',
  /** WebRTC negotiation failed (SDP rejected, ICE failed before the channel opened). */
  negotiationFailed: 'NEGOTIATION_FAILED',
  /**
   * Relay-only mode, and no TURN relay candidate could be gathered: the TURN server is unreachable
   * or refused the credentials (expired, forged, wrong secret). Node platform; browsers report
   * NEGOTIATION_FAILED once ICE gives up.
   */
  relayUnavailable: 'RELAY_UNAVAILABLE',
  /** Application data refused because the session is not in Ready (P7.1). */
  notReady: 'NOT_READY',
  /** No handshake hook and encryption not explicitly disabled: application data is refused (P2.4). */
  encryptionRequired: 'ENCRYPTION_REQUIRED',
  /** The crypto handshake hook threw or returned nothing usable. */
  handshakeFailed: 'HANDSHAKE_FAILED',
  /** The transport was lost and could not be restored in time; queued messages are rejected with this. */
  recoveryFailed: 'RECOVERY_FAILED',
  /**
   * After a recovery, the remote had not received messages that had already left the retention
   * window: they are reported (event on the session), never dropped silently.
   */
  messagesLost: 'MESSAGES_LOST',
  /** A P7 state-machine event that is not allowed in the current state (a bug, never silent). */
  invalidTransition: 'INVALID_TRANSITION',
} as const;
export type PeerErrorCode = (typeof PEER_ERROR)[keyof typeof PEER_ERROR];

export class PeerError extends Error {
  readonly code: PeerErrorCode;
  constructor(code: PeerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PeerError';
    this.code = code;
  }
}

export function isPeerError(err: unknown, code?: PeerErrorCode): err is PeerError {
  return err instanceof PeerError && (code === undefined || err.code === code);
}
