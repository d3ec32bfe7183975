/**
 * Node platform: node-datachannel's W3C polyfill and the `ws` WebSocket.
 *
 * The polyfill applies `addIceCandidate` immediately, even while a `setRemoteDescription` is still
 * being processed, and then fails with "remote candidate without ICE transport" (deps.md §3 caveat A).
 * Browsers serialise both operations on one chain; `ChainedPeerConnection` restores that ordering.
 *
 * The native peer connection is created here (not by the polyfill) so ICE servers reach
 * libdatachannel as objects (native-ice.ts: TURN REST usernames contain a colon), and relay-only
 * mode is enforced by `RelayOnlyPeerConnection` (ice/relay-policy.ts explains why libdatachannel's
 * own policy is not enough).
 */
import { PeerConnection as NativePeerConnection } from 'node-datachannel';
import { RTCPeerConnection as PolyfillPeerConnection } from 'node-datachannel/polyfill';
import { WebSocket } from 'ws';
import { isRelayCandidate, stripNonRelayCandidates } from '../ice/relay-policy.js';
import { getText, postJson } from './http.js';
import { nativeIceServers } from './native-ice.js';
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

/**
 * How long a relay-only connection waits after gathering ended without a relay candidate before it
 * fails: long enough for a candidate still queued between libdatachannel's threads and ours, short
 * against the 30 s connect timeout it replaces.
 */
const RELAY_GATHER_GRACE_MS = 1_000;

function stripped<T extends RTCSessionDescriptionInit>(d: T): T {
  return d.sdp === undefined ? d : { ...d, type: d.type, sdp: stripNonRelayCandidates(d.sdp) };
}

/**
 * Relay-only: no non-relay candidate enters or leaves (events, SDP, remote candidates), and a
 * gathering that ends without any relay candidate (TURN unreachable, credentials refused or
 * expired) fails the connection at once instead of leaving it to time out.
 */
class RelayOnlyPeerConnection extends ChainedPeerConnection {
  #relayGathered = false;
  #failed = false;

  /** True once gathering ended without a relay candidate (read by the connection to say why). */
  get relayUnavailable(): boolean {
    return this.#failed;
  }

  #graceTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(config: ConstructorParameters<typeof PolyfillPeerConnection>[0]) {
    super(config);
    this.addEventListener('icegatheringstatechange', () => {
      if (super.iceGatheringState !== 'complete' || this.#failed || this.#graceTimer !== undefined) return;
      // Native callbacks arrive on separate queues: the relay candidate may still be on its way
      // when the state already reads 'complete'. Decide after a grace period, from both records.
      this.#graceTimer = setTimeout(() => {
        this.#graceTimer = undefined;
        const sdp = super.localDescription?.sdp ?? '';
        if (this.#relayGathered || /^a=candidate:.* typ relay/m.test(sdp) || this.#failed) return;
        if (super.connectionState === 'closed') return;
        this.#failed = true;
        this.dispatchEvent(new Event('iceconnectionstatechange'));
        this.dispatchEvent(new Event('connectionstatechange'));
      }, RELAY_GATHER_GRACE_MS);
    });
  }

  override close(): void {
    if (this.#graceTimer !== undefined) clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
    super.close();
  }

  override dispatchEvent(event: Event): boolean {
    if (event.type === 'icecandidate') {
      const line = (event as RTCPeerConnectionIceEvent).candidate?.candidate;
      if (line) {
        if (!isRelayCandidate(line)) return true;
        this.#relayGathered = true;
      }
    }
    return super.dispatchEvent(event);
  }

  override addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void> {
    if (candidate?.candidate && !isRelayCandidate(candidate.candidate)) return Promise.resolve();
    return super.addIceCandidate(candidate);
  }

  override setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    return super.setRemoteDescription(stripped(description));
  }

  override async createOffer(): Promise<RTCSessionDescriptionInit> {
    return stripped(await super.createOffer());
  }

  override async createAnswer(): Promise<RTCSessionDescriptionInit> {
    return stripped(await super.createAnswer());
  }

  override get localDescription(): RTCSessionDescription {
    const d = super.localDescription;
    return (d ? stripped(d.toJSON()) : d) as RTCSessionDescription;
  }

  override get iceConnectionState(): RTCIceConnectionState {
    return this.#failed ? 'failed' : super.iceConnectionState;
  }

  override get connectionState(): RTCPeerConnectionState {
    return this.#failed ? 'failed' : super.connectionState;
  }
}

let nativeCount = 0;

export const platform: Platform = {
  name: 'node',
  createPeerConnection(config: PeerConnectionConfig): RTCPeerConnection {
    // `bindAddress` restricts gathering, and an explicit empty iceServers list means no STUN/TURN
    // host is ever resolved (deps.md caveat C).
    const relayOnly = config.iceTransportPolicy === 'relay';
    const native: Record<string, unknown> = {
      iceServers: nativeIceServers(config.iceServers ?? []),
      iceTransportPolicy: relayOnly ? 'relay' : 'all',
    };
    if (config.bindAddress !== undefined) native.bindAddress = config.bindAddress;
    const peerConnection = new NativePeerConnection(`enkrypted-${++nativeCount}`, native as never);
    const Impl = relayOnly ? RelayOnlyPeerConnection : ChainedPeerConnection;
    return new Impl({ peerConnection, iceServers: [] }) as unknown as RTCPeerConnection;
  },
  createWebSocket(url: string): SocketLike {
    // `ws` implements the WHATWG event-handler properties we use.
    return new WebSocket(url) as unknown as SocketLike;
  },
  fetchText: getText,
  postJson,
};
