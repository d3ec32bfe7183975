/** Names and connection errors as the user reads them. Pure. */

import { MAX_DISPLAY_NAME_CHARS } from '@enkrypted/chat';
import { PEER_ERROR } from '@enkrypted/peer';

/** Trims, collapses whitespace and bounds a display name (ours or one a peer announced). */
export function cleanName(name: string): string {
  return [...name.trim().replace(/\s+/g, ' ')].slice(0, MAX_DISPLAY_NAME_CHARS).join('');
}

/** The placeholder name of a contact that has not announced one: the start of its id. */
export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

/** One sentence for a peer-library error code (undefined: the broker could not be reached). */
export function describePeerError(code: string | undefined): string {
  switch (code) {
    case PEER_ERROR.peerUnavailable:
      return 'The contact is not online (unknown to the broker).';
    case PEER_ERROR.idTaken:
      return 'Your id is in use in another tab or device.';
    case PEER_ERROR.network:
    case undefined:
      return 'Cannot reach the broker.';
    case PEER_ERROR.timeout:
      return 'Timed out.';
    case PEER_ERROR.handshakeFailed:
      return 'The encryption handshake failed.';
    case PEER_ERROR.relayUnavailable:
      return 'Relay-only: no TURN relay could be reached (check the TURN settings).';
    default:
      return `Connection failed (${code}).`;
  }
}
