/**
 * Cluster benchmark: what the Redis path costs against the single-node in-memory path, all real
 * processes on loopback (brokers from dist/, one redis-server, load generators as child processes):
 * 1. relayed signaling frames per second between 50 client pairs, closed loop (each client keeps at
 *    most WINDOW frames in flight to its partner): one in-memory node (the anchor); one Redis node
 *    (partners on the same node: the local path); 2 and 3 Redis nodes with every pair spanning two
 *    nodes (every frame goes broker → Redis → broker). Frames per CPU-second of all brokers plus
 *    Redis is printed too: on a shared 2-core machine, where every process competes for the same
 *    cores, it is the figure that sizes a deployment;
 * 2. one-way message latency (median, p99) of single frames sent one at a time: same node in
 *    memory (anchor), and across two nodes through Redis.
 * Run: npm run bench -- cluster
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { REDIS_MISSING, type RedisUnderTest, startRedis } from '../tests/cluster/redis-server.js';
import { clusterArgs } from '../tests/cluster/support.js';
import { type BrokerUnderTest, REPO_ROOT, startOurBroker } from '../tests/support/brokers.js';
import { LOAD_BROKER_ARGS } from './lib/broker-args.js';
import { ClusterLoadWorker } from './lib/cluster-workers.js';
import { cpuSeconds, sleep } from './lib/proc.js';

const PAIRS = 50;
const WINDOW = 64;
const WARMUP_MS = 1_000;
const RELAY_MS = 3_000;
/** Rounds per configuration (alternating); each figure is the best, so a burst of other load does not decide it. */
const ROUNDS = Number(process.env.CLUSTER_BENCH_ROUNDS ?? 2);
const LATENCY_SAMPLES = 1_000;
/** Default lapse: the benchmark measures the deployed configuration. */
const LAPSE_MS = 15_000;

interface Setup {
  name: string;
  nodes: number;
  redis: boolean;
}
const SETUPS: Setup[] = [
  { name: '1 node, in memory (anchor)', nodes: 1, redis: false },
  { name: '1 node, Redis (local path)', nodes: 1, redis: true },
  { name: '2 nodes, Redis (cross-node)', nodes: 2, redis: true },
  { name: '3 nodes, Redis (cross-node)', nodes: 3, redis: true },
];

async function startNodes(n: number, redis: RedisUnderTest | undefined): Promise<BrokerUnderTest[]> {
  const nodes: BrokerUnderTest[] = [];
  for (let i = 0; i < n; i++) {
    const extra = redis ? clusterArgs(redis.url, LAPSE_MS).slice(0, 4) : [];
    nodes.push(
      await startOurBroker({
        fromDist: true,
        aliveTimeoutMs: 600_000,
        args: [...extra, ...LOAD_BROKER_ARGS],
      }),
    );
  }
  return nodes;
}

const wsBase = (b: BrokerUnderTest) => `ws://${b.host}:${b.port}${b.path}peerjs`;

async function relay(
  setup: Setup,
  round: number,
): Promise<{ perSec: number; perCpuSec: number; cpu: number }> {
  const redis = setup.redis ? await startRedis() : undefined;
  const nodes = await startNodes(setup.nodes, redis);
  const worker = new ClusterLoadWorker(REPO_ROOT);
  try {
    const conn = await worker.run({
      cmd: 'connect',
      baseUrls: nodes.map(wsBase),
      key: 'peerjs',
      prefix: `r${round}c`,
      count: PAIRS * 2,
    });
    if (conn.opened !== PAIRS * 2) throw new Error(`${setup.name}: only ${conn.opened} clients opened`);
    const pids = nodes.map((b) => b.pid());
    if (redis) pids.push(redis.pid());
    const cpu = () => pids.reduce((s, p) => s + cpuSeconds(p), 0);
    const each0 = pids.map(cpuSeconds);
    const cpu0 = cpu();
    const t0 = performance.now();
    const r = await worker.run({ cmd: 'relay', durationMs: RELAY_MS, warmupMs: WARMUP_MS, window: WINDOW });
    const cpuUsed = cpu() - cpu0;
    const wall = (performance.now() - t0) / 1000;
    const shares = pids.map((p, i) => `${fmt(((cpuSeconds(p) - each0[i]!) / wall) * 100)}%`);
    console.log(
      `  CPU per process (brokers${redis ? ', redis' : ''}): ${shares.join(' ')}; load generator ${fmt((cpuSeconds(worker.pid) / wall) * 100)}% (incl. connect)`,
    );
    await worker.run({ cmd: 'close' });
    const perSec = (r.received / r.ms) * 1000;
    // The CPU window includes the warm-up; scale the frames to the same window.
    return { perSec, perCpuSec: (perSec * wall) / cpuUsed, cpu: cpuUsed / wall };
  } finally {
    worker.stop();
    await Promise.all(nodes.map((b) => b.stop()));
    await redis?.stop();
  }
}

