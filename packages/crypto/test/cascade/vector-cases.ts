/**
 * Computes our fixed-seed vectors from their inputs. The generator (generate-vectors.ts) stores the
 * results in packages/crypto/vectors/; the vector tests recompute them and compare byte for byte,
 * and decrypt the stored ciphertexts on the receiving side.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { AesGcmLayer } from '../../src/aes/aes-layer.js';
import { deriveAesBaseSecret } from '../../src/aes/keys.js';
import { fromHex, toHex, utf8 } from '../../src/cascade/bytes.js';
import { Cascade } from '../../src/cascade/cascade.js';
import type { LayerParameters } from '../../src/layer.js';
import { deriveMlKemExport } from '../../src/mlkem/handshake.js';
import { mlkemPair, mlsPair, signalPair } from './helpers.js';

export const VECTOR_TIMESTAMP = 1717000000000;

export interface MessageVector {
  /** "a" = initiator sends to responder, "b" = the reverse. */
  from: 'a' | 'b';
  adHex: string;
  plaintextHex: string;
  /** Optional action before this message: rotate both sides to this timestamp. */
  rotateTo?: number;
  parameters: LayerParameters;
  ciphertextHex: string;
}

export interface AesVectorFile {
  description: string;
  baseSecretInputs: { secretUtf8: string[]; transcriptUtf8: string };
  baseSecretHex: string;
  rotation: number;
  messages: MessageVector[];
}

export interface MlKemVectorFile {
  description: string;
  seed: string;
  rekeyEveryMessages: number;
  rootHex: string;
  messages: MessageVector[];
}

export interface LiveCascadeVectorFile {
  description: string;
  seed: string;
  rotation: number;
  messages: {
    from: 'a' | 'b';
    adHex: string;
    plaintextHex: string;
    finalCiphertextHex: string;
    layerParameters: LayerParameters[];
  }[];
}

type Script = { from: 'a' | 'b'; ad: string; plaintext: string; rotateTo?: number }[];

export const AES_SCRIPT: Script = [
  { from: 'a', ad: 'pdu-1', plaintext: 'hello' },
  { from: 'b', ad: 'pdu-2', plaintext: '' },
  { from: 'a', ad: '', plaintext: 'a longer message of more than one AES block, to cover the GHASH tail' },
  { from: 'b', ad: 'pdu-4', plaintext: 'after rotation', rotateTo: VECTOR_TIMESTAMP + 3_600_000 },
  { from: 'a', ad: 'pdu-5', plaintext: 'second message after rotation' },
];

export const MLKEM_SCRIPT: Script = [
  { from: 'a', ad: 'pdu-1', plaintext: 'first' },
  { from: 'a', ad: 'pdu-2', plaintext: 'second' },
  { from: 'b', ad: 'pdu-3', plaintext: 'reply' },
  { from: 'a', ad: 'pdu-4', plaintext: 'third: re-key by encapsulation' },
  { from: 'a', ad: 'pdu-5', plaintext: 'fourth' },
];

const hexUtf8 = (s: string) => toHex(utf8(s));

export async function computeAesVector(): Promise<AesVectorFile> {
  const inputs = {
    secretUtf8: ['mls-export', 'signal-root', 'mlkem-root'],
    transcriptUtf8: 'handshake transcript',
  };
  const baseSecret = deriveAesBaseSecret(
    inputs.secretUtf8.map((s) => sha256(utf8(s))),
    sha256(utf8(inputs.transcriptUtf8)),
  );
  const a = await AesGcmLayer.create({ role: 'initiator', baseSecret, rotation: VECTOR_TIMESTAMP });
  const b = await AesGcmLayer.create({ role: 'responder', baseSecret, rotation: VECTOR_TIMESTAMP });
  const messages: MessageVector[] = [];
  for (const step of AES_SCRIPT) {
    if (step.rotateTo !== undefined) {
      await a.rotate(step.rotateTo);
      await b.rotate(step.rotateTo);
    }
    const s = await (step.from === 'a' ? a : b).seal(utf8(step.plaintext), utf8(step.ad));
    s.commit();
    messages.push({
      from: step.from,
      adHex: hexUtf8(step.ad),
      plaintextHex: hexUtf8(step.plaintext),
      ...(step.rotateTo === undefined ? {} : { rotateTo: step.rotateTo }),
      parameters: s.parameters,
      ciphertextHex: toHex(s.ciphertext),
    });
  }
  return {
    description:
      'AES-256-GCM layer vector: base secret = deriveAesBaseSecret([SHA-256(utf8(s)) for s in secretUtf8], SHA-256(utf8(transcriptUtf8))); initiator "a" and responder "b" start at `rotation`; each message is sealed by `from` after the optional rotation of both sides. Deterministic (no randomness in this layer).',
    baseSecretInputs: inputs,
    baseSecretHex: toHex(baseSecret),
    rotation: VECTOR_TIMESTAMP,
    messages,
  };
}

