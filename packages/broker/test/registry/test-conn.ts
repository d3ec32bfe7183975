/** A registry's view of a socket for registry unit tests: records frames and how it was closed. */
import type { PeerConnection } from '../../src/registry/registry.js';

export class Conn implements PeerConnection {
  received: string[] = [];
  alive = true;
  closed: number | undefined;
  constructor(
    readonly id: string,
    readonly token: string,
  ) {}
  deliver(frame: string): boolean {
    if (!this.alive) return false;
    this.received.push(frame);
    return true;
  }
  close(code = 0): void {
    this.alive = false;
    this.closed = code;
  }
}
