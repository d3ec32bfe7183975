/**
 * Broker benchmark: our broker against the stock `peer` 1.0.2 server, both as real processes on
 * loopback, in one run, same load generator:
 * 1. relayed signaling frames per second between 100 client pairs (realistic CANDIDATE frames,
 *    both directions) at saturation: the load generator (bench/lib/raw-ws.ts) writes pre-framed
 *    batches of 16 frames on raw sockets and counts received frames by header only, so it costs
 *    far less than the server and both servers face identical bytes; each sender keeps at most 256
 *    frames in flight to its partner (closed loop), so frames counted in the window are frames the
 *    server relayed in the window, not a drain of megabytes of loopback socket buffers; the server is saturated when its CPU share is near 100% (printed per round). Frames per
 *    second of server CPU is printed too: on a shared 2-core machine it depends less on what else
 *    runs;
 * 2. connections accepted per second (3,000 registrations, 64 handshakes in flight);
 * 3. resident memory per idle connection at 10,000 registered connections (fresh process each);
 * 4. whether one broker process holds 15,000 idle connections.
 * Our broker runs from dist/ (as deployed) with its rate limit raised out of the way (the token
 * bucket still runs on every frame) and the per-IP limit raised (all clients are 127.0.0.1). The
 * stock server's concurrent_limit is raised to 20,000. Load generators are child processes.
 * Run: npm run bench -- broker
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  type BrokerUnderTest,
  REPO_ROOT,
  type StartOptions,
  startOurBroker,
  startStockPeerServer,
} from '../tests/support/brokers.js';
import { LOAD_BROKER_ARGS } from './lib/broker-args.js';
import { cpuSeconds, rssBytes, sleep } from './lib/proc.js';
import { LoadWorker } from './lib/workers.js';

const RELAY_PAIRS = 100;
const RELAY_WARMUP_MS = 1_000;
const RELAY_MS = 4_000;
/**
 * The machine is shared: relay and accept rounds alternate between the two servers and each
 * figure is the best of its rounds, so a burst of someone else's load does not decide the ratio.
 */
const ROUNDS = 3;
const ACCEPT_COUNT = 3_000;
const ACCEPT_CONCURRENCY = 64;
const IDLE_COUNT = 10_000;
const HOLD_COUNT = 15_000;
/** Clients per load-generator process (each needs one descriptor per client). */
const PER_WORKER = 5_000;
const SETTLE_MS = 3_000;

interface Contender {
  name: 'enkrypted' | 'stock-peer';
  start(): Promise<BrokerUnderTest>;
}

const ours: Contender = {
  name: 'enkrypted',
  start: () =>
    startOurBroker({
      fromDist: true,
      aliveTimeoutMs: 600_000,
      concurrentLimit: 20_000,
      args: [...LOAD_BROKER_ARGS],
    } satisfies StartOptions),
};
const stock: Contender = {
  name: 'stock-peer',
  start: () => startStockPeerServer({ aliveTimeoutMs: 600_000, concurrentLimit: 20_000 }),
};

function wsBase(b: BrokerUnderTest): string {
  return `ws://${b.host}:${b.port}${b.path}peerjs`;
}

async function connectMany(b: BrokerUnderTest, total: number, prefix: string, concurrency: number) {
  const workers: LoadWorker[] = [];
  const jobs: Promise<{ opened: number; failed: number; ms: number }>[] = [];
  for (let start = 0, w = 0; start < total; start += PER_WORKER, w++) {
    const worker = new LoadWorker(REPO_ROOT);
    workers.push(worker);
    const count = Math.min(PER_WORKER, total - start);
    jobs.push(
      worker.run({
        cmd: 'connect',
        baseUrl: wsBase(b),
        key: b.key,
        prefix: `${prefix}w${w}n`,
        count,
        concurrency,
      }),
    );
  }
  const results = await Promise.all(jobs);
  return {
    workers,
    opened: results.reduce((n, r) => n + r.opened, 0),
    failed: results.reduce((n, r) => n + r.failed, 0),
    ms: Math.max(...results.map((r) => r.ms)),
  };
}

async function closeAll(workers: LoadWorker[]) {
  await Promise.all(workers.map((w) => w.run({ cmd: 'close' })));
  for (const w of workers) w.stop();
}

/** CPU share under which a server counts as quiet, and the longest wait for it. */
const QUIET_CPU_SHARE = 0.1;
const QUIET_MAX_WAIT_MS = 20_000;
const QUIET_SAMPLE_MS = 250;

