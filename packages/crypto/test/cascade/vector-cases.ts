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
import { mlkemPair } from './helpers.js';

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
  aesSeed: string;
  mlkemSeed: string;
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

/** The ML-KEM → AES part of the cascade with fixed seeds (the deterministic layers of V8). */
export async function liveCascadePair(aesSeed: string, mlkemSeed: string, rotation: number) {
  const baseSecret = deriveAesBaseSecret([sha256(utf8(aesSeed))], sha256(utf8('transcript')));
  const mlkem = mlkemPair(mlkemSeed, { now: () => rotation });
  const clock = { now: () => rotation, elapsed: () => 0 };
  const a = new Cascade(
    [mlkem.a, await AesGcmLayer.create({ role: 'initiator', baseSecret, rotation })],
    clock,
  );
  const b = new Cascade(
    [mlkem.b, await AesGcmLayer.create({ role: 'responder', baseSecret, rotation })],
    clock,
  );
  return { a, b };
}

export async function computeLiveCascadeVector(): Promise<LiveCascadeVectorFile> {
  const aesSeed = 'enkrypted-v0-live-aes';
  const mlkemSeed = 'enkrypted-v0-live-mlkem';
  const { a, b } = await liveCascadePair(aesSeed, mlkemSeed, VECTOR_TIMESTAMP);
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
      'Cascade ML-KEM-768 → AES-256-GCM with fixed seeds: AES base secret = deriveAesBaseSecret([SHA-256(utf8(aesSeed))], SHA-256(utf8("transcript"))), ML-KEM pair as in mlkem-layer.json with mlkemSeed (default re-key interval), rotation and clock fixed. The MLS layer cannot join a fixed-seed vector (ts-mls draws HPKE keys internally).',
    aesSeed,
    mlkemSeed,
    rotation: VECTOR_TIMESTAMP,
    messages,
  };
}

export function hexToBytes(hex: string): Uint8Array {
  return fromHex(hex);
}
