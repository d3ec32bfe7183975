/**
 * Cascade benchmark (MLS → Signal → ML-KEM-768 → AES-256-GCM), everything measured in one run:
 * - per-message encrypt+decrypt (median) for 100 B, 1 KiB, 64 KiB, 1 MiB through the full four-layer
 *   cascade and through the three layers without Signal; from 64 KiB the cascade takes the bulk form
 *   (docs/protocol.md §4.2.6: the layers carry a content key, the body is one AES-256-GCM pass), so
 *   those sizes also show the P5.2 form (the content itself through every layer) for comparison;
 * - the floor: one AES-256-GCM pass (WebCrypto, key imported once) encrypt+decrypt;
 * - a replica of the reference implementation's per-message parameters: the same MLS and Signal
 *   layers, then an ML-KEM layer that encapsulates on every message and an AES layer that runs
 *   scrypt (N=32768, r=8, p=1) on every encrypt and decrypt (Node's native scrypt: its best case);
 * - a per-layer breakdown (each layer's seal+open alone), key-agreement setup times, and bytes on the
 *   wire per plaintext byte (our base64 PDU frames vs the reference's JSON number arrays).
 * Run: node --conditions=source --import tsx bench/crypto.ts
 */
import { scrypt } from 'node:crypto';
import {
  AesGcmLayer,
  acceptSignalSession,
  Cascade,
  type CascadedPayload,
  type CascadeLayer,
  createMlsMember,
  createTwoMemberGroup,
  decapsulate,
  deriveAesBaseSecret,
  deriveMlKemRootSecret,
  encapsulateTo,
  exportMlsSecret,
  generateIdentity,
  generateMlKemKeyPair,
  generateSignedPrekey,
  initiateSignalSession,
  joinTwoMemberGroup,
  type LayerParameters,
  MlKemLayer,
  MlsLayer,
  makeMlsCiphersuite,
  type Opened,
  payloadToWire,
  type Sealed,
  webCryptoRandom,
} from '@enkrypted/crypto';
import { BULK_MIN_PLAINTEXT_BYTES, encodeMessageFrames, type MessagePdu } from '@enkrypted/protocol';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';

const SIZES = [100, 1024, 64 * 1024, 1024 * 1024];
/** Enough iterations for a stable median without hogging the shared 2-core machine. */
const ITERATIONS: Record<number, number> = { 100: 300, 1024: 300, 65536: 60, 1048576: 30 };
/** Alternating rounds of per-configuration batches (see the measuring loop). */
const ROUNDS = 3;
/** The replica costs ~0.1 s per message; a handful gives its median. */
const REPLICA_ITERATIONS = 4;
const AD = new TextEncoder().encode('{"type":"message","specVersion":"0"}');
const utf8 = (s: string) => new TextEncoder().encode(s);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}
const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);
const sizeLabel = (n: number) =>
  n >= 1048576 ? `${n / 1048576} MiB` : n >= 1024 ? `${n / 1024} KiB` : `${n} B`;

// ── Setup: every layer pair through its real handshake helpers ─────────────────────────────────
interface Pair<T> {
  a: T;
  b: T;
}

async function mlsPair(): Promise<Pair<MlsLayer> & { exported: Uint8Array }> {
  const impl = await makeMlsCiphersuite();
  const alice = await createMlsMember(utf8('alice'), impl);
  const bob = await createMlsMember(utf8('bob'), impl);
  const group = await createTwoMemberGroup(impl, alice.member, bob.keyPackageBytes, utf8('bench'));
  const bobState = await joinTwoMemberGroup(impl, bob.member, group.welcomeBytes);
  const exported = await exportMlsSecret(group.state, impl, 'EnkryptedChat-v0 AES base', new Uint8Array(0));
  return { a: new MlsLayer(group.state, impl), b: new MlsLayer(bobState, impl), exported };
}

