/**
 * Node platform: node-datachannel's W3C polyfill and the `ws` WebSocket.
 *
 * The polyfill applies `addIceCandidate` immediately, even while a `setRemoteDescription` is still
 * being processed, and then fails with "remote candidate without ICE transport" (deps.md §3 caveat A).
 * Browsers serialise both operations on one chain; `ChainedPeerConnection` restores that ordering.
 */
import { RTCPeerConnection as PolyfillPeerConnection } from 'node-datachannel/polyfill';
import { WebSocket } from 'ws';
import type { PeerConnectionConfig, Platform, SocketLike } from './types.js';

class ChainedPeerConnection extends PolyfillPeerConnection {
  #chain: Promise<unknown> = Promise.resolve();

  #enqueue<T>(op: () => Promise<T>): Promise<T> {
    const result = this.#chain.then(op);
    this.#chain = result.catch(() => undefined);
    return result;
  }

  override setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    return this.#enqueue(() => super.setRemoteDescription(description));
  }

  override addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void> {
    return this.#enqueue(() => super.addIceCandidate(candidate));
  }
}

export const platform: Platform = {
  name: 'node',
  createPeerConnection(config: PeerConnectionConfig): RTCPeerConnection {
    // The config object goes straight to libdatachannel: `bindAddress` restricts gathering, and an
    // explicit empty iceServers list means no STUN/TURN host is ever resolved (deps.md caveat C).
    const native: Record<string, unknown> = {
      iceServers: config.iceServers ?? [],
      iceTransportPolicy: config.iceTransportPolicy ?? 'all',
    };
    if (config.bindAddress !== undefined) native.bindAddress = config.bindAddress;
    return new ChainedPeerConnection(native) as unknown as RTCPeerConnection;
  },
  createWebSocket(url: string): SocketLike {
    // `ws` implements the WHATWG event-handler properties we use.
    return new WebSocket(url) as unknown as SocketLike;
  },
  async fetchText(url, signal) {
    const res = await fetch(url, { signal });
    return { status: res.status, body: await res.text() };
  },
};
