/**
 * Shared helpers for the peer integration tests: peers on loopback against a broker under test.
 */
import { Peer, type PeerOptions } from '@enkrypted/peer';
import type { BrokerUnderTest } from '../support/brokers.js';

export const LOOPBACK_ONLY = (candidate: string): boolean => / 127\.0\.0\.1 /.test(candidate);

/** Options every test peer uses: loopback ICE only, no STUN/TURN, fast heartbeats. */
export function peerOptions(broker: BrokerUnderTest, extra: Partial<PeerOptions> = {}): PeerOptions {
  return {
    host: broker.host,
    port: broker.port,
    path: broker.path,
    key: broker.key,
    bindAddress: '127.0.0.1',
    iceServers: [],
    candidateFilter: LOOPBACK_ONLY,
    backoff: { initialDelayMs: 100, maxDelayMs: 1000 },
    ...extra,
  };
}

export function openPeer(broker: BrokerUnderTest, extra: Partial<PeerOptions> = {}): Promise<Peer> {
  return Peer.open(peerOptions(broker, extra), { timeoutMs: 20_000 });
}

/** Resolves with the `n` first values emitted as `data` by a connection. */
export function collect(
  conn: { on(e: 'data', l: (v: unknown) => void): () => void },
  n: number,
): Promise<unknown[]> {
  return new Promise((resolve) => {
    const got: unknown[] = [];
    const off = conn.on('data', (v) => {
      got.push(v);
      if (got.length === n) {
        off();
        resolve(got);
      }
    });
  });
}

/** Resource kinds a finished test may legitimately leave (stdio, the test runner's own pipe). */
const BASELINE_RESOURCES = new Set([
  'TTYWrap',
  'PipeWrap',
  'FSReqCallback',
  'Timeout',
  'ProcessWrap',
  'TCPSocketWrap',
]);

/** Active resources that are not part of the runner's baseline (sockets, UDP, timers...). */
export function activeResourceKinds(): string[] {
  return process.getActiveResourcesInfo().filter((r) => !BASELINE_RESOURCES.has(r));
}
