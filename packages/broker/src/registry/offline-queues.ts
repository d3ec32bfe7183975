/**
 * Bounded queues of frames for ids that are not connected. Pure data structure with the clock passed
 * in, so its bounds and expiry rules are unit-tested without sockets.
 *
 * Rules (docs/protocol.md §1.4):
 * - a frame is queued only while its destination's queue holds fewer than `maxMessagesPerPeer`
 *   frames and `maxBytesPerPeer` bytes, and all queues together stay within `maxBytesTotal`;
 * - a frame that does not fit is refused; its sender is told EXPIRE at once, once per
 *   sender/destination for the life of that queue;
 * - when a sender's oldest frame for a destination reaches `expireTimeoutMs`, every frame of that
 *   sender for that destination is dropped and one EXPIRE is due to the sender (unless it was
 *   already told on refusal). Other senders' frames keep their own age.
 */

interface QueuedFrame {
  src: string;
  frame: string;
  bytes: number;
  at: number;
}

interface Queue {
  frames: QueuedFrame[];
  bytes: number;
  /** Senders already told EXPIRE for this destination (refused frames). */
  told: Set<string> | undefined;
}

export interface QueueBounds {
  maxMessagesPerPeer: number;
  maxBytesPerPeer: number;
  maxBytesTotal: number;
  overheadBytes: number;
}

export type EnqueueOutcome = 'queued' | 'refused' | 'refused-again';

/** An EXPIRE that is due: `offline` could not be reached by `sender`. */
export interface ExpiryNotice {
  offline: string;
  sender: string;
}

export class OfflineQueues {
  readonly #queues = new Map<string, Queue>();
  readonly #bounds: QueueBounds;
  #bytes = 0;
  #frames = 0;

  constructor(bounds: QueueBounds) {
    this.#bounds = bounds;
  }

  get bytes(): number {
    return this.#bytes;
  }
  get frames(): number {
    return this.#frames;
  }
  get queues(): number {
    return this.#queues.size;
  }

  /** UTF-16 length ×1..3 is the UTF-8 size; signaling is ASCII in practice, so length is exact. */
  static frameBytes(frame: string): number {
    return Buffer.byteLength(frame, 'utf8');
  }

  enqueue(dst: string, src: string, frame: string, now: number): EnqueueOutcome {
    const b = this.#bounds;
    const bytes = OfflineQueues.frameBytes(frame);
    let q = this.#queues.get(dst);
    const newQueueCost = q ? 0 : b.overheadBytes;
    const fits =
      (q ? q.frames.length : 0) < b.maxMessagesPerPeer &&
      (q ? q.bytes : 0) + bytes <= b.maxBytesPerPeer &&
      this.#bytes + bytes + newQueueCost <= b.maxBytesTotal;
    if (!fits) {
      if (!q) return 'refused';
      if (q.told?.has(src)) return 'refused-again';
      q.told ??= new Set();
      q.told.add(src);
      return 'refused';
    }
    if (!q) {
      q = { frames: [], bytes: 0, told: undefined };
      this.#queues.set(dst, q);
      this.#bytes += b.overheadBytes;
    }
    q.frames.push({ src, frame, bytes, at: now });
    q.bytes += bytes;
    this.#bytes += bytes;
    this.#frames += 1;
    return 'queued';
  }

  /** Removes and returns the frames queued for `dst`, oldest first. */
  take(dst: string): string[] {
    const q = this.#queues.get(dst);
    if (!q) return [];
    this.#remove(dst, q);
    return q.frames.map((f) => f.frame);
  }

  /** Drops every queue (broker shutdown). */
  clear(): void {
    this.#queues.clear();
    this.#bytes = 0;
    this.#frames = 0;
  }

  /** Drops frames whose sender's oldest frame reached the timeout; returns the EXPIREs now due. */
  expire(now: number, expireTimeoutMs: number): ExpiryNotice[] {
    const due: ExpiryNotice[] = [];
    const cutoff = now - expireTimeoutMs;
    for (const [dst, q] of this.#queues) {
      const first = q.frames[0];
      if (first === undefined || first.at > cutoff) {
        if (first === undefined) this.#remove(dst, q);
        continue;
      }
      // Senders whose oldest frame is stale: frames are in arrival order, so the first frame seen
      // per sender is its oldest.
      const stale = new Set<string>();
      const seen = new Set<string>();
      for (const f of q.frames) {
        if (seen.has(f.src)) continue;
        seen.add(f.src);
        if (f.at <= cutoff) stale.add(f.src);
      }
      const kept: QueuedFrame[] = [];
      for (const f of q.frames) {
        if (stale.has(f.src)) {
          q.bytes -= f.bytes;
          this.#bytes -= f.bytes;
          this.#frames -= 1;
        } else kept.push(f);
      }
      q.frames = kept;
      for (const sender of stale) {
        if (!q.told?.has(sender)) due.push({ offline: dst, sender });
      }
      if (kept.length === 0) this.#remove(dst, q);
    }
    return due;
  }

  #remove(dst: string, q: Queue): void {
    this.#queues.delete(dst);
    this.#bytes -= q.bytes + this.#bounds.overheadBytes;
    this.#frames -= q.frames.length;
  }
}
