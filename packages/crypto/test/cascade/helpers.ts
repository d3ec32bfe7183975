/**
 * Shared fixtures for the MLS, ML-KEM, AES and cascade tests: a deterministic byte source for
 * fixed-seed vectors, and initiator/responder pairs of each real layer built through the real
 * handshake helpers.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { AesGcmLayer } from '../../src/aes/aes-layer.js';
import { deriveAesBaseSecret } from '../../src/aes/keys.js';
import { concat, toHex, u64be, utf8 } from '../../src/cascade/bytes.js';
import { Cascade } from '../../src/cascade/cascade.js';
import { isCryptoError } from '../../src/errors.js';
import { generateIdentity } from '../../src/identity/identity-keys.js';
import { generateSignedPrekey } from '../../src/identity/signed-prekey.js';
import type { CascadeLayer, LayerParameters, Sealed } from '../../src/layer.js';
import {
  decapsulate,
  deriveMlKemRootSecret,
  encapsulateTo,
  generateMlKemKeyPair,
} from '../../src/mlkem/handshake.js';
import { MlKemLayer, type MlKemLayerOptions } from '../../src/mlkem/mlkem-layer.js';
import {
  createMlsMember,
  createTwoMemberGroup,
  exportMlsSecret,
  joinTwoMemberGroup,
} from '../../src/mls/handshake.js';
import { MlsLayer } from '../../src/mls/mls-layer.js';
import { makeMlsCiphersuite } from '../../src/mls/provider.js';
import type { RandomBytes } from '../../src/random.js';
import { acceptSignalSession, initiateSignalSession } from '../../src/signal/session.js';
import type { SignalLayer } from '../../src/signal/signal-layer.js';
import { ratchetStateToJson } from '../../src/signal/state-codec.js';

/**
 * Deterministic bytes for vectors: block i = SHA-256(seed || u64be(i)), concatenated. Not a CSPRNG
 * for real use; it only makes test outputs reproducible (the vector files document it).
 */
export function seededRandom(seed: string): RandomBytes {
  const seedBytes = utf8(seed);
  let block = 0;
  let pool: Uint8Array = new Uint8Array(0);
  return (length) => {
    while (pool.length < length) pool = concat(pool, sha256(concat(seedBytes, u64be(block++))));
    const out = pool.slice(0, length);
    pool = pool.slice(length);
    return out;
  };
}

/** A settable clock for rotation and re-key timing. */
export function fakeClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

export function flipByte(bytes: Uint8Array, index: number): Uint8Array {
  const out = bytes.slice();
  out[index] = (out[index] as number) ^ 0x01;
  return out;
}

export const TEST_ROTATION = 1_717_000_000_000;

export async function aesPair(
  seed = 'aes',
  options: { now?: () => number; maxMessagesPerKey?: number } = {},
): Promise<{ a: AesGcmLayer; b: AesGcmLayer }> {
  const baseSecret = deriveAesBaseSecret([sha256(utf8(seed))], sha256(utf8('transcript')));
  return {
    a: await AesGcmLayer.create({ role: 'initiator', baseSecret, rotation: TEST_ROTATION, ...options }),
    b: await AesGcmLayer.create({ role: 'responder', baseSecret, rotation: TEST_ROTATION, ...options }),
  };
}

type MlKemExtra = Pick<MlKemLayerOptions, 'now' | 'rekeyEveryMessages' | 'rekeyIntervalMs'>;

/** Both sides run the two-sided exchange of handshake.ts, as the P3 handshake does. */
export function mlkemPair(
  seed = 'mlkem',
  extra: MlKemExtra = {},
): { a: MlKemLayer; b: MlKemLayer; rootA: Uint8Array; rootB: Uint8Array } {
  const randomA = seededRandom(`${seed}/initiator`);
  const randomB = seededRandom(`${seed}/responder`);
  const kpA = generateMlKemKeyPair(randomA);
  const kpB = generateMlKemKeyPair(randomB);
  const toB = encapsulateTo(kpB.publicKey, randomA);
  const toA = encapsulateTo(kpA.publicKey, randomB);
  const rootA = deriveMlKemRootSecret({
    initiatorPublicKey: kpA.publicKey,
    responderPublicKey: kpB.publicKey,
    ciphertextToResponder: toB.ciphertext,
    ciphertextToInitiator: toA.ciphertext,
    secretToResponder: toB.sharedSecret,
    secretToInitiator: decapsulate(toA.ciphertext, kpA.secretKey),
  });
  const rootB = deriveMlKemRootSecret({
    initiatorPublicKey: kpA.publicKey,
    responderPublicKey: kpB.publicKey,
    ciphertextToResponder: toB.ciphertext,
    ciphertextToInitiator: toA.ciphertext,
    secretToResponder: decapsulate(toB.ciphertext, kpB.secretKey),
    secretToInitiator: toA.sharedSecret,
  });
  const a = MlKemLayer.create({
    role: 'initiator',
    rootSecret: rootA,
    ownSecretKey: kpA.secretKey,
    peerPublicKey: kpB.publicKey,
    random: randomA,
    ...extra,
  });
  const b = MlKemLayer.create({
    role: 'responder',
    rootSecret: rootB,
    ownSecretKey: kpB.secretKey,
    peerPublicKey: kpA.publicKey,
    random: randomB,
    ...extra,
  });
  return { a, b, rootA, rootB };
}

