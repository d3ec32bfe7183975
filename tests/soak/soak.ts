/**
 * Cluster soak (`npm run soak [-- --seconds 180 --clients 2000 --nodes 3]`), not part of `npm test`:
 * one real redis-server and N broker processes on loopback, and a population of raw PeerJS wire
 * clients that register on a random node, send OFFERs, move between nodes and leave, for a bounded
 * time. Every OFFER carries a unique connectionId, and the run checks:
 * - every OFFER sent to an online peer is delivered exactly once (a peer stops being offered to,
 *   then waits DRAIN_MS before it leaves or moves, so nothing is in flight when it goes);
 * - every OFFER queued for an id that registers within the expiry is delivered exactly once;
 * - every OFFER to an id that never registers earns its sender exactly one EXPIRE;
 * - broker memory stays bounded (RSS per node at start, peak and end are printed).
 * Exits 1 when a check fails. Bounded in time (--seconds) and count (--clients concurrent peers).
 */
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { rssBytes, sleep } from '../../bench/lib/proc.js';
import { startCluster } from '../cluster/support.js';
import type { BrokerUnderTest } from '../support/brokers.js';

const USAGE =
  'usage: npm run soak -- [--seconds N] [--clients N] [--nodes N] [--expire-ms N] (positive integers)';

