/**
 * Signal layer benchmark: per-message seal+open through SignalLayer (X3DH-established Double
 * Ratchet, CBC+HMAC via WebCrypto) for several sizes, next to an anchor measured in the same run:
 * one AES-256-GCM encrypt+decrypt with WebCrypto (the single-pass floor). Also session setup
 * (X3DH + confirmation, both sides) and a safety-number computation.
 * Run: node --conditions=source --import tsx bench/crypto-signal.ts
 */
import {
  acceptSignalSession,
  computeSafetyNumber,
  generateIdentity,
  generateSignedPrekey,
  initiateSignalSession,
  type SignalLayer,
} from '@enkrypted/crypto';

const SIZES = [100, 1024, 64 * 1024, 1024 * 1024];
/** Enough iterations for a stable median without hogging the shared 2-core machine. */
const ITERATIONS: Record<number, number> = { 100: 400, 1024: 400, 65536: 100, 1048576: 12 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function setup(): Promise<{ alice: SignalLayer; bob: SignalLayer; ms: number }> {
  const aliceId = generateIdentity((n) => crypto.getRandomValues(new Uint8Array(n)));
  const bobId = generateIdentity((n) => crypto.getRandomValues(new Uint8Array(n)));
  const spk = generateSignedPrekey(bobId, 1, (n) => crypto.getRandomValues(new Uint8Array(n)));
  const t1 = performance.now();
  const started = await initiateSignalSession(aliceId, { identity: bobId.publicIdentity, signedPrekey: spk });
  const accepted = await acceptSignalSession(bobId, spk, JSON.parse(JSON.stringify(started.sessionComplete)));
  const t2 = performance.now();
  return { alice: started.layer, bob: accepted.layer, ms: t2 - t1 };
}

async function signalRoundTrip(
  alice: SignalLayer,
  bob: SignalLayer,
  pt: Uint8Array,
  ad: Uint8Array,
): Promise<number> {
  const t = performance.now();
  const sealed = await alice.seal(pt, ad);
  sealed.commit();
  const opened = await bob.open(sealed.ciphertext, sealed.parameters, ad);
  opened.commit();
  return performance.now() - t;
}

async function gcmRoundTrip(
  key: CryptoKey,
  pt: Uint8Array<ArrayBuffer>,
  ad: Uint8Array<ArrayBuffer>,
): Promise<number> {
  const t = performance.now();
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: ad }, key, pt);
  await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: ad }, key, ct);
  return performance.now() - t;
}

const setups: number[] = [];
let pair = await setup();
for (let i = 0; i < 20; i++) {
  pair = await setup();
  setups.push(pair.ms);
}
console.log(`signal session setup (X3DH + confirmation, both sides): median ${median(setups).toFixed(2)} ms`);

const sn: number[] = [];
const a = generateIdentity((n) => crypto.getRandomValues(new Uint8Array(n)));
const b = generateIdentity((n) => crypto.getRandomValues(new Uint8Array(n)));
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  computeSafetyNumber(
    { identity: a.publicIdentity, stableId: 'a' },
    { identity: b.publicIdentity, stableId: 'b' },
  );
  sn.push(performance.now() - t);
}
console.log(`safety number (2 × 5200 SHA-512): median ${median(sn).toFixed(2)} ms`);

const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
const ad = new Uint8Array(64);
console.log(
  'size      signal seal+open   (each message a new turn)   AES-GCM floor   ratio   bytes on wire/plaintext  [medians]',
);
for (const size of SIZES) {
  const pt = crypto.getRandomValues(new Uint8Array(Math.min(size, 65536)));
  const full = new Uint8Array(size);
  for (let off = 0; off < size; off += pt.length)
    full.set(pt.subarray(0, Math.min(pt.length, size - off)), off);
  const n = ITERATIONS[size] ?? 10;
  const sig: number[] = [];
  const gcm: number[] = [];
  const turns: number[] = [];
  for (let i = 0; i < n; i++) {
    // One direction (no DH ratchet step), as in a burst or a file transfer.
    sig.push(await signalRoundTrip(pair.alice, pair.bob, full, ad));
    gcm.push(await gcmRoundTrip(key, full, ad));
  }
  for (let i = 0; i < Math.min(n, 100); i++) {
    // Every message changes direction: each pays a DH ratchet step on receipt (3 X25519 operations).
    const [from, to] = i % 2 === 0 ? [pair.bob, pair.alice] : [pair.alice, pair.bob];
    turns.push(await signalRoundTrip(from, to, full, ad));
  }
  const sealed = await pair.alice.seal(full, ad);
  const wire = sealed.ciphertext.length + JSON.stringify(sealed.parameters).length;
  const ms = median(sig);
  const floor = median(gcm);
  console.log(
    `${String(size).padEnd(9)} ${ms.toFixed(3).padStart(8)} ms   ${median(turns).toFixed(3).padStart(14)} ms           ${floor.toFixed(3).padStart(8)} ms  ${(ms / floor).toFixed(1).padStart(5)}x   ${(wire / size).toFixed(3)}`,
  );
}
