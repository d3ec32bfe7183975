import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BULK_MIN_PLAINTEXT_BYTES } from '@enkrypted/protocol';
import fc from 'fast-check';
import { utf8 } from '../../src/cascade/bytes.js';
import { Cascade, type CascadedPayload } from '../../src/cascade/cascade.js';
import { GoldenMockLayer } from '../../src/cascade/golden-mock-layer.js';
import { CRYPTO_ERROR, CryptoError, isCryptoError } from '../../src/errors.js';
import type { CascadeLayer, LayerParameters, Opened, Sealed } from '../../src/layer.js';
import { MLKEM_MAX_SKIP } from '../../src/mlkem/mlkem-layer.js';
import { aesPair, flipByte, mlkemPair, patterned, SIZES, sides, snapshot } from './helpers.js';

const AD = utf8('{"type":"message","specVersion":"0"}');
const code = (c: string) => (err: unknown) => isCryptoError(err) && err.code === c;

for (const withSignal of [false, true]) {
  const label = withSignal ? 'four layers MLS → Signal → ML-KEM → AES' : 'three layers MLS → ML-KEM → AES';
  describe(`cascade, ${label}`, () => {
    it('round-trips every size both ways and reports P5.3 sizes', async () => {
      const { a, b } = await sides(withSignal);
      for (const size of SIZES) {
        const pt = patterned(size);
        const p = await a.cascade.encrypt(pt, AD);
        assert.equal(p.originalSize, size);
        assert.equal(p.finalSize, p.finalCiphertext.length);
        assert.deepEqual(
          p.layers.map((l) => l.algorithm),
          withSignal
            ? ['MLS', 'X3DH-DoubleRatchet', 'ML-KEM-768', 'AES-GCM-256']
            : ['MLS', 'ML-KEM-768', 'AES-GCM-256'],
        );
        if (size >= BULK_MIN_PLAINTEXT_BYTES) {
          // Bulk form: the layers carry the 32-byte content key, the body follows their output.
          assert.deepEqual(p.bulk, { algorithm: 'AES-256-GCM', bodySize: size + 16 });
          assert.equal(p.layers[0]?.inputSize, 32);
          assert.equal((p.layers.at(-1)?.outputSize ?? 0) + size + 16, p.finalSize);
        } else {
          assert.equal(p.bulk, undefined);
          assert.equal(p.layers[0]?.inputSize, size);
          assert.equal(p.layers.at(-1)?.outputSize, p.finalSize);
        }
        assert.deepEqual(await b.cascade.decrypt(p, AD), pt);
        const r = await b.cascade.encrypt(pt, AD);
        assert.deepEqual(await a.cascade.decrypt(r, AD), pt);
      }
    });

    it('tampering with any byte of the final ciphertext, the AD or truncating fails closed with all states unchanged', async () => {
      const { a, b } = await sides(withSignal);
      const p = await a.cascade.encrypt(patterned(30), AD);
      const before = snapshot(b);
      for (let i = 0; i < p.finalCiphertext.length; i++) {
        await assert.rejects(
          b.cascade.decrypt(
            { ...p, finalCiphertext: flipByte(p.finalCiphertext, i), finalSize: p.finalSize },
            AD,
          ),
          code(CRYPTO_ERROR.decryptFailed),
        );
      }
      const cut = p.finalCiphertext.subarray(0, p.finalSize - 1);
      await assert.rejects(
        b.cascade.decrypt({ ...p, finalCiphertext: cut, finalSize: cut.length }, AD),
        code(CRYPTO_ERROR.decryptFailed),
      );
      await assert.rejects(b.cascade.decrypt(p, utf8('other header')), code(CRYPTO_ERROR.decryptFailed));
      assert.equal(snapshot(b), before);
      assert.deepEqual(await b.cascade.decrypt(p, AD), patterned(30));
    });

    it('tampering with any layer parameter fails closed; a failure deep inside leaves the outer layers uncommitted', async () => {
      const { a, b } = await sides(withSignal);
      const p = await a.cascade.encrypt(patterned(31), AD);
      const before = snapshot(b);
      for (let i = 0; i < p.layerParameters.length; i++) {
        for (const [key, value] of Object.entries(p.layerParameters[i] ?? {})) {
          const changed =
            typeof value === 'number'
              ? value + 1
              : typeof value === 'string'
                ? `${value.slice(0, -4)}AAAA`
                : !value;
          const layerParameters = p.layerParameters.map((x, j) => (j === i ? { ...x, [key]: changed } : x));
          await assert.rejects(b.cascade.decrypt({ ...p, layerParameters }, AD), (err: unknown) =>
            isCryptoError(err),
          );
        }
      }
      assert.equal(snapshot(b), before);
      // The MLS epoch is checked last (innermost): AES and ML-KEM had already opened successfully.
      const innerFail = p.layerParameters.map((x, j) => (j === 0 ? { epoch: 7 } : x));
      await assert.rejects(
        b.cascade.decrypt({ ...p, layerParameters: innerFail }, AD),
        code(CRYPTO_ERROR.decryptFailed),
      );
      assert.equal(snapshot(b), before);
      assert.deepEqual(await b.cascade.decrypt(p, AD), patterned(31));
    });

    it('tampering inside any layer, re-wrapped by the genuine outer layers, fails closed with all states unchanged', async () => {
      const { a, b } = await sides(withSignal);
      const inner = withSignal ? [a.mls, a.signal!, a.mlkem, a.aes] : [a.mls, a.mlkem, a.aes];
      const before = snapshot(b);
      for (let layer = 0; layer < inner.length; layer++) {
        const probe = await new Cascade(inner).encrypt(patterned(33), AD);
        const length = probe.layers[layer]!.outputSize;
        // Positions spread over the whole layer output: first, last and evenly spaced in between.
        const positions = new Set([
          0,
          1,
          length - 1,
          ...Array.from({ length: 12 }, (_, k) => Math.floor((k * length) / 12)),
        ]);
        for (const at of positions) {
          const tampering = inner.map((l, i) => (i === layer ? new TamperingLayer(l, at) : l));
          const p = await new Cascade(tampering).encrypt(patterned(33), AD);
          await assert.rejects(b.cascade.decrypt(p, AD), (err: unknown) =>
            isCryptoError(err, CRYPTO_ERROR.decryptFailed),
          );
        }
      }
      assert.equal(snapshot(b), before);
      const genuine = await a.cascade.encrypt(patterned(34), AD);
      assert.deepEqual(await b.cascade.decrypt(genuine, AD), patterned(34));
    });

    it('drops a replayed payload and accepts reordered payloads', async () => {
      const { a, b } = await sides(withSignal);
      const sent: CascadedPayload[] = [];
      for (let i = 0; i < 5; i++) sent.push(await a.cascade.encrypt(patterned(i + 1), AD));
      for (const i of [1, 0, 4, 3, 2])
        assert.deepEqual(await b.cascade.decrypt(sent[i]!, AD), patterned(i + 1));
      const before = snapshot(b);
      for (const p of sent) await assert.rejects(b.cascade.decrypt(p, AD), code(CRYPTO_ERROR.replay));
      assert.equal(snapshot(b), before);
    });

    it('refuses envelopes that do not describe its layers (count, relabelling, downgrade)', async () => {
      const { a, b } = await sides(withSignal);
      const p = await a.cascade.encrypt(patterned(5), AD);
      const before = snapshot(b);
      const malformed = code(CRYPTO_ERROR.malformed);
      await assert.rejects(
        b.cascade.decrypt(
          { ...p, layers: p.layers.slice(1), layerParameters: p.layerParameters.slice(1) },
          AD,
        ),
        malformed,
      );
      await assert.rejects(
        b.cascade.decrypt({ ...p, layerParameters: p.layerParameters.slice(1) }, AD),
        malformed,
      );
      await assert.rejects(
        b.cascade.decrypt(
          { ...p, layers: p.layers.map((l, i) => (i === 0 ? { ...l, algorithm: 'none' } : l)) },
          AD,
        ),
        malformed,
      );
      await assert.rejects(b.cascade.decrypt({ ...p, finalSize: p.finalSize + 1 }, AD), malformed);
      await assert.rejects(
        b.cascade.decrypt({ ...p, originalSize: 4 }, AD),
        code(CRYPTO_ERROR.decryptFailed),
      );
      await assert.rejects(b.cascade.decrypt(null as never, AD), malformed);
      // A receiver whose cascade lacks a layer cannot be talked into skipping it.
      const shorter = new Cascade([b.mls, b.aes]);
      await assert.rejects(shorter.decrypt(p, AD), malformed);
      assert.equal(snapshot(b), before);
      assert.deepEqual(await b.cascade.decrypt(p, AD), patterned(5));
    });

    it('serialises concurrent operations, including a rotation queued between them', async () => {
      const { a, b } = await sides(withSignal);
      const first = a.cascade.encrypt(patterned(100), AD);
      const rotated = a.cascade.exclusive(() => a.aes.rotate(a.aes.rotation + 1));
      const rest = [2, 3, 4].map((n) => a.cascade.encrypt(patterned(n * 100), AD));
      await rotated;
      await b.cascade.exclusive(() => b.aes.rotate(b.aes.rotation + 1));
      const payloads = await Promise.all([first, ...rest]);
      assert.deepEqual(
        payloads.map((p) => p.layerParameters.at(-1)?.counter),
        [0, 0, 1, 2],
      );
      const plaintexts = await Promise.all(payloads.map((p) => b.cascade.decrypt(p, AD)));
      for (const [i, pt] of plaintexts.entries()) assert.deepEqual(pt, patterned((i + 1) * 100));
    });
  });
}