function parseOptions() {
  try {
    return parseArgs({
      options: {
        seconds: { type: 'string', default: '180' },
        clients: { type: 'string', default: '2000' },
        nodes: { type: 'string', default: '3' },
        'expire-ms': { type: 'string', default: '5000' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

const args = parseOptions();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const SECONDS = Number(args.seconds);
const CLIENTS = Number(args.clients);
const NODES = Number(args.nodes);
const EXPIRE_MS = Number(args['expire-ms']);
if (![SECONDS, CLIENTS, NODES, EXPIRE_MS].every((n) => Number.isInteger(n) && n > 0)) {
  console.error(USAGE);
  process.exit(2);
}

/** A peer stops being offered to this long before it leaves or moves (covers relay latency under load). */
const DRAIN_MS = 3_000;
/** Lifetime of one registration, uniformly in [min, max). */
const LIFE_MIN_MS = 8_000;
const LIFE_MAX_MS = 30_000;
/** Mean interval between OFFERs a peer sends. */
const OFFER_EVERY_MS = 2_000;
/** Share of departures that are moves to another node with the same id and token (re-attach). */
const MOVE_SHARE = 0.15;
/** Share of OFFERs sent to an id that registers shortly after (queued) and to one that never does. */
const QUEUED_SHARE = 0.05;
const NEVER_SHARE = 0.02;
/** A queued id registers within this delay: well inside the expiry. */
const QUEUED_DELAY_MAX_MS = 1_500;
/** Time at the end for the last frames and EXPIREs to arrive before counting. */
const SETTLE_MS = EXPIRE_MS + 5_000;
/** Registrations opening at once: thousands of simultaneous handshakes would measure the kernel's accept queue. */
const OPEN_CONCURRENCY = 64;

type Kind = 'online' | 'queued' | 'never';
interface Sent {
  kind: Kind;
  sender: string;
  dst: string;
}

const sent = new Map<string, Sent>();
const received = new Map<string, number>();
const expires = new Map<string, number>(); // `${sender}>${dst}` → EXPIREs received
const neverPairs = new Set<string>();
let offerSeq = 0;
let idSeq = 0;
const counts = { registrations: 0, moves: 0, leaves: 0, openFailures: 0, unexpectedClose: 0, errors: 0 };

class Client {
  ws: WebSocket | undefined;
  /** Accepting OFFERs (registered, not draining). */
  offerable = false;
  /** Has outstanding OFFERs to never-registered ids: stays until their EXPIRE is due. */
  pinnedUntil = 0;
  timer: NodeJS.Timeout | undefined;
  closing = false;
  constructor(
    readonly id: string,
    readonly token: string,
    /** Population peers are replaced when they leave; peers registered for a queued OFFER are not. */
    readonly replaced = true,
  ) {}

  open(node: BrokerUnderTest): Promise<boolean> {
    return new Promise((resolve) => {
      const ws = new WebSocket(node.wsUrl(this.id, this.token), { perMessageDeflate: false });
      this.ws = ws;
      let opened = false;
      ws.on('message', (data) => {
        const text = data.toString();
        let f: { type?: string; src?: string; payload?: { connectionId?: string } };
        try {
          f = JSON.parse(text);
        } catch {
          counts.errors += 1;
          return;
        }
        if (f.type === 'OPEN') {
          opened = true;
          resolve(true);
        } else if (f.type === 'OFFER' && f.payload?.connectionId) {
          const k = f.payload.connectionId;
          received.set(k, (received.get(k) ?? 0) + 1);
        } else if (f.type === 'EXPIRE' && f.src) {
          const k = `${this.id}>${f.src}`;
          expires.set(k, (expires.get(k) ?? 0) + 1);
        } else if (f.type === 'ERROR' || f.type === 'ID-TAKEN') {
          counts.errors += 1;
          if (!opened) resolve(false);
        }
      });
      ws.on('error', () => {
        if (!opened) resolve(false);
      });
      ws.on('close', (code) => {
        if (!opened) resolve(false);
        // 4410: replaced by our own move; anything else while we did not close is unexpected.
        if (ws === this.ws && !this.closing && code !== 4410) counts.unexpectedClose += 1;
      });
    });
  }

  send(frame: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }
}

const online = new Map<string, Client>();
let nodes: BrokerUnderTest[] = [];
const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const between = (lo: number, hi: number) => lo + Math.random() * (hi - lo);
let running = true;
const inFlight = new Set<Promise<unknown>>();
function track<T>(p: Promise<T>): Promise<T> {
  inFlight.add(p);
  p.finally(() => inFlight.delete(p)).catch(() => {});
  return p;
}

/** Open slots: at most OPEN_CONCURRENCY registrations in progress. */
let opening = 0;
const waiters: Array<() => void> = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  while (opening >= OPEN_CONCURRENCY) await new Promise<void>((r) => waiters.push(r));
  opening += 1;
  try {
    return await fn();
  } finally {
    opening -= 1;
    waiters.shift()?.();
  }
}

function offer(from: Client, dst: string, kind: Kind): void {
  offerSeq += 1;
  const connectionId = `soak${offerSeq}`;
  sent.set(connectionId, { kind, sender: from.id, dst });
  offeredAt.set(connectionId, Date.now());
  from.send({
    type: 'OFFER',
    dst,
    payload: { type: 'data', connectionId, sdp: { type: 'offer', sdp: 'v=0' } },
  });
}

function offerables(): Client[] {
  return [...online.values()].filter((c) => c.offerable);
}

/** One OFFER from `c` to someone: mostly an online peer, sometimes a soon-registered or a never-registered id. */
function act(c: Client, pool: Client[]): void {
  const r = Math.random();
  if (r < NEVER_SHARE) {
    const dst = `never${idSeq++}`;
    neverPairs.add(`${c.id}>${dst}`);
    c.pinnedUntil = Math.max(c.pinnedUntil, Date.now() + EXPIRE_MS + DRAIN_MS);
    offer(c, dst, 'never');
  } else if (r < NEVER_SHARE + QUEUED_SHARE) {
    const later = new Client(`q${idSeq++}`, 't', false);
    offer(c, later.id, 'queued');
    setTimeout(() => void track(startLife(later)), between(100, QUEUED_DELAY_MAX_MS));
  } else {
    const dst = pool.length > 0 ? pick(pool) : undefined;
    if (dst && dst !== c && dst.offerable) offer(c, dst.id, 'online');
  }
}

const registeredAt = new Map<string, number>();
const offeredAt = new Map<string, number>();

async function startLife(c: Client): Promise<void> {
  // A peer an OFFER was queued for registers even after the stop, so the OFFER can be counted.
  if (!running && c.replaced) return;
  const ok = await slot(() => c.open(pick(nodes)));
  if (!ok) {
    counts.openFailures += 1;
    c.ws?.terminate();
    return;
  }
  counts.registrations += 1;
  registeredAt.set(c.id, Date.now());
  online.set(c.id, c);
  if (running) live(c);
}

/** Registered: offers to others at random intervals until its life is over, then departs. */
function live(c: Client): void {
  c.offerable = true;
  // A peer registered for a queued OFFER stays briefly, so the population stays near --clients.
  const life = c.replaced ? between(LIFE_MIN_MS, LIFE_MAX_MS) : between(0, LIFE_MIN_MS / 4);
  const born = Date.now();
  const tick = () => {
    if (!running || !c.offerable) return;
    if (Date.now() - born > life && Date.now() > c.pinnedUntil) {
      void track(depart(c));
      return;
    }
    c.timer = setTimeout(tick, between(0, OFFER_EVERY_MS * 2));
    act(c, offerablesCache);
  };
  c.timer = setTimeout(tick, between(0, OFFER_EVERY_MS * 2));
}

async function depart(c: Client): Promise<void> {
  c.offerable = false;
  await sleep(DRAIN_MS);
  if (Math.random() < MOVE_SHARE && running) {
    // Move: same id and token on another node; the old socket is replaced (4410).
    const ok = await slot(() => c.open(pick(nodes)));
    if (ok) {
      counts.moves += 1;
      live(c);
      return;
    }
    counts.openFailures += 1;
  }
  c.closing = true;
  c.ws?.close();
  online.delete(c.id);
  counts.leaves += 1;
  // A fresh peer takes its place, so the population stays at CLIENTS.
  if (running && c.replaced) void track(startLife(new Client(`p${idSeq++}`, `t${idSeq}`)));
}

let offerablesCache: Client[] = [];

async function main(): Promise<void> {
  console.log(`soak: ${NODES} nodes, ${CLIENTS} concurrent peers, ${SECONDS} s, expire ${EXPIRE_MS} ms`);
  const cluster = await startCluster(NODES, {
    expireTimeoutMs: EXPIRE_MS,
    args: ['--per-ip-limit', String(CLIENTS * 4), '--concurrent-limit', String(CLIENTS * 4)],
  });
  nodes = cluster.nodes;
  const rssStart = nodes.map((n) => rssBytes(n.pid()));
  const rssPeak = [...rssStart];
  const refresh = setInterval(() => {
    offerablesCache = offerables();
    nodes.forEach((n, i) => {
      rssPeak[i] = Math.max(rssPeak[i]!, rssBytes(n.pid()));
    });
  }, 250);
  const started = Date.now();
  try {
    await Promise.all(
      Array.from({ length: CLIENTS }, () => track(startLife(new Client(`p${idSeq++}`, `t${idSeq}`)))),
    );
    const progress = setInterval(() => {
      const s = Math.round((Date.now() - started) / 1000);
      console.log(
        `  ${s}s: online ${online.size}, registrations ${counts.registrations}, offers ${sent.size}, delivered ${received.size}`,
      );
    }, 15_000);
    await sleep(Math.max(0, SECONDS * 1000 - (Date.now() - started)));
    clearInterval(progress);
    // Stop: no new OFFERs, then let every frame and EXPIRE arrive before counting.
    running = false;
    for (const c of online.values()) {
      c.offerable = false;
      if (c.timer) clearTimeout(c.timer);
    }
    await sleep(SETTLE_MS);
    const rssLoaded = nodes.map((n) => rssBytes(n.pid()));
    for (const c of online.values()) {
      c.closing = true;
      c.ws?.close();
    }
    await Promise.race([Promise.allSettled([...inFlight]), sleep(DRAIN_MS * 2)]);
    await sleep(3_000);
    const rssEnd = nodes.map((n) => rssBytes(n.pid()));
    const ok = report(rssStart, rssPeak, rssLoaded, rssEnd);
    process.exitCode = ok ? 0 : 1;
  } finally {
    clearInterval(refresh);
    for (const c of online.values()) c.ws?.terminate();
    await cluster.stop();
  }
}

function report(start: number[], peak: number[], loaded: number[], end: number[]): boolean {
  const by: Record<Kind, { sent: number; once: number; missing: number; dup: number }> = {
    online: { sent: 0, once: 0, missing: 0, dup: 0 },
    queued: { sent: 0, once: 0, missing: 0, dup: 0 },
    never: { sent: 0, once: 0, missing: 0, dup: 0 },
  };
  for (const [k, s] of sent) {
    const n = received.get(k) ?? 0;
    const b = by[s.kind];
    b.sent += 1;
    if (n === 1) b.once += 1;
    else if (n === 0) {
      b.missing += 1;
      if (b.missing <= 5 && s.kind !== 'never') {
        const reg = registeredAt.get(s.dst);
        console.log(
          `  not delivered: ${s.kind} ${k} ${s.sender}→${s.dst}, dst registered ${reg === undefined ? 'never' : `${reg - offeredAt.get(k)!} ms after the OFFER`}`,
        );
      }
    } else b.dup += 1;
  }
  let expOnce = 0;
  let expMissing = 0;
  let expDup = 0;
  for (const pair of neverPairs) {
    const n = expires.get(pair) ?? 0;
    if (n === 1) expOnce += 1;
    else if (n === 0) expMissing += 1;
    else expDup += 1;
  }
  const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
  console.log('');
  console.log(
    `registrations ${counts.registrations}, moves between nodes ${counts.moves}, leaves ${counts.leaves}`,
  );
  console.log(
    `open failures ${counts.openFailures}, unexpected closes ${counts.unexpectedClose}, error frames ${counts.errors}`,
  );
  console.log(
    `OFFERs to online peers:   sent ${by.online.sent}, delivered exactly once ${by.online.once}, missing ${by.online.missing}, duplicated ${by.online.dup}`,
  );
  console.log(
    `OFFERs queued (id registers within the expiry): sent ${by.queued.sent}, delivered once ${by.queued.once}, lost ${by.queued.missing}, duplicated ${by.queued.dup}`,
  );
  console.log(
    `OFFERs to never-registered ids: sent ${by.never.sent}, delivered ${by.never.once + by.never.dup}; EXPIRE to sender exactly once ${expOnce}, missing ${expMissing}, duplicated ${expDup}`,
  );
  nodes.forEach((_, i) => {
    console.log(
      `node ${i + 1} RSS: start ${mib(start[i]!)}, peak ${mib(peak[i]!)}, loaded end ${mib(loaded[i]!)}, after clients left ${mib(end[i]!)}`,
    );
  });
  const ok =
    by.online.missing + by.online.dup + by.queued.missing + by.queued.dup + by.never.once + by.never.dup ===
      0 &&
    expMissing + expDup === 0 &&
    counts.unexpectedClose === 0;
  console.log(ok ? 'soak: PASS' : 'soak: FAIL');
  return ok;
}

main().then(
  () => process.exit(),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
