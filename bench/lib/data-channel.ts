/**
 * Measurements on our Peer's data channels, shared by benchmarks: connect→open time and one-way
 * throughput (paced by the library's own backpressure, timed from the first send to the last byte
 * received). bench/peer.ts runs the same loops on the stock library for its anchor.
 */
import type { DataConnection, Peer, SupportedSerialization } from '@enkrypted/peer';

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Milliseconds from `connect()` to an open channel (the connection is closed afterwards). */
export async function connectTime(a: Peer, b: Peer): Promise<number> {
  const t0 = performance.now();
  const conn = await a.connect(b.id, { timeoutMs: 30_000 });
  const ms = performance.now() - t0;
  await conn.close();
  return ms;
}

/** Bytes per second for `count` messages of `size` bytes from a to b over a fresh connection. */
export async function throughput(
  a: Peer,
  b: Peer,
  size: number,
  count: number,
  serialization: SupportedSerialization = 'raw',
): Promise<number> {
  const incoming = new Promise<DataConnection>((r) => b.once('connection', r));
  const conn = await a.connect(b.id, { serialization, timeoutMs: 30_000 });
  const rx = await incoming;
  await rx.whenOpen({ timeoutMs: 30_000 });
  const total = size * count;
  let received = 0;
  const done = new Promise<void>((resolve) =>
    rx.on('data', (d) => {
      received += (d as Uint8Array | ArrayBuffer).byteLength; // 'binary' delivers ArrayBuffers
      if (received >= total) resolve();
    }),
  );
  const payload = new Uint8Array(size).fill(7);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await conn.send(payload);
  await done;
  const s = (performance.now() - t0) / 1000;
  await conn.close();
  return total / s;
}

export const fmtMs = (v: number): string => `${v.toFixed(1)} ms`;
export const fmtRate = (v: number): string => `${(v / (1024 * 1024)).toFixed(1)} MiB/s`;
