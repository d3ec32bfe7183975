/**
 * TURN benchmark: the same two Node peers (our library, node-datachannel on loopback) connected
 * directly and through a real coturn relay in relay-only mode with broker-issued credentials, in
 * one run: connect→open time (median, p95; rounds alternate so background load hits both alike)
 * and one-way data-channel throughput for 1 KiB and 64 KiB messages. Ratios are relay / direct:
 * above 1 for time (slower), below 1 for throughput (what the relay costs).
 * coturn runs as in tests/turn (listening on 127.0.0.1, relays on 127.0.0.2).
 * Run: npm run bench -- turn
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Peer } from '@enkrypted/peer';
import { startCoturn } from '../tests/turn/coturn.js';
import { startTurnBroker, turnPeerOptions } from '../tests/turn/support.js';
import { connectTime, fmtMs, fmtRate, percentile, throughput } from './lib/data-channel.js';

const CONNECTIONS = 30;
const THROUGHPUT = [
  { size: 1024, count: 5_000 },
  { size: 64 * 1024, count: 200 },
];

function row(what: string, direct: string, relay: string, ratio: number) {
  console.log(
    `${what.padEnd(36)} ${direct.padStart(14)} ${relay.padStart(14)} ${`${ratio.toFixed(2)}×`.padStart(8)}`,
  );
}

/** A connection that does not open is counted as a failure and reported, not fatal to the run. */
let failures = 0;
async function measure(into: number[], once: () => Promise<number>): Promise<void> {
  try {
    into.push(await once());
  } catch (err) {
    failures += 1;
    console.log(`connect failed: ${(err as Error).message}`);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'bench-turn-'));
// Closed connections keep their allocations for the allocation lifetime: a wide relay range.
const coturn = await startCoturn({ relayPorts: 2_000 });
const broker = await startTurnBroker(coturn, dir);
// The direct pair has no TURN server at all, so its path is the plain host path.
const open = (relay: boolean) =>
  Peer.open(turnPeerOptions(broker, relay ? { turn: 'broker', iceTransportPolicy: 'relay' } : {}), {
    timeoutMs: 30_000,
  });
const [da, db, ra, rb] = await Promise.all([open(false), open(false), open(true), open(true)]);
try {
  await connectTime(da, db);
  await connectTime(ra, rb);
  const direct: number[] = [];
  const relay: number[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    await measure(direct, () => connectTime(da, db));
    await measure(relay, () => connectTime(ra, rb));
  }
  console.log(`node ${process.version}, coturn ${coturn.port} on loopback, WebRTC: node-datachannel`);
  console.log(
    `${'metric'.padEnd(36)} ${'direct'.padStart(14)} ${'TURN relay'.padStart(14)} ${'ratio'.padStart(8)}`,
  );
  const [dm, rm, d95, r95] = [
    percentile(direct, 50),
    percentile(relay, 50),
    percentile(direct, 95),
    percentile(relay, 95),
  ];
  row(`connect→open median (n=${CONNECTIONS})`, fmtMs(dm), fmtMs(rm), rm / dm);
  row(`connect→open p95 (n=${CONNECTIONS})`, fmtMs(d95), fmtMs(r95), r95 / d95);
  if (failures > 0) console.log(`connections that did not open: ${failures}`);
  for (const { size, count } of THROUGHPUT) {
    const d = await throughput(da, db, size, count);
    const r = await throughput(ra, rb, size, count);
    row(`throughput ${size / 1024} KiB × ${count}`, fmtRate(d), fmtRate(r), r / d);
  }
} finally {
  for (const p of [da, db, ra, rb]) await p.close();
  await broker.stop();
  await coturn.stop();
  rmSync(dir, { recursive: true, force: true });
}