async function untilQuiet(pid: number): Promise<void> {
  const deadline = performance.now() + QUIET_MAX_WAIT_MS;
  await sleep(QUIET_SAMPLE_MS);
  while (performance.now() < deadline) {
    const cpu0 = cpuSeconds(pid);
    await sleep(QUIET_SAMPLE_MS);
    if ((cpuSeconds(pid) - cpu0) / (QUIET_SAMPLE_MS / 1000) < QUIET_CPU_SHARE) return;
  }
}

async function relayAndAccept(c: Contender) {
  const b = await c.start();
  try {
    const worker = new LoadWorker(REPO_ROOT);
    const conn = await worker.run({
      cmd: 'connect',
      baseUrl: wsBase(b),
      key: b.key,
      prefix: 'relay',
      count: RELAY_PAIRS * 2,
      concurrency: 32,
    });
    if (conn.opened !== RELAY_PAIRS * 2)
      throw new Error(`${c.name}: only ${conn.opened} relay clients opened`);
    const cpu0 = cpuSeconds(b.pid());
    const t0 = performance.now();
    const r = await worker.run({ cmd: 'relay', durationMs: RELAY_MS, warmupMs: RELAY_WARMUP_MS });
    const cpuShare = (cpuSeconds(b.pid()) - cpu0) / ((performance.now() - t0) / 1000);
    await closeAll([worker]);
    // A server that buffered more than it relayed is still working through it: wait until it is
    // quiet so the accept figure measures accepting, not the relay backlog.
    await untilQuiet(b.pid());
    const acc = await connectMany(b, ACCEPT_COUNT, 'acc', ACCEPT_CONCURRENCY);
    await closeAll(acc.workers);
    return {
      relayPerSec: (r.received / r.ms) * 1000,
      /** Frames relayed per second of broker CPU time: throughput independent of the load generator. */
      relayPerCpuSec: ((r.received / r.ms) * 1000) / cpuShare,
      cpuShare,
      acceptPerSec: (acc.opened / acc.ms) * 1000,
      acceptFailed: acc.failed,
    };
  } finally {
    await b.stop();
  }
}

async function idleMemory(c: Contender) {
  const b = await c.start();
  try {
    // Warm the code paths so the baseline includes them, then measure the idle cost per socket.
    const warm = await connectMany(b, 200, 'warm', 32);
    await closeAll(warm.workers);
    await sleep(SETTLE_MS);
    const before = rssBytes(b.pid());
    const idle = await connectMany(b, IDLE_COUNT, 'idle', ACCEPT_CONCURRENCY);
    await sleep(SETTLE_MS);
    const after = rssBytes(b.pid());
    await closeAll(idle.workers);
    if (idle.opened !== IDLE_COUNT)
      throw new Error(`${c.name}: only ${idle.opened}/${IDLE_COUNT} idle clients opened`);
    return { perConnection: (after - before) / IDLE_COUNT, before, after };
  } finally {
    await b.stop();
  }
}