export async function computeMlKemVector(): Promise<MlKemVectorFile> {
  const seed = 'enkrypted-v0-mlkem-vector';
  const rekeyEveryMessages = 2;
  const { a, b, rootA } = mlkemPair(seed, { rekeyEveryMessages, now: () => VECTOR_TIMESTAMP });
  const messages: MessageVector[] = [];
  for (const step of MLKEM_SCRIPT) {
    const s = await (step.from === 'a' ? a : b).seal(utf8(step.plaintext), utf8(step.ad));
    s.commit();
    messages.push({
      from: step.from,
      adHex: hexUtf8(step.ad),
      plaintextHex: hexUtf8(step.plaintext),
      parameters: s.parameters,
      ciphertextHex: toHex(s.ciphertext),
    });
  }
  return {
    description:
      'ML-KEM-768 layer vector: randomness of side X is the stream SHA-256(utf8(seed + "/initiator" or "/responder") || u64be(i)), i = 0, 1, ...; each side draws its 64-byte key-generation seed, then its 32-byte encapsulation seed for the handshake, then one 32-byte seed per re-key. Clock fixed at 1717000000000.',
    seed,
    rekeyEveryMessages,
    rootHex: toHex(rootA),
    messages,
  };
}

/**
 * A fixed-seed vector of the full four-layer cascade MLS → Signal → ML-KEM → AES, each
 * layer built through its real handshake helpers from seeded randomness.
 */
export async function liveCascadePair(seed: string, rotation: number) {
  const mls = await mlsPair(`${seed}/mls`);
  const signal = await signalPair(`${seed}/signal`);
  const mlkem = mlkemPair(`${seed}/mlkem`, { now: () => rotation });
  const secretsA = [mls.exportA, deriveMlKemExport(mlkem.rootA, 'aes-base')];
  const secretsB = [mls.exportB, deriveMlKemExport(mlkem.rootB, 'aes-base')];
  const transcript = sha256(utf8(`${seed}/transcript`));
  const clock = { now: () => rotation, elapsed: () => 0 };
  const aesA = await AesGcmLayer.create({
    role: 'initiator',
    baseSecret: deriveAesBaseSecret(secretsA, transcript),
    rotation,
  });
  const aesB = await AesGcmLayer.create({
    role: 'responder',
    baseSecret: deriveAesBaseSecret(secretsB, transcript),
    rotation,
  });
  const a = new Cascade([mls.a, signal.a, mlkem.a, aesA], clock);
  const b = new Cascade([mls.b, signal.b, mlkem.b, aesB], clock);
  return { a, b };
}

export async function computeLiveCascadeVector(): Promise<LiveCascadeVectorFile> {
  const seed = 'enkrypted-v0-live';
  const { a, b } = await liveCascadePair(seed, VECTOR_TIMESTAMP);
  const messages: LiveCascadeVectorFile['messages'] = [];
  for (const step of MLKEM_SCRIPT) {
    const p = await (step.from === 'a' ? a : b).encrypt(utf8(step.plaintext), utf8(step.ad));
    messages.push({
      from: step.from,
      adHex: hexUtf8(step.ad),
      plaintextHex: hexUtf8(step.plaintext),
      finalCiphertextHex: toHex(p.finalCiphertext),
      layerParameters: p.layerParameters,
    });
  }
  return {
    description:
      'The full cascade MLS → Signal → ML-KEM-768 → AES-256-GCM from fixed seeds, layers built directly (no handshake; the handshake V8 vector covers that). Layers are built by the test helpers from seeded streams (block i = SHA-256(utf8(stream seed) || u64be(i))): MLS members from seed + "/mls/alice" and "/mls/bob" (all MLS randomness, HPKE key pairs via DeriveKeyPair), the Signal session from seed + "/signal", the ML-KEM exchange from seed + "/mlkem" + "/initiator" and "/responder"; AES base secret = deriveAesBaseSecret([MLS-Exporter("EnkryptedChat-v0 test", "ctx", 32), ML-KEM export("aes-base")], SHA-256(utf8(seed + "/transcript"))); rotation and clocks fixed at 1717000000000. Each message is encrypted by `from` with AD = adHex.',
    seed,
    rotation: VECTOR_TIMESTAMP,
    messages,
  };
}

export function hexToBytes(hex: string): Uint8Array {
  return fromHex(hex);
}
