/**
 * Load generator child process for bench/broker.ts. Holds WebSocket clients (so the benchmark's
 * file descriptors are spread over several processes) and runs one command at a time, sent over IPC:
 * - connect: open `count` clients with ids `${prefix}${i}`, at most `concurrency` handshakes in
 *   flight, each done when OPEN arrives; reply with the time taken;
 * - relay: clients i and i^1 are pairs; every client sends a realistic CANDIDATE frame to its
 *   partner as fast as its socket drains, for `durationMs` after `warmupMs`; reply with frames
 *   received in the window;
 * - close: close every client.
 * Clients never heartbeat (idle connections) and never parse what they receive (count only), so
 * the load generator stays cheaper than the broker it measures.
 */
import { WebSocket } from 'ws';

export type WorkerCommand =
  | { cmd: 'connect'; baseUrl: string; key: string; prefix: string; count: number; concurrency: number }
  | { cmd: 'relay'; durationMs: number; warmupMs: number }
  | { cmd: 'close' };

export type WorkerReply =
  | { ok: true; cmd: 'connect'; opened: number; failed: number; ms: number }
  | { ok: true; cmd: 'relay'; received: number; sent: number; ms: number }
  | { ok: true; cmd: 'close' }
  | { ok: false; error: string };

interface Client {
  ws: WebSocket;
  id: string;
  received: number;
}

const clients: Client[] = [];
/** Bytes a sender may have unsent before it waits for the socket to drain. */
const SEND_HIGH_WATER = 64 * 1024;

function candidateFrame(dst: string): Buffer {
  return Buffer.from(
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
}

function openOne(url: string, id: string): Promise<Client | undefined> {
  return new Promise((resolve) => {
    // The load generator keeps its own cost down (same for both servers): an all-zero mask lets ws
    // skip masking its frames, and received frames are counted, not UTF-8 validated.
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      generateMask: (mask) => {
        mask.fill(0);
      },
    });
    const c: Client = { ws, id, received: 0 };
    let settled = false;
    const done = (v: Client | undefined) => {
      if (settled) return;
      settled = true;
      resolve(v);
    };
    ws.on('message', (data) => {
      if (!settled) {
        const text = data.toString();
        if (text.includes('"OPEN"')) done(c);
        else {
          ws.terminate();
          done(undefined);
        }
        return;
      }
      c.received += 1;
    });
    ws.on('error', () => done(undefined));
    ws.on('close', () => done(undefined));
  });
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
      const c = await openOne(`${cmd.baseUrl}?key=${cmd.key}&id=${id}&token=t${i}`, id);
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
  const pump = (c: Client, frame: Buffer) => {
    const loop = () => {
      if (!running || c.ws.readyState !== WebSocket.OPEN) return;
      let burst = 0;
      while (c.ws.bufferedAmount < SEND_HIGH_WATER && burst < 64) {
        c.ws.send(frame);
        sent += 1;
        burst += 1;
      }
      setImmediate(loop);
    };
    loop();
  };
  for (let i = 0; i + 1 < clients.length; i += 2) {
    const a = clients[i]!;
    const b = clients[i + 1]!;
    pump(a, candidateFrame(b.id));
    pump(b, candidateFrame(a.id));
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
  return { ok: true, cmd: 'relay', received, sent: sentIn, ms };
}

async function closeAll(): Promise<WorkerReply> {
  for (const c of clients) c.ws.terminate();
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
