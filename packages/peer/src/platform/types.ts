/**
 * What the rest of the library needs from its host: a W3C RTCPeerConnection and a WebSocket.
 * `./index.ts` (Node) and `./index.browser.ts` (browsers) are the only places that know where they
 * come from; the package.json `#platform` import map picks one by the `browser` condition.
 */

/** The subset of the WHATWG WebSocket API we use; `ws` and browsers both provide it. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code?: number }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface PeerConnectionConfig {
  /** STUN/TURN servers, credentials included. Default: none (no third-party server is contacted). */
  iceServers?: RTCIceServer[];
  /** 'relay' forces every path through TURN (ch. 3.3 relay mode). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /**
   * Node only: the local address ICE binds to (e.g. '127.0.0.1' keeps tests on loopback).
   * Browsers choose their own interfaces and ignore it.
   */
  bindAddress?: string;
}

export interface Platform {
  /** 'node' or 'browser', for diagnostics only: no code outside the seam branches on it. */
  readonly name: 'node' | 'browser';
  createPeerConnection(config: PeerConnectionConfig): RTCPeerConnection;
  createWebSocket(url: string): SocketLike;
  /** HTTP GET returning status and body text (for `GET {key}/id`). */
  fetchText(url: string, signal: AbortSignal): Promise<{ status: number; body: string }>;
  /** HTTP POST of a JSON body returning status and body text (for `POST {key}/turn-credentials`). */
  postJson(url: string, body: string, signal: AbortSignal): Promise<{ status: number; body: string }>;
}

/** WebSocket readyState values (identical in `ws` and browsers). */
export const SOCKET_OPEN = 1;
