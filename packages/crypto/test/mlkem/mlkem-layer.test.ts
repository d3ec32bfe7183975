import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { utf8 } from '../../src/cascade/bytes.js';
import { CRYPTO_ERROR } from '../../src/errors.js';
import type { Sealed } from '../../src/layer.js';
import {
  decapsulate,
  deriveMlKemExport,
  encapsulateTo,
  generateMlKemKeyPair,
  isValidMlKem768PublicKey,
  MLKEM768_CIPHERTEXT_BYTES,
  MLKEM768_PUBLIC_KEY_BYTES,
} from '../../src/mlkem/handshake.js';
import { MLKEM_MAX_SKIP, MlKemLayer, REKEY_INTERVAL_MS } from '../../src/mlkem/mlkem-layer.js';
import {
  LAYER_AD as AD,
  hasCode as code,
  fakeClock,
  flipByte,
  mlkemPair,
  patterned,
  openCommitted as receive,
  SIZES,
  seededRandom,
  sealCommitted as send,
} from '../cascade/helpers.js';

const snapshot = (l: MlKemLayer) => JSON.stringify(l.exportState());

describe('ML-KEM-768 handshake', () => {
  it('both sides derive the same root from both contributions', () => {
    const { rootA, rootB } = mlkemPair();
    assert.deepEqual(rootA, rootB);
    assert.notDeepEqual(mlkemPair('other').rootA, rootA);
  });

  it('exports domain-separated secrets from the root', () => {
    const { rootA, rootB } = mlkemPair();
    assert.deepEqual(deriveMlKemExport(rootA, 'aes-base'), deriveMlKemExport(rootB, 'aes-base'));
    assert.notDeepEqual(deriveMlKemExport(rootA, 'aes-base'), deriveMlKemExport(rootA, 'confirm'));
    assert.throws(() => deriveMlKemExport(rootA, ''), code(CRYPTO_ERROR.malformed));
  });

  it('has FIPS 203 sizes and rejects malformed keys and ciphertexts', () => {
    const random = seededRandom('sizes');
    const kp = generateMlKemKeyPair(random);
    assert.equal(kp.publicKey.length, MLKEM768_PUBLIC_KEY_BYTES);
    const { ciphertext, sharedSecret } = encapsulateTo(kp.publicKey, random);
    assert.equal(ciphertext.length, MLKEM768_CIPHERTEXT_BYTES);
    assert.deepEqual(decapsulate(ciphertext, kp.secretKey), sharedSecret);
    assert.throws(() => encapsulateTo(kp.publicKey.subarray(1), random), code(CRYPTO_ERROR.malformed));
    // FIPS 203 §7.2 modulus check: coefficients ≥ q are not a valid encapsulation key.
    assert.throws(
      () => encapsulateTo(new Uint8Array(MLKEM768_PUBLIC_KEY_BYTES).fill(0xff), random),
      code(CRYPTO_ERROR.malformed),
    );
    assert.throws(() => decapsulate(ciphertext.subarray(1), kp.secretKey), code(CRYPTO_ERROR.malformed));
    assert.ok(isValidMlKem768PublicKey(kp.publicKey));
    const bad = kp.publicKey.slice();
    bad[0] = 0x01;
    bad[1] = (bad[1]! & 0xf0) | 0x0d; // first coefficient = 0xd01 = 3329 = q
    assert.equal(isValidMlKem768PublicKey(bad), false);
    // Implicit rejection: a forged ciphertext gives an unrelated secret, not an error.
    assert.notDeepEqual(decapsulate(flipByte(ciphertext, 0), kp.secretKey), sharedSecret);
  });
});