/** Wraps a real layer and flips one bit of its sealed output: an attacker inside that layer. */
class TamperingLayer implements CascadeLayer {
  readonly name: CascadeLayer['name'];
  readonly algorithm: string;
  readonly version: string;
  constructor(
    private readonly inner: CascadeLayer,
    private readonly at: number,
  ) {
    this.name = inner.name;
    this.algorithm = inner.algorithm;
    this.version = inner.version;
  }
  async seal(plaintext: Uint8Array, ad: Uint8Array): Promise<Sealed> {
    const s = await this.inner.seal(plaintext, ad);
    return { ...s, ciphertext: flipByte(s.ciphertext, this.at % s.ciphertext.length) };
  }
  open(ciphertext: Uint8Array, parameters: LayerParameters, ad: Uint8Array): Promise<Opened> {
    return this.inner.open(ciphertext, parameters, ad);
  }
}

/** A layer whose seal or open throws: injects a failure at a chosen position. */
class FailingLayer implements CascadeLayer {
  readonly name = 'AES' as const;
  readonly algorithm = 'AES-GCM-256';
  readonly version = 'failing';
  async seal(): Promise<Sealed> {
    throw new Error('boom');
  }
  async open(): Promise<Opened> {
    throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'boom');
  }
}

describe('cascade ML-KEM → AES: re-key crossing and the reordering bound', () => {
  async function pair(rekeyEveryMessages: number) {
    const k = mlkemPair('bound', { rekeyEveryMessages });
    const x = await aesPair('bound');
    const state = () => JSON.stringify([k.b.exportState(), x.b.exportState()]);
    return { a: new Cascade([k.a, x.a]), b: new Cascade([k.b, x.b]), state };
  }

  it('delivers out of order across re-keys', async () => {
    const { a, b } = await pair(3);
    const sent: CascadedPayload[] = [];
    for (let i = 0; i < 10; i++) sent.push(await a.encrypt(patterned(i + 1), AD));
    assert.ok(sent.some((p) => typeof p.layerParameters[0]?.kem === 'string'));
    for (const i of [0, 3, 1, 6, 4, 2, 9, 5, 7, 8])
      assert.deepEqual(await b.decrypt(sent[i]!, AD), patterned(i + 1));
  });

  it('refuses a message beyond the skip bound without changing state, then delivers within it', async () => {
    const { a, b, state } = await pair(10 * MLKEM_MAX_SKIP);
    const sent: CascadedPayload[] = [];
    for (let i = 0; i <= MLKEM_MAX_SKIP + 1; i++) sent.push(await a.encrypt(patterned(3), AD));
    const before = state();
    await assert.rejects(b.decrypt(sent[MLKEM_MAX_SKIP + 1]!, AD), code(CRYPTO_ERROR.tooFarAhead));
    assert.equal(state(), before);
    assert.deepEqual(await b.decrypt(sent[MLKEM_MAX_SKIP]!, AD), patterned(3));
    assert.deepEqual(await b.decrypt(sent[MLKEM_MAX_SKIP + 1]!, AD), patterned(3));
    assert.deepEqual(await b.decrypt(sent[0]!, AD), patterned(3));
  });
});