function mlkemPair(): Pair<MlKemLayer> & { root: Uint8Array } {
  const kpA = generateMlKemKeyPair(webCryptoRandom);
  const kpB = generateMlKemKeyPair(webCryptoRandom);
  const toB = encapsulateTo(kpB.publicKey, webCryptoRandom);
  const toA = encapsulateTo(kpA.publicKey, webCryptoRandom);
  const exchange = {
    initiatorPublicKey: kpA.publicKey,
    responderPublicKey: kpB.publicKey,
    ciphertextToResponder: toB.ciphertext,
    ciphertextToInitiator: toA.ciphertext,
  };
  const rootA = deriveMlKemRootSecret({
    ...exchange,
    secretToResponder: toB.sharedSecret,
    secretToInitiator: decapsulate(toA.ciphertext, kpA.secretKey),
  });
  const rootB = deriveMlKemRootSecret({
    ...exchange,
    secretToResponder: decapsulate(toB.ciphertext, kpB.secretKey),
    secretToInitiator: toA.sharedSecret,
  });
  return {
    a: MlKemLayer.create({
      role: 'initiator',
      rootSecret: rootA,
      ownSecretKey: kpA.secretKey,
      peerPublicKey: kpB.publicKey,
    }),
    b: MlKemLayer.create({
      role: 'responder',
      rootSecret: rootB,
      ownSecretKey: kpB.secretKey,
      peerPublicKey: kpA.publicKey,
    }),
    root: rootA,
  };
}

async function signalPair(): Promise<Pair<CascadeLayer>> {
  const aliceId = generateIdentity(webCryptoRandom);
  const bobId = generateIdentity(webCryptoRandom);
  const spk = generateSignedPrekey(bobId, 1, webCryptoRandom);
  const started = await initiateSignalSession(aliceId, { identity: bobId.publicIdentity, signedPrekey: spk });
  const accepted = await acceptSignalSession(bobId, spk, JSON.parse(JSON.stringify(started.sessionComplete)));
  return { a: started.layer, b: accepted.layer };
}

async function aesPair(secrets: Uint8Array[]): Promise<Pair<AesGcmLayer>> {
  const base = deriveAesBaseSecret(secrets, sha256(utf8('transcript')));
  const rotation = Date.now();
  return {
    a: await AesGcmLayer.create({ role: 'initiator', baseSecret: base, rotation }),
    b: await AesGcmLayer.create({ role: 'responder', baseSecret: base, rotation }),
  };
}

async function timed<T>(f: () => Promise<T> | T): Promise<[T, number]> {
  const t = performance.now();
  const r = await f();
  return [r, performance.now() - t];
}

// ── Reference-parameter replica layers (what the reference implementation does per message) ──
function nodeScrypt(password: Uint8Array, salt: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, 32, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(new Uint8Array(key)),
    ),
  );
}
function toBase64(u: Uint8Array): string {
  let s = '';
  for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode(...u.subarray(i, i + 0x8000));
  return btoa(s);
}
const b64 = toBase64;
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

async function gcm(encrypt: boolean, raw: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, 'AES-GCM', false, [
    'encrypt',
    'decrypt',
  ]);
  const alg = { name: 'AES-GCM', iv: iv as Uint8Array<ArrayBuffer> };
  const out = encrypt
    ? await crypto.subtle.encrypt(alg, key, data as Uint8Array<ArrayBuffer>)
    : await crypto.subtle.decrypt(alg, key, data as Uint8Array<ArrayBuffer>);
  return new Uint8Array(out);
}

/** scrypt(password, fresh salt) on every encrypt and decrypt, as the reference AES layer does. */
class ReplicaAesLayer implements CascadeLayer {
  readonly name = 'AES' as const;
  readonly algorithm = 'AES-GCM-256';
  readonly version = 'replica';
  constructor(private readonly password: Uint8Array) {}
  async seal(plaintext: Uint8Array): Promise<Sealed> {
    const salt = webCryptoRandom(16);
    const iv = webCryptoRandom(12);
    const ciphertext = await gcm(true, await nodeScrypt(this.password, salt), iv, plaintext);
    return { ciphertext, parameters: { iv: b64(iv), salt: b64(salt) }, commit: () => {} };
  }
  async open(ciphertext: Uint8Array, p: LayerParameters): Promise<Opened> {
    const key = await nodeScrypt(this.password, unb64(String(p.salt)));
    return { plaintext: await gcm(false, key, unb64(String(p.iv)), ciphertext), commit: () => {} };
  }
}

