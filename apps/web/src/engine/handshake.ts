/**
 * The P3 handshake hook for sessions: `cascadeHandshake` of @enkrypted/peer (the crypto package's
 * runHandshake, bound to the DTLS fingerprints the peer package reads from the connection's own SDP,
 * adapted frame by frame to the Session), plus the app's two callbacks: the identity the handshake
 * authenticated, and a pinned contact presenting another identity key (the handshake refused it).
 */

import type { ContactPins, IdentityKeyPair, PublicIdentity } from '@enkrypted/crypto';
import { cascadeHandshake, type HandshakeHook, isIdentityKeyChanged } from '@enkrypted/peer';

export interface HandshakeDeps {
  identity: IdentityKeyPair;
  pins: ContactPins;
  /** No longer used: the peer package reads the DTLS fingerprints from the connection itself. */
  peerConnection?(remoteId: string): RTCPeerConnection | undefined;
  /** Receives the identity the handshake authenticated. */
  onAuthenticated(remoteId: string, identity: PublicIdentity): void;
  /** The contact presented another identity key than the pinned one (the handshake refused it). */
  onKeyChanged(remoteId: string): void;
}

/** The handshake ships with the crypto package: always available (kept for the engine's check). */
export function handshakeAvailable(): boolean {
  return true;
}

export function handshakeHook(deps: HandshakeDeps): HandshakeHook {
  const run = cascadeHandshake({
    identity: deps.identity,
    pins: deps.pins,
    onSecureChannel: (channel, remoteId) => deps.onAuthenticated(remoteId, channel.remoteIdentity),
  });
  return async (channel, context) => {
    try {
      // The secure session keeps its own P7.4 intactness: after an outage both sides resume the
      // crypto state (frames in flight are re-sent); a restarted remote says it lost its state in
      // the session-resume exchange, and then both run a new handshake (docs/protocol.md §1.11).
      return await run(channel, context);
    } catch (err) {
      if (isIdentityKeyChanged(err)) deps.onKeyChanged(context.remoteId);
      throw err;
    }
  };
}
