/**
 * A raw WebSocket client speaking the PeerJS wire protocol, for conformance and abuse tests: it
 * records every frame, waits for frames matching a predicate, and reports how the socket closed.
 */
import { WebSocket } from 'ws';

/** Generous waits: these run on a loaded 2-core machine. */
export const WAIT_MS = 10_000;

export interface WireFrame {
  type?: string;
  src?: string;
  dst?: string;
  payload?: unknown;
  [k: string]: unknown;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface Upgrade {
  ok: boolean;
  /** HTTP status when the upgrade was refused. */
  status?: number;
}

export class WireClient {
  readonly ws: WebSocket;
  /** Raw text of every frame received, in order. */
  readonly raw: string[] = [];
  readonly frames: WireFrame[] = [];
  readonly opened: Promise<Upgrade>;
  readonly closed: Promise<CloseInfo>;
  #waiters: Array<() => void> = [];
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(url: string, options?: import('ws').ClientOptions) {
    this.ws = new WebSocket(url, options);
    this.ws.on('message', (data) => {
      const text = data.toString();
      this.raw.push(text);
      try {
        this.frames.push(JSON.parse(text) as WireFrame);
      } catch {
        this.frames.push({ type: '<unparsable>' });
      }
      for (const w of this.#waiters.splice(0)) w();
    });
    this.opened = new Promise((resolve) => {
      this.ws.once('open', () => resolve({ ok: true }));
      this.ws.once('unexpected-response', (_req, res) => {
        resolve({ ok: false, status: res.statusCode });
        res.resume();
        this.ws.terminate();
      });
      this.ws.once('error', () => resolve({ ok: false }));
    });
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code, reason) => {
        this.stopHeartbeat();
        for (const w of this.#waiters.splice(0)) w();
        resolve({ code, reason: reason.toString() });
      });
    });
    this.ws.on('error', () => {});
  }

  /** Connects and waits for the upgrade to succeed or be refused. */
  static async connect(url: string): Promise<WireClient> {
    const c = new WireClient(url);
    await c.opened;
    return c;
  }

  /** As connect(), with ws client options (e.g. extra headers). */
  static async connectWith(url: string, options: import('ws').ClientOptions): Promise<WireClient> {
    const c = new WireClient(url, options);
    await c.opened;
    return c;
  }

  /** Connects and waits for OPEN; throws with what arrived instead. */
  static async register(url: string): Promise<WireClient> {
    const c = await WireClient.connect(url);
    const f = await c.next((m) => m.type === 'OPEN' || m.type === 'ERROR' || m.type === 'ID-TAKEN');
    if (f.type !== 'OPEN') throw new Error(`expected OPEN, got ${JSON.stringify(f)}`);
    return c;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends HEARTBEAT every `ms` until closed or stopHeartbeat(). */
  startHeartbeat(ms: number): void {
    this.#heartbeat = setInterval(() => {
      if (this.isOpen) this.send({ type: 'HEARTBEAT' });
    }, ms);
  }

  stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  /**
   * Waits for the first frame (from index `from`, default: any not yet returned by next()) matching
   * `match`. Rejects after `timeoutMs` or when the socket closes first.
   */
  #cursor = 0;
  async next(match: (f: WireFrame) => boolean = () => true, timeoutMs = WAIT_MS): Promise<WireFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = this.#cursor; i < this.frames.length; i++) {
        const f = this.frames[i]!;
        if (match(f)) {
          this.#cursor = i + 1;
          return f;
        }
      }
      if (this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`socket closed before the expected frame; got ${JSON.stringify(this.frames)}`);
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Frames of a type received so far. */
  ofType(type: string): WireFrame[] {
    return this.frames.filter((f) => f.type === type);
  }

  async close(): Promise<void> {
    this.stopHeartbeat();
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    const timer = setTimeout(() => this.ws.terminate(), 2_000);
    await this.closed;
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

let counter = 0;
/** A unique, valid peer id for this test process. */
export function uniqueId(prefix = 'p'): string {
  counter += 1;
  return `${prefix}${process.pid}x${counter}x${Math.floor(Math.random() * 1e6)}`;
}

/** Polls `cond` until true; throws after `timeoutMs`. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
