/**
 * Vector files of the MLS/ML-KEM/AES/cascade modules. Each loader fails on a file with zero cases,
 * so a truncated or emptied file cannot pass vacuously.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AesGcmLayer } from '../../src/aes/aes-layer.js';
import { toHex } from '../../src/cascade/bytes.js';
import { Cascade } from '../../src/cascade/cascade.js';
import { GOLDEN_MOCK_VERSION, GoldenMockLayer } from '../../src/cascade/golden-mock-layer.js';
import type { LayerName } from '../../src/layer.js';
import { mlkemPair } from './helpers.js';
import {
  type AesVectorFile,
  computeAesVector,
  computeLiveCascadeVector,
  computeMlKemVector,
  hexToBytes,
  type LiveCascadeVectorFile,
  liveCascadePair,
  type MlKemVectorFile,
} from './vector-cases.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'vectors');

function load<T extends object>(name: string, listKey: keyof T): T {
  const data = JSON.parse(readFileSync(join(dir, name), 'utf8')) as T;
  const list = data[listKey];
  assert.ok(Array.isArray(list) && list.length > 0, `${name} has no cases`);
  return data;
}

interface GoldenFile {
  timestamp: number;
  cases: {
    id: string;
    layers: { name: LayerName; algorithm: string }[];
    plaintextHex: string;
    finalCiphertextHex: string;
    layerParameters: Record<string, number>[];
  }[];
  v3PayloadFields: string[];
  v3LayerFields: string[];
}

describe('Appendix A golden vectors through the real Cascade', () => {
  const golden = load<GoldenFile>('cascade-golden.json', 'cases');
  for (const v of golden.cases) {
    it(`${v.id}: ${v.plaintextHex} → ${v.finalCiphertextHex} and back`, async () => {
      const layers = v.layers.map((l, i) => new GoldenMockLayer(l.name, l.algorithm, i));
      const cascade = new Cascade(layers, { now: () => golden.timestamp, elapsed: () => 0 });
      const payload = await cascade.encrypt(hexToBytes(v.plaintextHex));
      assert.equal(toHex(payload.finalCiphertext), v.finalCiphertextHex);
      assert.deepEqual(payload.layerParameters, v.layerParameters);
      assert.equal(payload.originalSize, v.plaintextHex.length / 2);
      assert.equal(payload.finalSize, v.finalCiphertextHex.length / 2);
      assert.equal(payload.timestamp, golden.timestamp);
      assert.equal(payload.totalProcessingTime, 0);
      // V3: the cascadedPayload and LayerMetadata field sets.
      assert.deepEqual(Object.keys(payload).sort(), [...golden.v3PayloadFields].sort());
      payload.layers.forEach((meta, i) => {
        assert.deepEqual(Object.keys(meta).sort(), [...golden.v3LayerFields].sort());
        assert.equal(meta.algorithm, v.layers[i]?.algorithm);
        assert.equal(meta.version, GOLDEN_MOCK_VERSION);
        assert.equal(meta.timestamp, golden.timestamp);
        assert.equal(meta.inputSize, v.plaintextHex.length / 2 + i);
        assert.equal(meta.outputSize, v.plaintextHex.length / 2 + i + 1);
        assert.equal(meta.processingTime, 0);
      });
      assert.equal(toHex(await cascade.decrypt(payload)), v.plaintextHex);
    });
  }
});

describe('fixed-seed vectors of our layers', () => {
  it('aes-layer.json: recomputed byte for byte and decrypted by the receiver', async () => {
    const stored = load<AesVectorFile>('aes-layer.json', 'messages');
    assert.deepEqual(await computeAesVector(), stored);
    const base = hexToBytes(stored.baseSecretHex);
    const a = await AesGcmLayer.create({ role: 'initiator', baseSecret: base, rotation: stored.rotation });
    const b = await AesGcmLayer.create({ role: 'responder', baseSecret: base, rotation: stored.rotation });
    for (const m of stored.messages) {
      if (m.rotateTo !== undefined) {
        await a.rotate(m.rotateTo);
        await b.rotate(m.rotateTo);
      }
      const o = await (m.from === 'a' ? b : a).open(
        hexToBytes(m.ciphertextHex),
        m.parameters,
        hexToBytes(m.adHex),
      );
      o.commit();
      assert.equal(toHex(o.plaintext), m.plaintextHex);
    }
  });

  it('mlkem-layer.json: recomputed byte for byte and decrypted by the receiver', async () => {
    const stored = load<MlKemVectorFile>('mlkem-layer.json', 'messages');
    assert.deepEqual(await computeMlKemVector(), stored);
    assert.ok(
      stored.messages.some((m) => typeof m.parameters.kem === 'string'),
      'vector covers a re-key',
    );
    const { a, b, rootB } = mlkemPair(stored.seed, { rekeyEveryMessages: stored.rekeyEveryMessages });
    assert.equal(toHex(rootB), stored.rootHex);
    for (const m of stored.messages) {
      const o = await (m.from === 'a' ? b : a).open(
        hexToBytes(m.ciphertextHex),
        m.parameters,
        hexToBytes(m.adHex),
      );
      o.commit();
      assert.equal(toHex(o.plaintext), m.plaintextHex);
    }
  });

  it('cascade-live.json (MLS → Signal → ML-KEM → AES from fixed seeds): recomputed byte for byte and decrypted by the receiver', async () => {
    const stored = load<LiveCascadeVectorFile>('cascade-live.json', 'messages');
    assert.deepEqual(await computeLiveCascadeVector(), stored);
    assert.equal(stored.messages[0]?.layerParameters.length, 4);
    const { a, b } = await liveCascadePair(stored.seed, stored.rotation);
    for (const m of stored.messages) {
      const sender = m.from === 'a' ? a : b;
      const receiver = m.from === 'a' ? b : a;
      const own = await sender.encrypt(hexToBytes(m.plaintextHex), hexToBytes(m.adHex));
      const plaintext = await receiver.decrypt(
        { ...own, finalCiphertext: hexToBytes(m.finalCiphertextHex), layerParameters: m.layerParameters },
        hexToBytes(m.adHex),
      );
      assert.equal(toHex(plaintext), m.plaintextHex);
    }
  });
});
