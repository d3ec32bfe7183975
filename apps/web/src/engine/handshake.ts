/**
 * The P3 handshake hook for sessions, when the crypto package provides one.
 *
 * The handshake (`runHandshake`) is being added to @enkrypted/crypto in parallel with this app; until
 * it is exported, `handshakeHook` returns undefined and the app refuses to send anything (the peer
 * Session itself refuses with ENCRYPTION_REQUIRED), except in the clearly marked debug mode. Feature
 * detection through the namespace keeps this build working before and after it lands.
 */

import type { ContactPins, IdentityKeyPair } from '@enkrypted/crypto';
import * as cryptoPackage from '@enkrypted/crypto';
import type { HandshakeHook } from '@enkrypted/peer';

export interface HandshakeDeps {
  identity: IdentityKeyPair;
  pins: ContactPins;
}

type RunHandshake = (
  channel: Parameters<HandshakeHook>[0],
  context: Parameters<HandshakeHook>[1] & HandshakeDeps,
) => ReturnType<HandshakeHook>;

export function handshakeHook(deps: HandshakeDeps): HandshakeHook | undefined {
  const run = Reflect.get(cryptoPackage, 'runHandshake') as RunHandshake | undefined;
  if (typeof run !== 'function') return undefined;
  return (channel, context) => run(channel, { ...context, ...deps });
}
