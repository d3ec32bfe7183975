/**
 * What the app's settings mean for the peer library: broker address, ICE servers (typed in, and
 * broker-issued TURN credentials when enabled) and relay-only mode. Kept apart from the engine so transport configuration has one home.
 */
import type { PeerOptions } from '@enkrypted/peer';
import { brokerAddress, type Settings } from '../logic/settings.js';

/** Peer.open options for `settings` on a page served from `pageUrl` (throws on a bad broker URL). */
export function peerOptions(
  settings: Settings,
  pageUrl: string,
  own: { id: string; token: string },
): PeerOptions {
  return {
    ...brokerAddress(settings.brokerUrl, pageUrl),
    id: own.id,
    token: own.token,
    iceServers: settings.iceServers.map((x) => ({ ...x })),
    iceTransportPolicy: settings.relayOnly ? 'relay' : 'all',
    ...(settings.turnFromBroker ? { turn: 'broker' as const } : {}),
  };
}

/** True when a change from `before` to `after` needs a new Peer (a new broker registration). */
export function transportChanged(before: Settings, after: Settings): boolean {
  return (
    before.brokerUrl !== after.brokerUrl ||
    before.relayOnly !== after.relayOnly ||
    before.turnFromBroker !== after.turnFromBroker ||
    before.debugUnencrypted !== after.debugUnencrypted ||
    JSON.stringify(before.iceServers) !== JSON.stringify(after.iceServers)
  );
}
