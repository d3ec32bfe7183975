/**
 * A minimal WebSocket client for the load generator: the RFC 6455 upgrade over a plain TCP socket,
 * then frames written from pre-built buffers and received frames counted by walking their headers
 * (never copied, decoded or parsed). It costs the generator a fraction of what a `ws` client costs,
 * so on a 2-core machine the server under test, not the generator, is what gets saturated.
 * Loopback and benchmarks only: it trusts the server (no Sec-WebSocket-Accept check).
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** Longest upgrade response accepted before giving up on a server. */
const MAX_UPGRADE_RESPONSE_BYTES = 16 * 1024;
const OPCODE_TEXT = 1;

/** One client frame (FIN, text, masked with an all-zero key so the payload bytes stay as they are). */
export function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const n = payload.length;
  const lenBytes = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + lenBytes + 4);
  head[0] = 0x80 | OPCODE_TEXT;
  if (lenBytes === 0) head[1] = 0x80 | n;
  else if (lenBytes === 2) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(n, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  // Mask key bytes stay zero.
  return Buffer.concat([head, payload]);
}

export interface RawClient {
  socket: Socket;
  id: string;
  /** Text frames received after OPEN. */
  received: number;
  /** Called after each read that counted frames (the relay's senders wait on their partner's). */
  onFrames: (() => void) | undefined;
}

/** Counts frames in a server-to-client byte stream (server frames are never masked). */
class FrameCounter {
  /** Payload bytes of the current frame still to skip. */
  #skip = 0;
  /** Bytes of a header split across reads. */
  #partial: Buffer | undefined;
  /** The first text frame's payload (the OPEN / ERROR answer), kept until `takeFirst`. */
  first: string | undefined;
  #wantFirst = true;
  frames = 0;

  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.#partial) {
      buf = Buffer.concat([this.#partial, chunk]);
      this.#partial = undefined;
    }
    let i = 0;
    const n = buf.length;
    if (this.#skip > 0) {
      const s = Math.min(this.#skip, n);
      this.#skip -= s;
      i = s;
    }
    while (i < n) {
      if (n - i < 2) break;
      const b1 = buf[i + 1]! & 0x7f;
      let hl = 2;
      let len = b1;
      if (b1 === 126) {
        if (n - i < 4) break;
        len = buf.readUInt16BE(i + 2);
        hl = 4;
      } else if (b1 === 127) {
        if (n - i < 10) break;
        len = Number(buf.readBigUInt64BE(i + 2));
        hl = 10;
      }
      const opcode = buf[i]! & 0x0f;
      if (opcode === OPCODE_TEXT) {
        if (this.#wantFirst) {
          if (n - i - hl < len) break; // wait for the whole first frame
          this.first = buf.toString('utf8', i + hl, i + hl + len);
          this.#wantFirst = false;
        } else this.frames += 1;
      }
      const end = i + hl + len;
      if (end > n) {
        this.#skip = end - n;
        i = n;
        break;
      }
      i = end;
    }
    if (i < n) this.#partial = Buffer.from(buf.subarray(i));
  }
}

/**
 * Opens a client on `url` (ws://host:port/path?query) and resolves when the server's first text
 * frame arrives: with the client if it contains "OPEN", else undefined (socket destroyed).
 */
export function openRaw(url: string, id: string): Promise<RawClient | undefined> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname, port: Number(u.port) });
    socket.setNoDelay(true);
    const client: RawClient = { socket, id, received: 0, onFrames: undefined };
    const counter = new FrameCounter();
    let upgraded = false;
    let head = Buffer.alloc(0);
    let settled = false;
    const done = (v: RawClient | undefined) => {
      if (settled) return;
      settled = true;
      if (!v) socket.destroy();
      resolve(v);
    };
    socket.on('connect', () => {
      socket.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
          'Sec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    socket.on('data', (chunk: Buffer) => {
      if (!upgraded) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (head.length > MAX_UPGRADE_RESPONSE_BYTES) done(undefined);
          return;
        }
        if (!head.subarray(0, 13).toString('latin1').startsWith('HTTP/1.1 101')) {
          done(undefined);
          return;
        }
        upgraded = true;
        chunk = head.subarray(end + 4);
        head = Buffer.alloc(0);
        if (chunk.length === 0) return;
      }
      counter.push(chunk);
      if (!settled && counter.first !== undefined) {
        if (counter.first.includes('"OPEN"')) done(client);
        else done(undefined);
      }
      if (counter.frames !== client.received) {
        client.received = counter.frames;
        client.onFrames?.();
      }
    });
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
  });
}
