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

/**
 * Resolves with the `n` first values a connection emits as `data` (or a session as `message`);
 * rejects after `timeoutMs` so a lost message fails the test instead of hanging it.
 */
export function collect(
  source: { on(e: never, l: (v: unknown) => void): () => void },
  n: number,
  event: 'data' | 'message' = 'data',
  timeoutMs = 60_000,
): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const got: unknown[] = [];
    const timer = setTimeout(() => {
      off();
      reject(
        new Error(
          `received ${got.length} of ${n} messages: ${got
            .map((g) => (g instanceof Uint8Array ? new TextDecoder().decode(g) : String(g)))
            .join(',')
            .slice(0, 300)}`,
        ),
      );
    }, timeoutMs);
    const on = source.on as (e: string, l: (v: unknown) => void) => () => void;
    const off = on.call(source, event, (v: unknown) => {
      got.push(v);
      if (got.length === n) {
        clearTimeout(timer);
        off();
        resolve(got);
      }
    });
  });
}

/** Rejects with `what` after `ms`: a test waiting on an event fails with a reason instead of hanging. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
