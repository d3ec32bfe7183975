/**
 * Handshake benchmark, one run:
 * - time from data channel open to Ready (P3), both sides, over an in-memory pair of channels and
 *   over a real WebRTC data channel on loopback (node-datachannel, our broker as a child process);
 * - bytes of the handshake on the wire;
 * - bytes on the wire per plaintext byte of a `message` through the full cascade (all frames, chunks
 *   included) for 100 B, 1 KiB, 64 KiB and 1 MiB, and the time of SecureChannel seal + open of every
 *   frame (cascade, base64, JSON, chunking and reassembly: what an app pays per message).
 * Run: node --conditions=source --import tsx bench/handshake.ts
 */
import {
  ContactPins,
  generateIdentity,
  type HandshakeChannelLike,
  type HandshakeFrame,
  makeMlsCiphersuite,
  runHandshake,
  type SecureChannel,
  webCryptoRandom,
} from '@enkrypted/crypto';
import type { DataConnection } from '@enkrypted/peer';
import { fingerprints, frameChannel } from '../tests/e2e/support.js';
import { openPeer } from '../tests/peer/support.js';
import { startOurBroker } from '../tests/support/brokers.js';

const FP_I = `sha-256 ${Array(32).fill('AA').join(':')}`;
const FP_R = `sha-256 ${Array(32).fill('BB').join(':')}`;
const IN_MEMORY_RUNS = 30;
const WEBRTC_RUNS = 8;

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] as number;
  return `median ${q(0.5).toFixed(1)} ms, p90 ${q(0.9).toFixed(1)} ms, min ${(s[0] as number).toFixed(1)} ms (n=${s.length})`;
}

/** An in-memory channel pair that counts bytes. */
function memoryPair(): { i: HandshakeChannelLike; r: HandshakeChannelLike; bytes: () => number } {
  let bytes = 0;
  const make = () => {
    const inbox: HandshakeFrame[] = [];
    let waiter: ((f: HandshakeFrame) => void) | undefined;
    return {
      deliver(f: HandshakeFrame) {
        bytes += typeof f === 'string' ? Buffer.byteLength(f) : f.length;
        if (waiter) {
          const w = waiter;
          waiter = undefined;
          w(f);
        } else inbox.push(f);
      },
      receive(): Promise<HandshakeFrame> {
        const n = inbox.shift();
        return n !== undefined ? Promise.resolve(n) : new Promise((res) => (waiter = res));
      },
    };
  };
  const qi = make();
  const qr = make();
  return {
    i: { send: async (f) => qr.deliver(f), receive: () => qi.receive() },
    r: { send: async (f) => qi.deliver(f), receive: () => qr.receive() },
    bytes: () => bytes,
  };
}

const suite = await makeMlsCiphersuite(webCryptoRandom);
const alice = generateIdentity(webCryptoRandom);
const bob = generateIdentity(webCryptoRandom);
const signal = new AbortController().signal;

async function memoryHandshake(): Promise<{ ms: number; bytes: number; a: SecureChannel; b: SecureChannel }> {
  const p = memoryPair();
  const t0 = performance.now();
  const [a, b] = await Promise.all([
    runHandshake(
      p.i,
      { role: 'initiator', remoteId: 'bob', signal },
      {
        identity: alice,
        pins: new ContactPins(),
        localFingerprint: FP_I,
        remoteFingerprint: FP_R,
        mlsSuite: suite,
      },
    ),
    runHandshake(
      p.r,
      { role: 'responder', remoteId: 'alice', signal },
      {
        identity: bob,
        pins: new ContactPins(),
        localFingerprint: FP_R,
        remoteFingerprint: FP_I,
        mlsSuite: suite,
      },
    ),
  ]);
  return { ms: performance.now() - t0, bytes: p.bytes(), a, b };
}

// Warm-up (JIT, WebCrypto key paths), then measure.
for (let i = 0; i < 3; i++) await memoryHandshake();
const memory: number[] = [];
let handshakeBytes = 0;
let pairForWire: { a: SecureChannel; b: SecureChannel } | undefined;
for (let i = 0; i < IN_MEMORY_RUNS; i++) {
  const r = await memoryHandshake();
  memory.push(r.ms);
  handshakeBytes = r.bytes;
  pairForWire = r;
}
console.log(`handshake, in-memory pair (open → Ready, both sides): ${stats(memory)}`);
console.log(`handshake bytes on the wire (16 PDUs, both directions): ${handshakeBytes} B`);

// Real WebRTC data channel on loopback.
const broker = await startOurBroker();
const webrtc: number[] = [];
try {
  const pa = await openPeer(broker);
  const pb = await openPeer(broker);
  try {
    for (let i = 0; i < WEBRTC_RUNS + 1; i++) {
      const accepted = new Promise<DataConnection>((resolve) => pb.once('connection', resolve));
      const ca = await pa.connect(pb.id, { timeoutMs: 20_000 });
      const cb = await accepted;
      await cb.whenOpen({ timeoutMs: 20_000 });
      const chA = frameChannel(ca);
      const chB = frameChannel(cb);
      const fa = fingerprints(ca);
      const fb = fingerprints(cb);
      const t0 = performance.now();
      await Promise.all([
        runHandshake(
          chA,
          { role: 'initiator', remoteId: pb.id, signal },
          {
            identity: alice,
            pins: new ContactPins(),
            localFingerprint: fa.local,
            remoteFingerprint: fa.remote,
            mlsSuite: suite,
          },
        ),
        runHandshake(
          chB,
          { role: 'responder', remoteId: pa.id, signal },
          {
            identity: bob,
            pins: new ContactPins(),
            localFingerprint: fb.local,
            remoteFingerprint: fb.remote,
            mlsSuite: suite,
          },
        ),
      ]);
      if (i > 0) webrtc.push(performance.now() - t0);
      chA.detach();
      chB.detach();
      await ca.close();
      await cb.close();
    }
  } finally {
    await pa.close();
    await pb.close();
  }
} finally {
  await broker.stop();
}
console.log(`handshake, real WebRTC data channel on loopback (open → Ready): ${stats(webrtc)}`);

// Wire overhead and cost of the secure channel.
const { a, b } = pairForWire as { a: SecureChannel; b: SecureChannel };
/** Round trips per size for the seal + open median. */
const CHANNEL_RUNS = 15;
for (const [label, size] of [
  ['100 B', 100],
  ['1 KiB', 1024],
  ['64 KiB', 64 * 1024],
  ['1 MiB', 1024 * 1024],
] as const) {
  const plaintext = webCryptoRandom(size);
  const frames = await a.seal(plaintext);
  const wire = frames.reduce((n, f) => n + Buffer.byteLength(f), 0);
  const times: number[] = [];
  for (let i = 0; i < CHANNEL_RUNS; i++) {
    const t0 = performance.now();
    let got: Uint8Array | null = null;
    for (const f of await a.seal(plaintext)) got = (await b.open(f)) ?? got;
    times.push(performance.now() - t0);
    if (got?.length !== size) throw new Error('secure channel round trip failed');
  }
  console.log(
    `wire bytes per plaintext byte, ${label.padStart(6)}: ${(wire / size).toFixed(3)} (${wire} B in ${frames.length} frame${frames.length > 1 ? 's' : ''}); SecureChannel seal + open of every frame: ${stats(times)}`,
  );
}