describe('cascade failure atomicity and construction', () => {
  it('an encrypt failure in a later layer commits none of the earlier ones', async () => {
    const { a, b } = await sides(false);
    const before = snapshot(a);
    const broken = new Cascade([a.mls, a.mlkem, new FailingLayer()]);
    await assert.rejects(broken.encrypt(patterned(10), AD), code(CRYPTO_ERROR.encryptFailed));
    assert.equal(snapshot(a), before);
    const p = await a.cascade.encrypt(patterned(10), AD);
    assert.deepEqual(await b.cascade.decrypt(p, AD), patterned(10));
  });

  it('refuses layers out of profile order, duplicates and an empty cascade', () => {
    const m = (name: 'MLS' | 'Signal' | 'ML-KEM' | 'AES', i: number) => new GoldenMockLayer(name, name, i);
    assert.throws(() => new Cascade([]), code(CRYPTO_ERROR.malformed));
    assert.throws(() => new Cascade([m('AES', 0), m('MLS', 1)]), code(CRYPTO_ERROR.malformed));
    assert.throws(() => new Cascade([m('MLS', 0), m('MLS', 1)]), code(CRYPTO_ERROR.malformed));
    assert.deepEqual(new Cascade([m('MLS', 0), m('AES', 1)]).layerNames, ['MLS', 'AES']);
  });

  it('property: random plaintexts and headers round-trip through all four layers', async () => {
    const { a, b } = await sides(true);
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 10000 }),
        fc.uint8Array({ maxLength: 100 }),
        fc.boolean(),
        async (pt, ad, reverse) => {
          const [from, to] = reverse ? [b, a] : [a, b];
          assert.deepEqual(await to.cascade.decrypt(await from.cascade.encrypt(pt, ad), ad), pt);
        },
      ),
      { numRuns: 25 },
    );
  });
});