/**
 * Initiator creates the group and adds the responder, who joins from the welcome. With a seed, each
 * member draws all its randomness from its own seeded stream (fixed-seed vectors).
 */
export async function mlsPair(
  seed?: string,
): Promise<{ a: MlsLayer; b: MlsLayer; exportA: Uint8Array; exportB: Uint8Array }> {
  const implA = await makeMlsCiphersuite(seed === undefined ? undefined : seededRandom(`${seed}/alice`));
  const implB = seed === undefined ? implA : await makeMlsCiphersuite(seededRandom(`${seed}/bob`));
  const alice = await createMlsMember(utf8('alice'), implA);
  const bob = await createMlsMember(utf8('bob'), implB);
  const group = await createTwoMemberGroup(implA, alice.member, bob.keyPackageBytes, utf8('group'));
  const bobState = await joinTwoMemberGroup(implB, bob.member, group.welcomeBytes);
  const a = new MlsLayer(group.state, implA);
  const b = new MlsLayer(bobState, implB);
  const context = utf8('ctx');
  return {
    a,
    b,
    exportA: await exportMlsSecret(a.state, implA, 'EnkryptedChat-v0 test', context),
    exportB: await exportMlsSecret(b.state, implB, 'EnkryptedChat-v0 test', context),
  };
}

export const SIZES = [1, 100, 1024, 8192, 8193, 65536, 1024 * 1024];

export function patterned(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

/** A Signal layer pair through the other engineer's P2P X3DH session setup (Appendix B). */
export async function signalPair(seed = 'signal'): Promise<{ a: SignalLayer; b: SignalLayer }> {
  const random = seededRandom(seed);
  const aliceId = generateIdentity(random);
  const bobId = generateIdentity(random);
  const spk = generateSignedPrekey(bobId, 1, random);
  const started = await initiateSignalSession(
    aliceId,
    { identity: bobId.publicIdentity, signedPrekey: spk },
    random,
  );
  const accepted = await acceptSignalSession(bobId, spk, started.sessionComplete, random);
  return { a: started.layer, b: accepted.layer };
}

/** Associated data the single-layer tests bind. */
export const LAYER_AD = utf8('header');

/** A CryptoError predicate for assert.throws/rejects. */
export const hasCode = (c: string) => (err: unknown) => isCryptoError(err) && err.code === c;

/** Seals on `from` and commits, as the cascade does after every layer succeeded. */
export async function sealCommitted(
  from: CascadeLayer,
  plaintext: Uint8Array,
  ad = LAYER_AD,
): Promise<Sealed> {
  const s = await from.seal(plaintext, ad);
  s.commit();
  return s;
}

/** Opens on `to`, commits, and returns the plaintext. */
export async function openCommitted(
  to: CascadeLayer,
  ct: Uint8Array,
  params: LayerParameters,
  ad = LAYER_AD,
): Promise<Uint8Array> {
  const o = await to.open(ct, params, ad);
  o.commit();
  return o.plaintext;
}

/** One end of a cascade of real layers, with its layers kept for state snapshots. */
export interface Side {
  cascade: Cascade;
  mls: MlsLayer;
  mlkem: MlKemLayer;
  aes: AesGcmLayer;
  signal?: SignalLayer;
}

/** Serialised state of every layer of a side, to prove failures change nothing. */
export function snapshot(s: Side): string {
  return JSON.stringify({
    mls: toHex(s.mls.exportState()),
    mlkem: s.mlkem.exportState(),
    aes: s.aes.exportState(),
    signal: s.signal === undefined ? null : ratchetStateToJson(s.signal.session.state),
  });
}

/** Two ends of a cascade (three layers, or four with Signal) built through the real handshakes. */
export async function sides(withSignal: boolean): Promise<{ a: Side; b: Side }> {
  const mls = await mlsPair();
  const mlkem = mlkemPair();
  const aes = await aesPair();
  const signal = withSignal ? await signalPair() : undefined;
  const build = (mlsL: MlsLayer, mlkemL: MlKemLayer, aesL: AesGcmLayer, signalL?: SignalLayer): Side => ({
    cascade: new Cascade(signalL === undefined ? [mlsL, mlkemL, aesL] : [mlsL, signalL, mlkemL, aesL]),
    mls: mlsL,
    mlkem: mlkemL,
    aes: aesL,
    ...(signalL === undefined ? {} : { signal: signalL }),
  });
  return { a: build(mls.a, mlkem.a, aes.a, signal?.a), b: build(mls.b, mlkem.b, aes.b, signal?.b) };
}
