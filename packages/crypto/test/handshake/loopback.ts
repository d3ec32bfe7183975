/**
 * Two in-memory channel ends shaped like the peer package's HandshakeChannel, with a hook on every
 * frame in flight so tests can reorder, duplicate, tamper with or drop handshake PDUs.
 */
import type { Frame, HandshakeChannelLike } from '../../src/handshake/run-handshake.js';

export type Direction = 'i2r' | 'r2i';
/**
 * Returns the frames to deliver now instead of `frame` (none drops it, several duplicate or inject);
 * `later` delivers a frame to the same receiver at a time of the test's choosing.
 */
export type Interceptor = (
  frame: Frame,
  direction: Direction,
  index: number,
  later: (frame: Frame) => void,
) => Frame[];

class End implements HandshakeChannelLike {
  readonly inbox: Frame[] = [];
  readonly sent: Frame[] = [];
  #waiter: { resolve: (f: Frame) => void; reject: (e: unknown) => void } | undefined;
  closed = false;
  peer!: End;
  constructor(
    readonly direction: Direction,
    readonly intercept: Interceptor,
  ) {}

  async send(frame: Frame): Promise<void> {
    if (this.closed) throw new Error('closed');
    const index = this.sent.length;
    this.sent.push(frame);
    const later = (f: Frame) => this.peer.deliver(f);
    for (const f of this.intercept(frame, this.direction, index, later)) this.peer.deliver(f);
  }

  deliver(frame: Frame): void {
    const w = this.#waiter;
    if (w) {
      this.#waiter = undefined;
      w.resolve(frame);
    } else this.inbox.push(frame);
  }

  receive(options: { signal?: AbortSignal | undefined } = {}): Promise<Frame> {
    const next = this.inbox.shift();
    if (next !== undefined) return Promise.resolve(next);
    return new Promise((resolve, reject) => {
      const signal = options.signal;
      if (signal?.aborted) return reject(new Error('aborted'));
      const onAbort = () => {
        this.#waiter = undefined;
        reject(new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiter = {
        resolve: (f) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(f);
        },
        reject,
      };
    });
  }
}

export function loopback(intercept: Interceptor = (f) => [f]): { initiator: End; responder: End } {
  const initiator = new End('i2r', intercept);
  const responder = new End('r2i', intercept);
  initiator.peer = responder;
  responder.peer = initiator;
  return { initiator, responder };
}
