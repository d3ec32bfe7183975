/**
 * The P3 cascade handshake as a Session hook: runs `runHandshake` of @enkrypted/crypto over the open
 * data channel with our identity, the contact pins and the DTLS fingerprints of the connection's own
 * SDP, and adapts the resulting SecureChannel (P6 paths) to the Session's SecureSession.
 */
import {
  type ContactPins,
  CRYPTO_ERROR,
  type HandshakeOptions,
  type IdentityKeyPair,
  isHandshakeError,
  type PublicIdentity,
  runHandshake,
  type SecureChannel,
} from '@enkrypted/crypto';
import { PEER_ERROR, PeerError } from '../errors.js';
import type { HandshakeHook, SecureSession } from '../session.js';
import { connectionFingerprints } from './fingerprints.js';

export interface CascadeHandshakeOptions {
  readonly identity: IdentityKeyPair;
  /** TOFU pins: a contact presenting another identity key than the pinned one is refused. */
  readonly pins: ContactPins;
  /** The app's stable handle for the remote (pins are keyed by it); default: the remote peer id. */
  readonly contactId?: (remoteId: string) => string;
  /** Anything else runHandshake takes (timeouts, channel options, diagnostics). */
  readonly handshake?: Omit<
    HandshakeOptions,
    'identity' | 'pins' | 'localFingerprint' | 'remoteFingerprint' | 'contactId'
  >;
  /** Called with each secure channel at Ready (e.g. to show the safety number). */
  readonly onSecureChannel?: (channel: SecureChannel, remoteId: string) => void;
}

/** The secure session `cascadeHandshake` yields; `channel` is the crypto package's SecureChannel. */
export interface CascadeSecureSession extends SecureSession {
  readonly channel: SecureChannel;
  readonly remoteIdentity: PublicIdentity;
}

export function cascadeHandshake(options: CascadeHandshakeOptions): HandshakeHook {
  return async (channel, context) => {
    const fingerprints = connectionFingerprints(context.connection);
    let secure: SecureChannel;
    try {
      secure = await runHandshake(channel, context, {
        ...options.handshake,
        identity: options.identity,
        pins: options.pins,
        localFingerprint: fingerprints.local,
        remoteFingerprint: fingerprints.remote,
        contactId: options.contactId?.(context.remoteId) ?? context.remoteId,
      });
    } catch (err) {
      throw new PeerError(PEER_ERROR.handshakeFailed, describe(err), { cause: err });
    }
    options.onSecureChannel?.(secure, context.remoteId);
    return adaptChannel(secure);
  };
}

/** SecureChannel → SecureSession: the same frame-oriented seal/open, plus P7.4 intactness. */
export function adaptChannel(secure: SecureChannel): CascadeSecureSession {
  return {
    channel: secure,
    remoteIdentity: secure.remoteIdentity,
    seal: (plaintext) => secure.seal(plaintext),
    open: (frame) => secure.open(frame),
    // A channel the peer ended with a fatal protocol-error cannot carry anything more.
    isIntact: () => secure.endedByPeer === undefined,
  };
}

/**
 * The crypto wire code behind a session failure (a `close` reason or `error` event), e.g.
 * `CRYPTO_IDENTITY_KEY_CHANGED`; undefined when the failure did not come from the handshake.
 */
export function handshakeFailureCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 4; depth++) {
    if (isHandshakeError(e)) return e.code;
    e = e instanceof Error ? e.cause : undefined;
  }
  return undefined;
}

/**
 * True when the handshake refused the contact because it presented another identity key than the one
 * pinned (blocking until the user re-approves it); false when the remote reported that about us.
 */
export function isIdentityKeyChanged(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 4; depth++) {
    if (isHandshakeError(e, CRYPTO_ERROR.identityKeyChanged)) return !e.reportedByPeer;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}

function describe(err: unknown): string {
  if (isHandshakeError(err))
    return `the handshake failed: ${err.code}${err.reportedByPeer ? ' (reported by the peer)' : ''}`;
  return 'the handshake failed';
}