async function hold(c: Contender) {
  const b = await c.start();
  try {
    const held = await connectMany(b, HOLD_COUNT, 'hold', ACCEPT_CONCURRENCY);
    await sleep(SETTLE_MS);
    let registered = held.opened;
    if (c.name === 'enkrypted') {
      const text = await (await fetch(b.httpUrl('/metrics'))).text();
      registered = Number(/^broker_peers_registered (\d+)/m.exec(text)?.[1] ?? 0);
    }
    const rss = rssBytes(b.pid());
    await closeAll(held.workers);
    return { opened: held.opened, failed: held.failed, registered, rss };
  } finally {
    await b.stop();
  }
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const kib = (n: number) => `${fmt(n / 1024, 2)} KiB`;

async function main() {
  const ulimit = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim();
  console.log(`open-file limit per process: ${ulimit}; node ${process.version}; building packages/broker…`);
  for (const pkg of ['protocol', 'broker']) {
    const r = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', `packages/${pkg}/tsconfig.build.json`],
      {
        cwd: REPO_ROOT,
        stdio: 'inherit',
      },
    );
    if (r.status !== 0) throw new Error(`build of ${pkg} failed`);
  }

  // BROKER_BENCH_PARTS=relay,memory,hold selects parts (default: all).
  const parts = new Set((process.env.BROKER_BENCH_PARTS ?? 'relay,memory,hold').split(','));
  const none = {
    relayPerSec: Number.NaN,
    relayPerCpuSec: Number.NaN,
    cpuShare: 0,
    acceptPerSec: Number.NaN,
    acceptFailed: 0,
  };
  const noMem = { perConnection: Number.NaN, before: 0, after: 0 };
  const best = (rs: Array<typeof none>): typeof none => ({
    relayPerSec: Math.max(...rs.map((r) => r.relayPerSec)),
    relayPerCpuSec: Math.max(...rs.map((r) => r.relayPerCpuSec)),
    cpuShare: Math.max(...rs.map((r) => r.cpuShare)),
    acceptPerSec: Math.max(...rs.map((r) => r.acceptPerSec)),
    acceptFailed: rs.reduce((n, r) => n + r.acceptFailed, 0),
  });
  const rounds = { stock: [] as Array<typeof none>, ours: [] as Array<typeof none> };
  if (parts.has('relay')) {
    for (let i = 0; i < ROUNDS; i++) {
      rounds.stock.push(await relayAndAccept(stock));
      rounds.ours.push(await relayAndAccept(ours));
      const last = (r: typeof none) =>
        `${fmt(r.relayPerSec)} frames/s (${fmt(r.cpuShare * 100)}% CPU), ${fmt(r.acceptPerSec)} accepts/s`;
      console.log(`round ${i + 1}: stock ${last(rounds.stock[i]!)} | enkrypted ${last(rounds.ours[i]!)}`);
    }
  }
  const rel = parts.has('relay')
    ? { stock: best(rounds.stock), ours: best(rounds.ours) }
    : { stock: none, ours: none };
  const mem = parts.has('memory')
    ? { stock: await idleMemory(stock), ours: await idleMemory(ours) }
    : { stock: noMem, ours: noMem };
  const held = parts.has('hold') ? await hold(ours) : { opened: 0, failed: 0, registered: 0, rss: 0 };

  const row = (what: string, s: string, o: string, ratio: string) =>
    console.log(`${what.padEnd(44)} ${s.padStart(16)} ${o.padStart(16)} ${ratio.padStart(10)}`);
  console.log('');
  row('figure', 'stock peer', 'enkrypted', 'ratio');
  row(
    `relayed frames/s (${RELAY_PAIRS} pairs, best of ${ROUNDS})`,
    fmt(rel.stock.relayPerSec),
    fmt(rel.ours.relayPerSec),
    `${fmt(rel.ours.relayPerSec / rel.stock.relayPerSec, 2)}x`,
  );
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const medStock = median(rounds.stock.map((r) => r.relayPerSec));
  const medOurs = median(rounds.ours.map((r) => r.relayPerSec));
  row(
    `relayed frames/s (median of ${ROUNDS})`,
    fmt(medStock),
    fmt(medOurs),
    `${fmt(medOurs / medStock, 2)}x`,
  );
  row(
    'relayed frames per broker CPU-second',
    fmt(rel.stock.relayPerCpuSec),
    fmt(rel.ours.relayPerCpuSec),
    `${fmt(rel.ours.relayPerCpuSec / rel.stock.relayPerCpuSec, 2)}x`,
  );
  row(
    'broker CPU use during relay',
    `${fmt(rel.stock.cpuShare * 100)}%`,
    `${fmt(rel.ours.cpuShare * 100)}%`,
    '',
  );
  row(
    `connections accepted/s (${fmt(ACCEPT_COUNT)})`,
    fmt(rel.stock.acceptPerSec),
    fmt(rel.ours.acceptPerSec),
    `${fmt(rel.ours.acceptPerSec / rel.stock.acceptPerSec, 2)}x`,
  );
  row(
    `RSS per idle connection (${fmt(IDLE_COUNT)})`,
    kib(mem.stock.perConnection),
    kib(mem.ours.perConnection),
    `${fmt(mem.ours.perConnection / mem.stock.perConnection, 2)}x`,
  );
  row('RSS at 10,000 idle connections', kib(mem.stock.after), kib(mem.ours.after), '');
  console.log('');
  console.log(
    `enkrypted holding ${fmt(HOLD_COUNT)} idle connections: opened ${fmt(held.opened)}, failed ${fmt(held.failed)}, ` +
      `registered ${fmt(held.registered)}, RSS ${fmt(held.rss / 1024 / 1024, 1)} MiB → ${held.registered >= HOLD_COUNT ? 'OK' : 'NOT HELD'}`,
  );
  console.log(
    `targets: relay ≥ 2x (${rel.ours.relayPerSec >= 2 * rel.stock.relayPerSec ? 'met' : 'NOT met'}), ` +
      `memory ≤ 0.75x (${mem.ours.perConnection <= 0.75 * mem.stock.perConnection ? 'met' : 'NOT met'}), ` +
      `15,000 held (${held.registered >= HOLD_COUNT ? 'met' : 'NOT met'})`,
  );
  if (rel.ours.acceptFailed + rel.stock.acceptFailed > 0) {
    console.log(`accept failures: stock ${rel.stock.acceptFailed}, enkrypted ${rel.ours.acceptFailed}`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