/** One ML-KEM-768 encapsulation per message, key = HKDF(ss, fresh salt), as the reference does. */
class ReplicaMlKemLayer implements CascadeLayer {
  readonly name = 'ML-KEM' as const;
  readonly algorithm = 'ML-KEM-768';
  readonly version = 'replica';
  constructor(
    private readonly peerPublicKey: Uint8Array,
    private readonly ownSecretKey: Uint8Array,
  ) {}
  async seal(plaintext: Uint8Array): Promise<Sealed> {
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(this.peerPublicKey);
    const salt = webCryptoRandom(16);
    const iv = webCryptoRandom(12);
    const key = hkdf(
      sha256,
      sharedSecret.subarray(0, 32),
      salt,
      utf8('ML-KEM-768-AES-GCM-Cascading-Cipher'),
      32,
    );
    const ciphertext = await gcm(true, key, iv, plaintext);
    return {
      ciphertext,
      parameters: { iv: b64(iv), salt: b64(salt), encapsulated: b64(cipherText) },
      commit: () => {},
    };
  }
  async open(ciphertext: Uint8Array, p: LayerParameters): Promise<Opened> {
    const ss = ml_kem768.decapsulate(unb64(String(p.encapsulated)), this.ownSecretKey);
    const key = hkdf(
      sha256,
      ss.subarray(0, 32),
      unb64(String(p.salt)),
      utf8('ML-KEM-768-AES-GCM-Cascading-Cipher'),
      32,
    );
    return { plaintext: await gcm(false, key, unb64(String(p.iv)), ciphertext), commit: () => {} };
  }
}

// ── Measurement helpers ─────────────────────────────────────────────────────────────────────────
async function cascadeRoundTrip(
  a: Cascade,
  b: Cascade,
  pt: Uint8Array,
): Promise<{ ms: number; payload: CascadedPayload }> {
  const t = performance.now();
  const payload = await a.encrypt(pt, AD);
  const back = await b.decrypt(payload, AD);
  const ms = performance.now() - t;
  if (back.length !== pt.length) throw new Error('round trip failed');
  return { ms, payload };
}

async function layerRoundTrip(a: CascadeLayer, b: CascadeLayer, pt: Uint8Array): Promise<number> {
  const t = performance.now();
  const s = await a.seal(pt, AD);
  s.commit();
  const o = await b.open(s.ciphertext, s.parameters, AD);
  o.commit();
  return performance.now() - t;
}

async function floorRoundTrip(key: CryptoKey, pt: Uint8Array, counter: number): Promise<number> {
  const t = performance.now();
  const iv = new Uint8Array(12);
  new DataView(iv.buffer).setUint32(8, counter);
  const alg = { name: 'AES-GCM', iv, additionalData: AD as Uint8Array<ArrayBuffer> };
  const ct = await crypto.subtle.encrypt(alg, key, pt as Uint8Array<ArrayBuffer>);
  await crypto.subtle.decrypt(alg, key, ct);
  return performance.now() - t;
}

/** Our wire: the secure channel's mapping (payloadToWire) and the protocol's frames (message + chunks). */
function wireBytes(payload: CascadedPayload): number {
  const pdu: MessagePdu = {
    type: 'message',
    messageId: 'AAAAAAAAAAAAAAAAAAAAAA',
    encryptedMessage: { encrypted: true, cascaded: true, cascadedPayload: payloadToWire(payload) },
  };
  return encodeMessageFrames(pdu).reduce((n, frame) => n + utf8(frame).length, 0);
}

