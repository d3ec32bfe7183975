/**
 * Load generator child process for bench/cluster.ts: raw-socket clients (raw-ws.ts) spread over
 * several broker nodes, so that partners sit on different nodes and every frame crosses Redis.
 * Commands over IPC, one at a time:
 * - connect: client i registers on `baseUrls[i % n]`; partners are clients 2k and 2k+1, so with two
 *   or more nodes each pair spans two nodes (with one node, both sit on it);
 * - relay: each client keeps up to `window` OFFER-sized frames in flight to its partner (sent, not
 *   yet counted by the partner), for `durationMs` after `warmupMs`; replies with frames counted in
 *   the window;
 * - close.
 */
import { maskedTextFrame, openRaw, type RawClient } from './raw-ws.js';

export type ClusterWorkerCommand =
  | { cmd: 'connect'; baseUrls: string[]; key: string; prefix: string; count: number }
  | { cmd: 'relay'; durationMs: number; warmupMs: number; window: number }
  | { cmd: 'close' };

export type ClusterWorkerReply =
  | { ok: true; cmd: 'connect'; opened: number }
  | { ok: true; cmd: 'relay'; received: number; ms: number }
  | { ok: true; cmd: 'close' }
  | { ok: false; error: string };

const clients: RawClient[] = [];
/** Frames per write: a burst of candidates, one syscall. */
const BURST = 8;

/** A CANDIDATE as a browser sends it during trickle ICE (what dominates signaling traffic). */
function burstFor(dst: string): Buffer {
  const frame = maskedTextFrame(
    JSON.stringify({
      type: 'CANDIDATE',
      payload: {
        candidate: { candidate: 'candidate:1 1 udp 2122260223 198.51.100.4 50000 typ host', sdpMid: '0' },
        type: 'data',
        connectionId: 'dc_bench',
      },
      dst,
    }),
  );
  return Buffer.concat(new Array<Buffer>(BURST).fill(frame));
}

async function connectAll(c: Extract<ClusterWorkerCommand, { cmd: 'connect' }>): Promise<ClusterWorkerReply> {
  const opened = await Promise.all(
    Array.from({ length: c.count }, (_, i) => {
      const id = `${c.prefix}${i}`;
      const base = c.baseUrls[i % c.baseUrls.length]!;
      return openRaw(`${base}?key=${c.key}&id=${id}&token=t`, id);
    }),
  );
  for (const o of opened) if (o) clients.push(o);
  return { ok: true, cmd: 'connect', opened: clients.length };
}

async function relayAll(c: Extract<ClusterWorkerCommand, { cmd: 'relay' }>): Promise<ClusterWorkerReply> {
  let on = true;
  const feed = (from: RawClient, to: RawClient): void => {
    const burst = burstFor(to.id);
    let written = 0;
    const topUp = (): void => {
      while (on && !from.socket.destroyed && written - to.received + BURST <= c.window) {
        from.socket.write(burst);
        written += BURST;
      }
    };
    to.onFrames = topUp;
    topUp();
  };
  for (let i = 0; i + 1 < clients.length; i += 2) {
    feed(clients[i]!, clients[i + 1]!);
    feed(clients[i + 1]!, clients[i]!);
  }
  const total = (): number => clients.reduce((n, x) => n + x.received, 0);
  await new Promise((r) => setTimeout(r, c.warmupMs));
  const r0 = total();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, c.durationMs));
  const received = total() - r0;
  const ms = performance.now() - t0;
  on = false;
  for (const x of clients) x.onFrames = undefined;
  return { ok: true, cmd: 'relay', received, ms };
}

process.on('message', (m: ClusterWorkerCommand) => {
  const job: Promise<ClusterWorkerReply> =
    m.cmd === 'connect'
      ? connectAll(m)
      : m.cmd === 'relay'
        ? relayAll(m)
        : Promise.resolve().then(() => {
            for (const x of clients.splice(0)) x.socket.destroy();
            return { ok: true, cmd: 'close' } as const;
          });
  job.then(
    (reply) => process.send?.(reply),
    (err: unknown) => process.send?.({ ok: false, error: String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