describe('ML-KEM-768 layer', () => {
  it('round-trips every size both ways', async () => {
    const { a, b } = mlkemPair();
    for (const size of SIZES) {
      const pt = patterned(size);
      const s = await send(a, pt);
      assert.equal(s.ciphertext.length, size + 16);
      assert.deepEqual(await receive(b, s.ciphertext, s.parameters), pt);
      const r = await send(b, pt);
      assert.deepEqual(await receive(a, r.ciphertext, r.parameters), pt);
    }
  });

  it('uses a fresh key per message (same plaintext, different ciphertexts) and no encapsulation per message', async () => {
    const { a } = mlkemPair();
    const s1 = await send(a, patterned(16));
    const s2 = await send(a, patterned(16));
    assert.notDeepEqual(s1.ciphertext, s2.ciphertext);
    assert.deepEqual(Object.keys(s2.parameters).sort(), ['counter', 'epoch']);
  });

  it('rejects any flipped byte, parameter change, other AD or truncation, with state unchanged', async () => {
    const { a, b } = mlkemPair();
    const s = await send(a, patterned(48));
    const before = snapshot(b);
    for (let i = 0; i < s.ciphertext.length; i++) {
      await assert.rejects(
        b.open(flipByte(s.ciphertext, i), s.parameters, AD),
        code(CRYPTO_ERROR.decryptFailed),
      );
    }
    await assert.rejects(b.open(s.ciphertext, s.parameters, utf8('x')), code(CRYPTO_ERROR.decryptFailed));
    await assert.rejects(
      b.open(s.ciphertext.subarray(0, 30), s.parameters, AD),
      code(CRYPTO_ERROR.decryptFailed),
    );
    await assert.rejects(
      b.open(s.ciphertext, { epoch: 0, counter: 1 }, AD),
      code(CRYPTO_ERROR.decryptFailed),
    );
    await assert.rejects(b.open(s.ciphertext, { epoch: 0 }, AD), code(CRYPTO_ERROR.malformed));
    await assert.rejects(
      b.open(s.ciphertext, { epoch: 0, counter: 0, kem: 'AAAA' }, AD),
      code(CRYPTO_ERROR.malformed),
    );
    await assert.rejects(a.open(s.ciphertext, s.parameters, AD), code(CRYPTO_ERROR.decryptFailed));
    assert.equal(snapshot(b), before);
    assert.deepEqual(await receive(b, s.ciphertext, s.parameters), patterned(48));
  });

  it('drops replays, accepts reordering within the skip bound, refuses beyond it', async () => {
    const { a, b } = mlkemPair('skip', { rekeyEveryMessages: 10 * MLKEM_MAX_SKIP });
    const sent: Sealed[] = [];
    for (let i = 0; i < 6; i++) sent.push(await send(a, patterned(i + 1)));
    for (const i of [3, 0, 5, 1, 4, 2]) {
      assert.deepEqual(await receive(b, sent[i]!.ciphertext, sent[i]!.parameters), patterned(i + 1));
    }
    for (const s of sent)
      await assert.rejects(b.open(s.ciphertext, s.parameters, AD), code(CRYPTO_ERROR.replay));
    const gap: Sealed[] = [];
    for (let i = 0; i <= MLKEM_MAX_SKIP + 1; i++) gap.push(await send(a, patterned(2)));
    const before = snapshot(b);
    const far = gap[MLKEM_MAX_SKIP + 1]!;
    await assert.rejects(b.open(far.ciphertext, far.parameters, AD), code(CRYPTO_ERROR.tooFarAhead));
    assert.equal(snapshot(b), before);
    const edge = gap[MLKEM_MAX_SKIP]!;
    assert.deepEqual(await receive(b, edge.ciphertext, edge.parameters), patterned(2));
    assert.deepEqual(await receive(b, gap[0]!.ciphertext, gap[0]!.parameters), patterned(2));
  });

  it('re-keys by encapsulation every N messages, also across reordering', async () => {
    const { a, b } = mlkemPair('rekey', { rekeyEveryMessages: 3 });
    const sent: Sealed[] = [];
    for (let i = 0; i < 8; i++) sent.push(await send(a, patterned(i + 10)));
    const epochs = sent.map((s) => s.parameters.epoch);
    assert.deepEqual(epochs, [0, 0, 0, 1, 1, 1, 2, 2]);
    assert.equal(typeof sent[3]!.parameters.kem, 'string');
    assert.equal(sent[3]!.parameters.prev, 3);
    assert.equal(sent[4]!.parameters.kem, undefined);
    // Deliver the epoch-1 re-key before two epoch-0 stragglers, and epoch 2 before the rest of epoch 1.
    for (const i of [0, 3, 6, 1, 2, 4, 7, 5]) {
      assert.deepEqual(await receive(b, sent[i]!.ciphertext, sent[i]!.parameters), patterned(i + 10));
    }
    // Both directions keep working after re-keys.
    const back = await send(b, patterned(99));
    assert.deepEqual(await receive(a, back.ciphertext, back.parameters), patterned(99));
  });

  it('refuses a message of an epoch whose re-key message has not arrived, and a forged re-key', async () => {
    const { a, b } = mlkemPair('rekey2', { rekeyEveryMessages: 2 });
    const sent: Sealed[] = [];
    for (let i = 0; i < 4; i++) sent.push(await send(a, patterned(i)));
    const before = snapshot(b);
    await assert.rejects(
      b.open(sent[3]!.ciphertext, sent[3]!.parameters, AD),
      code(CRYPTO_ERROR.tooFarAhead),
    );
    const rekey = sent[2]!;
    const forgedKem = {
      ...rekey.parameters,
      kem: btoa(String.fromCharCode(...new Uint8Array(MLKEM768_CIPHERTEXT_BYTES))),
    };
    await assert.rejects(b.open(rekey.ciphertext, forgedKem, AD), code(CRYPTO_ERROR.decryptFailed));
    await assert.rejects(
      b.open(rekey.ciphertext, { ...rekey.parameters, prev: 1 }, AD),
      code(CRYPTO_ERROR.decryptFailed),
    );
    assert.equal(snapshot(b), before);
    assert.deepEqual(await receive(b, rekey.ciphertext, rekey.parameters), patterned(2));
    assert.deepEqual(await receive(b, sent[3]!.ciphertext, sent[3]!.parameters), patterned(3));
  });

  it('rotates key pairs: announces a new key, drops the old one once the peer used the new one', async () => {
    const { a, b } = mlkemPair('rotate', { rekeyEveryMessages: 2 });
    const ids = (l: MlKemLayer) => l.exportState().ownKeys.map(([id]) => id);
    const deliver = async (from: MlKemLayer, to: MlKemLayer, n: number) => {
      const out: Sealed[] = [];
      for (let i = 0; i < n; i++) {
        const s = await send(from, patterned(i + 1));
        assert.deepEqual(await receive(to, s.ciphertext, s.parameters), patterned(i + 1));
        out.push(s);
      }
      return out;
    };
    const fromA = await deliver(a, b, 3);
    assert.equal(fromA[2]!.parameters.kid, 0);
    assert.equal(typeof fromA[2]!.parameters.pk, 'string');
    assert.deepEqual(ids(a), [0, 1]);
    // A second re-key before the peer used key 1 announces nothing new (at most two keys held).
    const more = await deliver(a, b, 2);
    assert.equal(more[1]!.parameters.pk, undefined);
    assert.deepEqual(ids(a), [0, 1]);
    const fromB = await deliver(b, a, 3);
    assert.equal(fromB[2]!.parameters.kid, 1);
    assert.deepEqual(ids(a), [1]);
    assert.deepEqual(ids(b), [0, 1]);
  });

  it('heals after a full state compromise once both sides re-keyed with fresh key pairs', async () => {
    const { a, b } = mlkemPair('heal', { rekeyEveryMessages: 2 });
    const eve = MlKemLayer.importState(a.exportState());
    const bToA = async (n: number) => {
      const out: Sealed[] = [];
      for (let i = 0; i < n; i++) out.push(await send(b, patterned(50 + i)));
      return out;
    };
    // Before healing, the stolen state follows B's re-key to A's handshake key.
    for (const s of await bToA(3)) {
      assert.deepEqual(
        await receive(a, s.ciphertext, s.parameters),
        await receive(eve, s.ciphertext, s.parameters),
      );
    }
    // A re-keys and announces a fresh key; B's next re-key encapsulates to it.
    for (let i = 0; i < 3; i++) {
      const s = await send(a, patterned(i));
      await receive(b, s.ciphertext, s.parameters);
    }
    const [b4, b5] = await bToA(2);
    assert.equal(b5!.parameters.kid, 1);
    assert.deepEqual(await receive(eve, b4!.ciphertext, b4!.parameters), patterned(50));
    await assert.rejects(eve.open(b5!.ciphertext, b5!.parameters, AD), code(CRYPTO_ERROR.decryptFailed));
    assert.deepEqual(await receive(a, b4!.ciphertext, b4!.parameters), patterned(50));
    assert.deepEqual(await receive(a, b5!.ciphertext, b5!.parameters), patterned(51));
  });

  it('re-keys after the time interval even on a quiet session', async () => {
    const clock = fakeClock();
    const { a, b } = mlkemPair('time', { now: clock.now });
    const first = await send(a, patterned(1));
    assert.equal(first.parameters.epoch, 0);
    clock.advance(REKEY_INTERVAL_MS);
    const second = await send(a, patterned(2));
    assert.equal(second.parameters.epoch, 1);
    assert.equal(second.parameters.prev, 1);
    assert.deepEqual(await receive(b, second.ciphertext, second.parameters), patterned(2));
    assert.deepEqual(await receive(b, first.ciphertext, first.parameters), patterned(1));
    assert.equal((await send(a, patterned(3))).parameters.epoch, 1);
  });

  it('exports and imports its state', async () => {
    const { a, b } = mlkemPair();
    const s0 = await send(a, patterned(3));
    const s1 = await send(a, patterned(4));
    await receive(b, s1.ciphertext, s1.parameters);
    const b2 = MlKemLayer.importState(JSON.parse(JSON.stringify(b.exportState())));
    assert.deepEqual(await receive(b2, s0.ciphertext, s0.parameters), patterned(3));
    assert.throws(() => MlKemLayer.importState({ v: 9 } as never), code(CRYPTO_ERROR.malformed));
    assert.throws(
      () => MlKemLayer.importState({ ...b.exportState(), ownKeys: [] }),
      code(CRYPTO_ERROR.malformed),
    );
  });

  it('property: any plaintext and AD round-trip', async () => {
    const { a, b } = mlkemPair('prop', { rekeyEveryMessages: 7 });
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 20000 }),
        fc.uint8Array({ maxLength: 64 }),
        async (pt, ad) => {
          const s = await send(a, pt, ad);
          assert.deepEqual(await receive(b, s.ciphertext, s.parameters, ad), pt);
        },
      ),
      { numRuns: 40 },
    );
  });
});
