/**
 * Loads the stock `peerjs` 1.5.5 client in Node (deps.md §3 recipe): WebRTC and WebSocket globals
 * must exist before peerjs is imported, because it probes them at import time. The RTCPeerConnection
 * given to peerjs is node-datachannel's, bound to loopback, with no STUN/TURN (peerjs's defaults
 * would resolve public hosts), and with setRemoteDescription/addIceCandidate chained (caveat A).
 */
import { RTCIceCandidate, RTCPeerConnection, RTCSessionDescription } from 'node-datachannel/polyfill';
import { WebSocket } from 'ws';

class LoopbackChainedPC extends RTCPeerConnection {
  #chain: Promise<unknown> = Promise.resolve();
  constructor(config: RTCConfiguration = {}) {
    super({ ...config, iceServers: [], bindAddress: '127.0.0.1' } as RTCConfiguration);
  }
  override setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
    const r = this.#chain.then(() => super.setRemoteDescription(d));
    this.#chain = r.catch(() => undefined);
    return r;
  }
  override addIceCandidate(c?: RTCIceCandidateInit | null): Promise<void> {
    const r = this.#chain.then(() => super.addIceCandidate(c));
    this.#chain = r.catch(() => undefined);
    return r;
  }
}

export interface StockDataConnection {
  peer: string;
  open: boolean;
  serialization: string;
  metadata: unknown;
  on(event: 'open' | 'close', l: () => void): void;
  on(event: 'data', l: (d: unknown) => void): void;
  on(event: 'error', l: (e: unknown) => void): void;
  send(data: unknown): void;
  close(): void;
}

export interface StockPeer {
  id: string;
  on(event: 'open', l: (id: string) => void): void;
  on(event: 'connection', l: (c: StockDataConnection) => void): void;
  on(event: 'error', l: (e: { type: string }) => void): void;
  connect(
    id: string,
    options?: { serialization?: string; reliable?: boolean; metadata?: unknown },
  ): StockDataConnection;
  destroy(): void;
}

type StockPeerCtor = new (id: string, options: Record<string, unknown>) => StockPeer;

let ctor: StockPeerCtor | undefined;

export async function loadStockPeerjs(): Promise<StockPeerCtor> {
  if (ctor) return ctor;
  const g = globalThis as Record<string, unknown>;
  g.RTCPeerConnection = LoopbackChainedPC;
  g.RTCSessionDescription = RTCSessionDescription;
  g.RTCIceCandidate = RTCIceCandidate;
  g.WebSocket = WebSocket;
  // Its `main` is CommonJS: depending on the loader, Peer is a named export or hangs off `default`.
  const mod = (await import('peerjs')) as unknown as {
    Peer?: StockPeerCtor;
    default?: { Peer?: StockPeerCtor };
  };
  const found = mod.Peer ?? mod.default?.Peer;
  if (!found) throw new Error('peerjs: Peer export not found');
  ctor = found;
  return ctor;
}

/** A stock peerjs client registered on `broker` under `id`. */
export async function openStockPeer(
  broker: { host: string; port: number; path: string; key: string },
  id: string,
): Promise<StockPeer> {
  const Peer = await loadStockPeerjs();
  const peer = new Peer(id, {
    host: broker.host,
    port: broker.port,
    path: broker.path,
    key: broker.key,
    secure: false,
    config: { iceServers: [] },
    debug: 0,
  });
  await new Promise<void>((resolve, reject) => {
    peer.on('open', () => resolve());
    peer.on('error', (e) => reject(new Error(`stock peerjs error ${e.type}`)));
  });
  return peer;
}
