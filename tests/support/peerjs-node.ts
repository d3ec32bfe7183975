/**
 * The stock `peerjs` 1.5.5 client running in Node on node-datachannel, loopback only
 * (shared/reference/deps.md §3): WebRTC globals are installed before peerjs is imported (it probes
 * support at import time), STUN/TURN are removed (caveat C), and remote descriptions and ICE
 * candidates are applied in order as browsers do (caveat A).
 */
import { cleanup } from 'node-datachannel';
import * as ndc from 'node-datachannel/polyfill';
import type { PeerOptions, Peer as PeerType } from 'peerjs';
import { WebSocket } from 'ws';

type Description = ConstructorParameters<typeof ndc.RTCSessionDescription>[0];
type Candidate = ConstructorParameters<typeof ndc.RTCIceCandidate>[0];

/** Loopback-only peer connection with the W3C operations chain for remote descriptions and candidates. */
class LoopbackChainedPC extends ndc.RTCPeerConnection {
  #chain: Promise<unknown> = Promise.resolve();
  constructor(config?: ConstructorParameters<typeof ndc.RTCPeerConnection>[0]) {
    super({ ...config, iceServers: [], bindAddress: '127.0.0.1' } as ConstructorParameters<
      typeof ndc.RTCPeerConnection
    >[0]);
  }
  override setRemoteDescription(d: Description): Promise<void> {
    const r = this.#chain.then(() => super.setRemoteDescription(d));
    this.#chain = r.catch(() => {});
    return r;
  }
  override addIceCandidate(c?: Candidate): Promise<void> {
    const r = this.#chain.then(() => super.addIceCandidate(c));
    this.#chain = r.catch(() => {});
    return r;
  }
}

const g = globalThis as Record<string, unknown>;
g.RTCPeerConnection = LoopbackChainedPC;
g.RTCSessionDescription = ndc.RTCSessionDescription;
g.RTCIceCandidate = ndc.RTCIceCandidate;
g.WebSocket ??= WebSocket;

// peerjs's `main` is CommonJS: under plain Node the named export is missing and the default export
// holds it; through tsx the named export exists. Take whichever is there.
const mod = (await import('peerjs')) as unknown as Partial<typeof import('peerjs')> & {
  default?: Partial<typeof import('peerjs')>;
};
const PeerClass = mod.Peer ?? mod.default?.Peer;
if (PeerClass === undefined) throw new Error('peerjs did not export Peer');
export const Peer = PeerClass;
export type { DataConnection, PeerError } from 'peerjs';
export type { PeerOptions, PeerType };

/** Options pointing a stock client at a broker on loopback. */
export function brokerOptions(host: string, port: number, path = '/', key = 'peerjs'): PeerOptions {
  return { host, port, path, key, secure: false, config: { iceServers: [] }, debug: 0 };
}

/**
 * Releases node-datachannel's native threads. peerjs leaves the RTCPeerConnection of an offer to
 * an unreachable id open even after destroy() (peerjs#924), which would keep Node running.
 */
export function shutdownWebRTC(): void {
  cleanup();
}