/** The reference's encoding: the same envelope with every byte string as a JSON number array. */
function referenceWireBytes(payload: CascadedPayload): number {
  return utf8(
    JSON.stringify({
      type: 'message',
      encryptedMessage: {
        encrypted: true,
        cascaded: true,
        cascadedPayload: { ...payload, finalCiphertext: Array.from(payload.finalCiphertext) },
      },
    }),
  ).length;
}

// ── Run ─────────────────────────────────────────────────────────────────────────────────────────
// The first MLS setup in a process also loads ts-mls's HPKE modules and probes WebCrypto (~0.1 s):
// reported separately; the session code creates the cipher suite once at startup.
const [, mlsColdMs] = await timed(mlsPair);
await timed(() => mlkemPair());
await timed(signalPair);
const [mls, mlsMs] = await timed(mlsPair);
const [mlkem, mlkemMs] = await timed(() => mlkemPair());
const [signal, signalMs] = await timed(signalPair);
const [aes, aesMs] = await timed(() => aesPair([mls.exported, mlkem.root]));
console.log('key agreement, both sides, in process (no network), warm:');
console.log(
  `  MLS key packages + group + commit/welcome + join: ${fmt(mlsMs)} (first in process: ${fmt(mlsColdMs)})`,
);
console.log(`  ML-KEM-768 two-sided exchange (2 keygen, 2 encaps, 2 decaps): ${fmt(mlkemMs)}`);
console.log(`  Signal X3DH + confirmation: ${fmt(signalMs)}`);
console.log(`  AES base secret + keys: ${fmt(aesMs)}`);

const full = {
  a: new Cascade([mls.a, signal.a, mlkem.a, aes.a]),
  b: new Cascade([mls.b, signal.b, mlkem.b, aes.b]),
};
const three = { a: new Cascade([mls.a, mlkem.a, aes.a]), b: new Cascade([mls.b, mlkem.b, aes.b]) };
/** The same four layers with the bulk form off: the content itself through every layer (P5.2). */
const p52Options = { bulkThresholdBytes: Number.POSITIVE_INFINITY };
const fullP52 = {
  a: new Cascade([mls.a, signal.a, mlkem.a, aes.a], p52Options),
  b: new Cascade([mls.b, signal.b, mlkem.b, aes.b], p52Options),
};
const kpA = ml_kem768.keygen();
const kpB = ml_kem768.keygen();
const password = utf8('peer-derived password material||1717000000000');
const replica = {
  a: new Cascade([
    mls.a,
    signal.a,
    new ReplicaMlKemLayer(kpB.publicKey, kpA.secretKey),
    new ReplicaAesLayer(password),
  ]),
  b: new Cascade([
    mls.b,
    signal.b,
    new ReplicaMlKemLayer(kpA.publicKey, kpB.secretKey),
    new ReplicaAesLayer(password),
  ]),
};
const floorKey = await crypto.subtle.importKey(
  'raw',
  webCryptoRandom(32) as Uint8Array<ArrayBuffer>,
  'AES-GCM',
  false,
  ['encrypt', 'decrypt'],
);
const layerPairs: [string, CascadeLayer, CascadeLayer][] = [
  ['MLS', mls.a, mls.b],
  ['Signal', signal.a, signal.b],
  ['ML-KEM', mlkem.a, mlkem.b],
  ['AES', aes.a, aes.b],
];

console.log('\nper message, encrypt + decrypt, median:');
const results: Record<number, { full: number; three: number; floor: number; replica: number; p52?: number }> =
  {};
