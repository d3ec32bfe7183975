/**
 * Load generator child process for bench/broker.ts. Holds WebSocket clients (so the benchmark's
 * file descriptors are spread over several processes) and runs one command at a time, sent over IPC:
 * - connect: open `count` clients with ids `${prefix}${i}`, at most `concurrency` handshakes in
 *   flight, each done when OPEN arrives; reply with the time taken;
 * - relay: clients i and i^1 are pairs; every client sends a realistic CANDIDATE frame to its
 *   partner as fast as its socket drains, for `durationMs` after `warmupMs`; reply with frames
 *   received in the window;
 * - close: close every client.
 * Clients are raw-socket WebSocket clients (raw-ws.ts): they never heartbeat (idle connections),
 * send pre-serialised, pre-framed bytes, and count what they receive by frame headers only, so the
 * load generator stays much cheaper than the server it measures and both servers face identical
 * bytes.
 */
import { maskedTextFrame, openRaw, type RawClient } from './raw-ws.js';

export type WorkerCommand =
  | { cmd: 'connect'; baseUrl: string; key: string; prefix: string; count: number; concurrency: number }
  | { cmd: 'relay'; durationMs: number; warmupMs: number }
  | { cmd: 'close' };

export type WorkerReply =
  | { ok: true; cmd: 'connect'; opened: number; failed: number; ms: number }
  | { ok: true; cmd: 'relay'; received: number; sent: number; ms: number }
  | { ok: true; cmd: 'close' }
  | { ok: false; error: string };

const clients: RawClient[] = [];
/** Bytes a sender may have unsent before it waits for the socket to drain. */
const SEND_HIGH_WATER = 64 * 1024;
/**
 * Frames a sender may have in flight (sent, not yet counted by its partner). Closes the loop: without
 * it, megabytes of kernel socket buffers on loopback let the server run ahead of (or behind) what
 * the partner has counted, and the frames counted in a window stop measuring the server's rate.
 * 256 frames × 200 senders keep the server saturated.
 */
const MAX_IN_FLIGHT = 256;
/**
 * Frames per write: a sender writes this many copies of its frame in one buffer (a trickle-ICE
 * burst), so the generator pays one syscall per batch rather than per frame.
 */
const FRAMES_PER_WRITE = 16;

function candidateBatch(dst: string): Buffer {
  const one = maskedTextFrame(
    // Key order as the stock peerjs client sends it: type, payload, dst.
    JSON.stringify({
      type: 'CANDIDATE',
      payload: {
        candidate: {
          candidate: 'candidate:842163049 1 udp 1677729535 203.0.113.7 54321 typ srflx raddr 0.0.0.0 rport 0',
          sdpMid: '0',
          sdpMLineIndex: 0,
          usernameFragment: 'f9Kx',
        },
        type: 'data',
        connectionId: 'dc_k3j4h5g6f7',
      },
      dst,
    }),
  );
  return Buffer.concat(Array.from({ length: FRAMES_PER_WRITE }, () => one));
}

async function connect(cmd: Extract<WorkerCommand, { cmd: 'connect' }>): Promise<WorkerReply> {
  const start = performance.now();
  let next = 0;
  let opened = 0;
  let failed = 0;
  const lane = async () => {
    while (next < cmd.count) {
      const i = next++;
      const id = `${cmd.prefix}${i}`;
      const c = await openRaw(`${cmd.baseUrl}?key=${cmd.key}&id=${id}&token=t${i}`, id);
      if (c) {
        clients.push(c);
        opened += 1;
      } else failed += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(cmd.concurrency, cmd.count) }, lane));
  return { ok: true, cmd: 'connect', opened, failed, ms: performance.now() - start };
}

async function relay(cmd: Extract<WorkerCommand, { cmd: 'relay' }>): Promise<WorkerReply> {
  let running = true;
  let sent = 0;
  const pump = (c: RawClient, partner: RawClient, batch: Buffer) => {
    // Partners only receive from each other, so the partner's count is what it got from c.
    // Event-driven, no polling: a sender tops up its window when its partner counts frames or
    // its own socket drains.
    let mine = 0;
    const loop = () => {
      if (!running || c.socket.destroyed) return;
      while (
        c.socket.writableLength < SEND_HIGH_WATER &&
        mine - partner.received <= MAX_IN_FLIGHT - FRAMES_PER_WRITE
      ) {
        c.socket.write(batch);
        mine += FRAMES_PER_WRITE;
        sent += FRAMES_PER_WRITE;
      }
    };
    partner.onFrames = loop;
    c.socket.on('drain', loop);
    loop();
  };
  for (let i = 0; i + 1 < clients.length; i += 2) {
    const a = clients[i]!;
    const b = clients[i + 1]!;
    pump(a, b, candidateBatch(b.id));
    pump(b, a, candidateBatch(a.id));
  }
  await new Promise((r) => setTimeout(r, cmd.warmupMs));
  const before = clients.reduce((n, c) => n + c.received, 0);
  const sentBefore = sent;
  const start = performance.now();
  await new Promise((r) => setTimeout(r, cmd.durationMs));
  const received = clients.reduce((n, c) => n + c.received, 0) - before;
  const ms = performance.now() - start;
  const sentIn = sent - sentBefore;
  running = false;
  for (const c of clients) {
    c.onFrames = undefined;
    c.socket.removeAllListeners('drain');
  }
  return { ok: true, cmd: 'relay', received, sent: sentIn, ms };
}

async function closeAll(): Promise<WorkerReply> {
  for (const c of clients) c.socket.destroy();
  clients.length = 0;
  return { ok: true, cmd: 'close' };
}

process.on('message', (msg: WorkerCommand) => {
  const run = msg.cmd === 'connect' ? connect(msg) : msg.cmd === 'relay' ? relay(msg) : closeAll();
  run.then(
    (reply) => process.send?.(reply),
    (err: unknown) => process.send?.({ ok: false, error: String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
