/**
 * The P3 handshake hook for sessions, when the crypto package exports it.
 *
 * `runHandshake` (packages/crypto/src/handshake) is being published by the crypto package in
 * parallel with this app. Until @enkrypted/crypto exports it, `handshakeHook` returns undefined and
 * the app refuses to send anything (the peer Session itself refuses with ENCRYPTION_REQUIRED) except
 * in the clearly marked debug mode. Feature detection through the namespace keeps this build working
 * before and after it lands.
 *
 * Adaptation to the peer Session: the handshake needs both DTLS fingerprints (channel binding), read
 * here from the connection's SDP; and its SecureChannel seals one message into several frames and
 * opens frame by frame, so the whole list travels packed in one Session frame (logic/frame-pack.ts).
 */

import type { ContactPins, IdentityKeyPair, PublicIdentity } from '@enkrypted/crypto';
import * as cryptoPackage from '@enkrypted/crypto';
import type { HandshakeHook, SecureSession } from '@enkrypted/peer';
import { packFrames, sdpFingerprint, unpackFrames } from '../logic/frame-pack.js';

export interface HandshakeDeps {
  identity: IdentityKeyPair;
  pins: ContactPins;
  /** The RTCPeerConnection of the session with `remoteId`, for the DTLS fingerprints. */
  peerConnection(remoteId: string): RTCPeerConnection | undefined;
  /** Receives the identity the handshake authenticated. */
  onAuthenticated(remoteId: string, identity: PublicIdentity): void;
  /** The contact presented another identity key than the pinned one (the handshake refused it). */
  onKeyChanged(remoteId: string): void;
}

/** The code the handshake fails with when the pins refuse a changed identity key. */
const KEY_CHANGED = 'CRYPTO_IDENTITY_KEY_CHANGED';

/** The parts of the crypto package's SecureChannel this adapter uses. */
interface SecureChannelLike {
  readonly remoteIdentity: PublicIdentity;
  seal(plaintext: Uint8Array): Promise<(string | Uint8Array)[] | string | Uint8Array>;
  open(frame: string | Uint8Array): Promise<Uint8Array | null>;
}

type RunHandshake = (
  channel: Parameters<HandshakeHook>[0],
  context: Parameters<HandshakeHook>[1],
  options: Record<string, unknown>,
) => Promise<SecureChannelLike>;

export function handshakeAvailable(): boolean {
  return typeof Reflect.get(cryptoPackage, 'runHandshake') === 'function';
}

export function handshakeHook(deps: HandshakeDeps): HandshakeHook | undefined {
  const run = Reflect.get(cryptoPackage, 'runHandshake') as unknown as RunHandshake | undefined;
  if (typeof run !== 'function') return undefined;
  return async (channel, context) => {
    const pc = deps.peerConnection(context.remoteId);
    const localFingerprint = sdpFingerprint(pc?.localDescription?.sdp);
    const remoteFingerprint = sdpFingerprint(pc?.remoteDescription?.sdp);
    if (!localFingerprint || !remoteFingerprint)
      throw new Error('no DTLS fingerprint to bind the handshake to');
    let secure: SecureChannelLike;
    try {
      secure = await run(channel, context, {
        identity: deps.identity,
        pins: deps.pins,
        localFingerprint,
        remoteFingerprint,
        contactId: context.remoteId,
      });
    } catch (err) {
      const e = err as { code?: unknown; reportedByPeer?: unknown };
      if (e.code === KEY_CHANGED && e.reportedByPeer !== true) deps.onKeyChanged(context.remoteId);
      throw err;
    }
    deps.onAuthenticated(context.remoteId, secure.remoteIdentity);
    return adapt(secure);
  };
}

function adapt(secure: SecureChannelLike): SecureSession {
  return {
    /**
     * After any transport outage, run a full handshake again rather than resume. The other side may
     * be a reloaded page with no state (it handshakes afresh, so resuming here would stall both), and
     * fresh keys after an outage cost one handshake, which is cheap next to a stalled chat.
     */
    isIntact: () => false,
    async seal(plaintext) {
      const sealed = await secure.seal(plaintext);
      return packFrames(Array.isArray(sealed) ? sealed : [sealed]);
    },
    async open(ciphertext) {
      let result: Uint8Array | null = null;
      for (const frame of unpackFrames(ciphertext)) {
        const r = await secure.open(frame);
        if (r !== null) result = r;
      }
      if (result === null) throw new Error('an incomplete sealed message');
      return result;
    },
  };
}