let floorCounter = 0;
for (const size of SIZES) {
  const pt = webCryptoRandom(size);
  const n = ITERATIONS[size] as number;
  const fullT: number[] = [];
  const threeT: number[] = [];
  const floorT: number[] = [];
  const p52T: number[] = [];
  const bulk = size >= BULK_MIN_PLAINTEXT_BYTES;
  const perLayer: number[][] = layerPairs.map(() => []);
  let lastPayload: CascadedPayload | undefined;
  // Each configuration runs in a batch of its own (so it pays for its own garbage, not for the
  // megabytes the P5.2 form and the per-layer runs leave behind), in ROUNDS alternating rounds so
  // that a load spike on the shared machine hits every configuration alike.
  const batch = Math.ceil(n / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < batch; i++) floorT.push(await floorRoundTrip(floorKey, pt, floorCounter++));
    for (let i = 0; i < batch; i++) {
      const r = await cascadeRoundTrip(full.a, full.b, pt);
      fullT.push(r.ms);
      lastPayload = r.payload;
    }
    for (let i = 0; i < batch; i++) threeT.push((await cascadeRoundTrip(three.a, three.b, pt)).ms);
    if (bulk) {
      for (let i = 0; i < batch; i++) p52T.push((await cascadeRoundTrip(fullP52.a, fullP52.b, pt)).ms);
    }
    for (const [j, [, la, lb]] of layerPairs.entries()) {
      for (let i = 0; i < batch; i++) perLayer[j]?.push(await layerRoundTrip(la, lb, pt));
    }
  }
  const replicaT: number[] = [];
  for (let i = 0; i < REPLICA_ITERATIONS; i++)
    replicaT.push((await cascadeRoundTrip(replica.a, replica.b, pt)).ms);
  const res = {
    full: median(fullT),
    three: median(threeT),
    floor: median(floorT),
    replica: median(replicaT),
    ...(bulk ? { p52: median(p52T) } : {}),
  };
  results[size] = res;
  const p = lastPayload as CascadedPayload;
  console.log(
    `  ${sizeLabel(size).padEnd(7)} full cascade ${fmt(res.full).padStart(9)} | without Signal ${fmt(res.three).padStart(9)} | AES-GCM floor ${fmt(res.floor).padStart(8)} | reference replica ${fmt(res.replica).padStart(9)} → ${(res.replica / res.full).toFixed(0)}x faster`,
  );
  if (res.p52 !== undefined) {
    console.log(
      `          bulk form (content key through the 4 layers + one AES-256-GCM body): ${fmt(res.full)} = ${((res.floor / res.full) * 100).toFixed(0)}% of the floor's throughput; P5.2 form (content through every layer): ${fmt(res.p52)} = ${((res.floor / res.p52) * 100).toFixed(0)}%`,
    );
  }
  console.log(
    `          per layer with the whole plaintext (seal+open alone): ${layerPairs.map(([name], j) => `${name} ${fmt(median(perLayer[j] ?? []))}`).join(', ')}`,
  );
  console.log(
    `          bytes on the wire per plaintext byte: ${(wireBytes(p) / size).toFixed(3)} (ciphertext alone ${(p.finalSize / size).toFixed(3)}; reference number-array JSON ${(referenceWireBytes(p) / size).toFixed(3)})`,
  );
}

const r1k = results[1024] as (typeof results)[number];
const r1m = results[1048576] as (typeof results)[number];
const mib = 1048576 / (1024 * 1024);
const throughput = (ms: number) => mib / (ms / 1000);
console.log('\ntargets:');
console.log(`  1 KiB full cascade < 2 ms median: ${fmt(r1k.full)} ${r1k.full < 2 ? 'MET' : 'MISSED'}`);
console.log(
  `  ≥ 100x faster than the reference replica (1 KiB): ${(r1k.replica / r1k.full).toFixed(0)}x ${r1k.replica / r1k.full >= 100 ? 'MET' : 'MISSED'}`,
);
const ratio = throughput(r1m.full) / throughput(r1m.floor);
console.log(
  `  1 MiB throughput ≥ 20% of the single-pass floor: ${throughput(r1m.full).toFixed(0)} MiB/s vs ${throughput(r1m.floor).toFixed(0)} MiB/s = ${(ratio * 100).toFixed(0)}% ${ratio >= 0.2 ? 'MET' : 'MISSED'}`,
);
