/**
 * The DTLS certificate fingerprints of a data connection, read from the SDP its own peer connection
 * holds: the local description carries ours, the remote description the peer's. The P3 handshake
 * binds both (channel binding), so a man in the middle terminating DTLS on either side is detected.
 */
import type { DataConnection } from '../connection/data-connection.js';
import { PEER_ERROR, PeerError } from '../errors.js';

export interface DtlsFingerprints {
  /** "sha-256 AB:CD:…", as the crypto package expects. */
  readonly local: string;
  readonly remote: string;
}

/**
 * First `a=fingerprint:` line of an SDP, normalised (algorithm lower case, hex upper case). All media
 * sections of one peer connection share the DTLS certificate, so the first is the one.
 */
export function sdpFingerprint(sdp: string | undefined): string | undefined {
  const m = /^a=fingerprint:(\S+) ([0-9A-Fa-f:]+)\s*$/m.exec(sdp ?? '');
  if (m === null || m[1] === undefined || m[2] === undefined) return undefined;
  return `${m[1].toLowerCase()} ${m[2].toUpperCase()}`;
}

export function connectionFingerprints(conn: DataConnection): DtlsFingerprints {
  const pc = conn.peerConnection;
  const local = sdpFingerprint(pc?.localDescription?.sdp);
  const remote = sdpFingerprint(pc?.remoteDescription?.sdp);
  if (local === undefined || remote === undefined) {
    throw new PeerError(
      PEER_ERROR.handshakeFailed,
      'no DTLS fingerprint in the SDP to bind the handshake to',
    );
  }
  return { local, remote };
}
