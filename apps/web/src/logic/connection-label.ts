/**
 * What the user sees about a chat's connection: the P7 states folded into five honest words, plus
 * whether the channel is end-to-end encrypted. Pure.
 */
import type { ConnectionState } from '@enkrypted/peer';

export type ChatLinkState = 'offline' | 'connecting' | 'encrypting' | 'ready' | 'reconnecting';

export interface LinkView {
  state: ChatLinkState;
  /** Short label for the badge. */
  label: string;
  /** One sentence that says exactly what is (not) protected right now. */
  detail: string;
  /** True only when messages typed now are end-to-end encrypted (or queued to be). */
  encrypted: boolean;
}

/**
 * @param state the session's P7 state, or undefined when there is no session.
 * @param encrypted whether the session runs the handshake (false only in the debug mode).
 * @param everReady whether this session reached Ready before (Disconnected then means reconnecting).
 */
export function linkView(
  state: ConnectionState | undefined,
  encrypted: boolean,
  everReady: boolean,
): LinkView {
  const plain = 'NOT END-TO-END ENCRYPTED (debug mode): only the DTLS link protects this chat.';
  switch (state) {
    case undefined:
    case 'Idle':
      return { state: 'offline', label: 'Offline', detail: 'Not connected.', encrypted: false };
    case 'SignalingRegistered':
    case 'WebRTCConnecting':
      return {
        state: 'connecting',
        label: 'Connecting',
        detail: 'Opening a direct channel…',
        encrypted: false,
      };
    case 'DataChannelOpen':
    case 'CryptoHandshaking':
      return encrypted
        ? {
            state: 'encrypting',
            label: 'Encrypting',
            detail: 'Channel open; end-to-end handshake in progress. Nothing is sent until it completes.',
            encrypted: false,
          }
        : { state: 'connecting', label: 'Connecting', detail: plain, encrypted: false };
    case 'Ready':
      return encrypted
        ? { state: 'ready', label: 'Encrypted', detail: 'End-to-end encrypted.', encrypted: true }
        : { state: 'ready', label: 'Unencrypted', detail: plain, encrypted: false };
    case 'Disconnected':
      return everReady
        ? {
            state: 'reconnecting',
            label: 'Reconnecting',
            detail: 'Connection lost; reconnecting. Messages you type are queued.',
            encrypted,
          }
        : { state: 'offline', label: 'Offline', detail: 'Could not connect.', encrypted: false };
  }
}
