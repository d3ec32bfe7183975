/**
 * Peer library benchmark: our library against the stock `peerjs` 1.5.5 client, same broker (ours,
 * a real process on loopback), same WebRTC stack underneath (node-datachannel bound to 127.0.0.1),
 * in one run:
 * 1. time from connect() to an open data channel (median and p95 over 50 connections; rounds of the
 *    two libraries alternate so background load hits both alike);
 * 2. data-channel throughput, 'raw' and 'binary' (BinaryPack, the stock default; 64 KiB messages
 *    are chunked by both) serializations, for 1 KiB and 64 KiB messages (sender paced by
 *    each library's own backpressure; timed from the first send to the last byte received).
 * Ratios are stock / ours for times and ours / stock for throughput: above 1 means ours is better.
 * Run: npm run bench -- peer
 */
import { generatePeerId, Peer } from '@enkrypted/peer';
import { openStockPeer, type StockDataConnection, type StockPeer } from '../tests/peer/stock-peerjs.js';
import { startOurBroker } from '../tests/support/brokers.js';
import { connectTime, fmtMs, fmtRate, percentile, throughput } from './lib/data-channel.js';

const CONNECTIONS = 50;
const THROUGHPUT = [
  { size: 1024, count: 10_000 },
  { size: 64 * 1024, count: 400 },
];

const loopback = (c: string) => / 127\.0\.0\.1 /.test(c);

async function stockConnectOnce(a: StockPeer, bId: string): Promise<number> {
  const t0 = performance.now();
  const conn = a.connect(bId, { serialization: 'raw', reliable: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('stock connect timed out')), 30_000);
    conn.on('open', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const ms = performance.now() - t0;
  conn.close();
  return ms;
}

type Measured = 'raw' | 'binary';

async function stockThroughput(
  a: StockPeer,
  b: StockPeer,
  size: number,
  count: number,
  serialization: Measured,
): Promise<number> {
  const incoming = new Promise<StockDataConnection>((r) => b.on('connection', r));
  const conn = a.connect(b.id, { serialization, reliable: true });
  await new Promise<void>((r) => conn.on('open', r));
  const rx = await incoming;
  if (!rx.open) await new Promise<void>((r) => rx.on('open', r));
  const total = size * count;
  let received = 0;
  const done = new Promise<void>((resolve) =>
    rx.on('data', (d) => {
      received += (d as ArrayBuffer).byteLength;
      if (received >= total) resolve();
    }),
  );
  const payload = new Uint8Array(size).fill(7);
  const t0 = performance.now();
  // peerjs buffers internally above its 8 MiB threshold; send() itself never waits.
  for (let i = 0; i < count; i++) conn.send(payload);
  await done;
  const s = (performance.now() - t0) / 1000;
  conn.close();
  return total / s;
}

function row(what: string, stock: string, ours: string, ratio: number) {
  console.log(
    `${what.padEnd(36)} ${stock.padStart(14)} ${ours.padStart(14)} ${`${ratio.toFixed(2)}×`.padStart(8)}`,
  );
}

const broker = await startOurBroker({ args: ['--log-level', 'warn'] });
const options = {
  host: broker.host,
  port: broker.port,
  path: broker.path,
  key: broker.key,
  bindAddress: '127.0.0.1',
  candidateFilter: loopback,
};
const oa = await Peer.open(options, { timeoutMs: 30_000 });
const ob = await Peer.open(options, { timeoutMs: 30_000 });
const sa = await openStockPeer(broker, generatePeerId());
const sb = await openStockPeer(broker, generatePeerId());
try {
  // Warm-up: one connection each, not counted.
  await connectTime(oa, ob);
  await stockConnectOnce(sa, sb.id);
  const ours: number[] = [];
  const stock: number[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    ours.push(await connectTime(oa, ob));
    stock.push(await stockConnectOnce(sa, sb.id));
  }
  console.log(`node ${process.version}, broker: enkrypted (loopback), WebRTC: node-datachannel for both`);
  console.log(
    `${'metric'.padEnd(36)} ${'stock peerjs'.padStart(14)} ${'enkrypted'.padStart(14)} ${'ratio'.padStart(8)}`,
  );
  const om = percentile(ours, 50);
  const sm = percentile(stock, 50);
  const o95 = percentile(ours, 95);
  const s95 = percentile(stock, 95);
  row(`connect→open median (n=${CONNECTIONS})`, fmtMs(sm), fmtMs(om), sm / om);
  row(`connect→open p95 (n=${CONNECTIONS})`, fmtMs(s95), fmtMs(o95), s95 / o95);
  for (const serialization of ['raw', 'binary'] as const) {
    for (const { size, count } of THROUGHPUT) {
      const s = await stockThroughput(sa, sb, size, count, serialization);
      const o = await throughput(oa, ob, size, count, serialization);
      row(`throughput ${serialization} ${size / 1024} KiB × ${count}`, fmtRate(s), fmtRate(o), o / s);
    }
  }
} finally {
  sa.destroy();
  sb.destroy();
  await oa.close();
  await ob.close();
  await broker.stop();
}
