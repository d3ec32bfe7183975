/**
 * A bounded FIFO of messages waiting to be written (while a channel is not open, recovering, or above
 * its high-water mark). Every entry is either written or rejected with a typed error: nothing is
 * dropped silently. Bounds are by count and by bytes.
 */
import { PEER_ERROR, PeerError } from '../errors.js';

export interface QueuedSend<T> {
  item: T;
  size: number;
  resolve(): void;
  reject(err: PeerError): void;
}

export class SendQueue<T> {
  #items: QueuedSend<T>[] = [];
  #bytes = 0;
  readonly #maxItems: number;
  readonly #maxBytes: number;

  constructor(maxItems: number, maxBytes: number) {
    this.#maxItems = maxItems;
    this.#maxBytes = maxBytes;
  }

  get length(): number {
    return this.#items.length;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Queues `item`; the promise settles when it is written or rejected. Rejects QUEUE_FULL at once. */
  push(item: T, size: number, signal?: AbortSignal): Promise<void> {
    if (this.#items.length >= this.#maxItems || this.#bytes + size > this.#maxBytes) {
      return Promise.reject(new PeerError(PEER_ERROR.queueFull, 'send queue is full'));
    }
    if (signal?.aborted) return Promise.reject(new PeerError(PEER_ERROR.aborted, 'send aborted'));
    return new Promise<void>((resolve, reject) => {
      const entry: QueuedSend<T> = {
        item,
        size,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      const onAbort = () => {
        const i = this.#items.indexOf(entry);
        if (i < 0) return;
        this.#items.splice(i, 1);
        this.#bytes -= entry.size;
        reject(new PeerError(PEER_ERROR.aborted, 'send aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#items.push(entry);
      this.#bytes += size;
    });
  }

  peek(): QueuedSend<T> | undefined {
    return this.#items[0];
  }

  /** Removes the head after it was written and resolves its promise. */
  shiftWritten(): void {
    const head = this.#items.shift();
    if (!head) return;
    this.#bytes -= head.size;
    head.resolve();
  }

  /** Removes the head without settling it (its caller already rejected it). */
  shiftWrittenWithoutResolve(): void {
    const head = this.#items.shift();
    if (head) this.#bytes -= head.size;
  }

  /** Rejects everything queued with `err` (close, recovery failure). */
  rejectAll(err: PeerError): void {
    const items = this.#items;
    this.#items = [];
    this.#bytes = 0;
    for (const e of items) e.reject(err);
  }
}
