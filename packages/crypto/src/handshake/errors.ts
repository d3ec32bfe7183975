/**
 * Why a handshake ended without Ready. `code` is the wire code sent to the peer in `protocol-error`
 * (SESSION_ERROR of @enkrypted/protocol, or a CRYPTO_* code such as CRYPTO_IDENTITY_KEY_CHANGED), so
 * the local error and the peer's report name the same condition. Tests assert codes, not texts.
 */
import { isProtocolError, isWireErrorCode, SESSION_ERROR, type WireErrorCode } from '@enkrypted/protocol';
import { isCryptoError } from '../errors.js';

export class HandshakeError extends Error {
  readonly code: WireErrorCode;
  /** True when the peer reported the failure (its `protocol-error`), false when we detected it. */
  readonly reportedByPeer: boolean;
  constructor(code: WireErrorCode, message: string, reportedByPeer = false) {
    super(message);
    this.name = 'HandshakeError';
    this.code = code;
    this.reportedByPeer = reportedByPeer;
  }
}

export function isHandshakeError(err: unknown, code?: WireErrorCode): err is HandshakeError {
  return err instanceof HandshakeError && (code === undefined || err.code === code);
}

/**
 * The wire code for an error thrown by a handshake task: crypto and protocol codes that have a wire
 * form keep it (identity key changed, bad signature, malformed PDU), anything else is
 * HANDSHAKE_FAILED. Never leaks the error text to the peer.
 */
export function wireCodeOf(err: unknown): WireErrorCode {
  if (err instanceof HandshakeError) return err.code;
  if ((isCryptoError(err) || isProtocolError(err)) && isWireErrorCode(err.code)) return err.code;
  return SESSION_ERROR.handshakeFailed;
}
