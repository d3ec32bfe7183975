/**
 * Browser platform: the native WebRTC and WebSocket globals. No polyfill, no chaining needed
 * (browsers already serialise setRemoteDescription/addIceCandidate).
 */
import { getText, postJson } from './http.js';
import type { PeerConnectionConfig, Platform, SocketLike } from './types.js';

export const platform: Platform = {
  name: 'browser',
  createPeerConnection(config: PeerConnectionConfig): RTCPeerConnection {
    return new globalThis.RTCPeerConnection({
      iceServers: config.iceServers ?? [],
      iceTransportPolicy: config.iceTransportPolicy ?? 'all',
    });
  },
  createWebSocket(url: string): SocketLike {
    return new globalThis.WebSocket(url) as unknown as SocketLike;
  },
  fetchText: getText,
  postJson,
};
