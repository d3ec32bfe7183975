/** The default Registry: one process, two maps. Every call answers synchronously. */
import { timingSafeEqual } from 'node:crypto';
import { type ExpiryNotice, OfflineQueues, type QueueBounds } from './offline-queues.js';
import type { ClaimOutcome, PeerConnection, Registry, RegistryStats, RouteOutcome } from './registry.js';

/** Compares tokens without revealing the length of the common prefix through timing. */
export function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface MemoryRegistryOptions extends QueueBounds {
  concurrentLimit: number;
}

export class MemoryRegistry implements Registry {
  readonly #peers = new Map<string, PeerConnection>();
  readonly #queues: OfflineQueues;
  readonly #limit: number;

  constructor(options: MemoryRegistryOptions) {
    this.#limit = options.concurrentLimit;
    this.#queues = new OfflineQueues(options);
  }

  claim(id: string, token: string, conn: PeerConnection): ClaimOutcome {
    const current = this.#peers.get(id);
    if (current) {
      if (!tokensEqual(current.token, token)) return { kind: 'taken' };
      this.#peers.set(id, conn);
      return { kind: 'reattached', previous: current };
    }
    if (this.#peers.size >= this.#limit) return { kind: 'full' };
    this.#peers.set(id, conn);
    return { kind: 'registered' };
  }

  release(id: string, conn: PeerConnection): void {
    if (this.#peers.get(id) === conn) this.#peers.delete(id);
  }

  route(src: string, dst: string, queueable: boolean, frame: string, now: number): RouteOutcome {
    const conn = this.#peers.get(dst);
    if (conn) {
      if (conn.deliver(frame)) return 'delivered';
      this.#peers.delete(dst);
      return 'dead';
    }
    if (!queueable) return 'dropped';
    return this.#queues.enqueue(dst, src, frame, now);
  }

  takeQueued(id: string): string[] {
    return this.#queues.take(id);
  }

  expire(now: number, expireTimeoutMs: number): ExpiryNotice[] {
    return this.#queues.expire(now, expireTimeoutMs);
  }

  isRegistered(id: string): boolean {
    return this.#peers.has(id);
  }

  holdsToken(id: string, token: string): boolean {
    const conn = this.#peers.get(id);
    return conn !== undefined && tokensEqual(conn.token, token);
  }

  listIds(): string[] {
    return [...this.#peers.keys()];
  }

  stats(): RegistryStats {
    return {
      peers: this.#peers.size,
      queues: this.#queues.queues,
      queuedFrames: this.#queues.frames,
      queuedBytes: this.#queues.bytes,
    };
  }

  close(): void {
    this.#peers.clear();
    this.#queues.clear();
  }
}