function openWs(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('message', (d) => (String(d).includes('OPEN') ? resolve(ws) : reject(new Error(String(d)))));
    ws.once('error', reject);
  });
}

/** One-way latency of single frames from a client on `from` to a client on `to` (same process clock). */
async function latency(from: BrokerUnderTest, to: BrokerUnderTest, tag: string): Promise<number[]> {
  const q = (id: string) => `?key=peerjs&id=${id}&token=t`;
  const rx = await openWs(`${wsBase(to)}${q(`${tag}rx`)}`);
  const tx = await openWs(`${wsBase(from)}${q(`${tag}tx`)}`);
  const samples: number[] = [];
  try {
    for (let i = 0; i < LATENCY_SAMPLES + 50; i++) {
      const t0 = performance.now();
      const got = new Promise<void>((resolve) => rx.once('message', () => resolve()));
      tx.send(
        JSON.stringify({
          type: 'CANDIDATE',
          dst: `${tag}rx`,
          payload: { type: 'data', connectionId: `dc_${i}` },
        }),
      );
      await got;
      // The first 50 warm the path (JIT, Redis script cache).
      if (i >= 50) samples.push(performance.now() - t0);
    }
  } finally {
    tx.close();
    rx.close();
  }
  return samples.sort((a, b) => a - b);
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? Number.NaN;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main() {
  if (REDIS_MISSING) {
    console.log(`skipped: ${REDIS_MISSING}`);
    return;
  }
  console.log(`node ${process.version}; building packages/protocol and packages/broker…`);
  for (const pkg of ['protocol', 'broker']) {
    const r = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', `packages/${pkg}/tsconfig.build.json`],
      { cwd: REPO_ROOT, stdio: 'inherit' },
    );
    if (r.status !== 0) throw new Error(`build of ${pkg} failed`);
  }

  const best = new Map<string, { perSec: number; perCpuSec: number; cpu: number }>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of SETUPS) {
      const r = await relay(s, round);
      const prev = best.get(s.name);
      if (!prev || r.perSec > prev.perSec) best.set(s.name, r);
      console.log(
        `round ${round + 1}: ${s.name}: ${fmt(r.perSec)} frames/s, ${fmt(r.perCpuSec)} per CPU-s (${fmt(r.cpu * 100)}% CPU)`,
      );
      await sleep(500);
    }
  }

  // Latency: anchor (one in-memory node) and cross-node through Redis.
  const [mem] = await startNodes(1, undefined);
  const memLat = await latency(mem!, mem!, 'm');
  await mem!.stop();
  const redis = await startRedis();
  const pair = await startNodes(2, redis);
  const localLat = await latency(pair[0]!, pair[0]!, 'l');
  const crossLat = await latency(pair[0]!, pair[1]!, 'x');
  await Promise.all(pair.map((b) => b.stop()));
  await redis.stop();

  const anchor = best.get(SETUPS[0]!.name)!;
  const row = (a: string, b: string, c: string, d: string) =>
    console.log(`${a.padEnd(34)} ${b.padStart(14)} ${c.padStart(16)} ${d.padStart(8)}`);
  console.log('');
  row(`relay, ${PAIRS} pairs (best of ${ROUNDS})`, 'frames/s', 'per CPU-second', 'ratio');
  for (const s of SETUPS) {
    const r = best.get(s.name)!;
    row(s.name, fmt(r.perSec), fmt(r.perCpuSec), `${fmt(r.perSec / anchor.perSec, 2)}x`);
  }
  console.log('');
  row(`one-way latency (${fmt(LATENCY_SAMPLES)} frames)`, 'median ms', 'p99 ms', 'ratio');
  const lat = (name: string, xs: number[]) =>
    row(name, fmt(pct(xs, 0.5), 3), fmt(pct(xs, 0.99), 3), `${fmt(pct(xs, 0.5) / pct(memLat, 0.5), 2)}x`);
  lat('same node, in memory (anchor)', memLat);
  lat('same node, Redis cluster', localLat);
  lat('across nodes, through Redis', crossLat);
  console.log('');
  console.log('ratios: against the anchor row (relay: frames/s; latency: median).');
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
