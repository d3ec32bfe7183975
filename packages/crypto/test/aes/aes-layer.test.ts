import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AES_ROTATION_GRACE_MS, AesGcmLayer } from '../../src/aes/aes-layer.js';
import { REPLAY_WINDOW } from '../../src/aes/replay-window.js';
import { utf8 } from '../../src/cascade/bytes.js';
import { CRYPTO_ERROR } from '../../src/errors.js';
import type { Sealed } from '../../src/layer.js';
import {
  LAYER_AD as AD,
  aesPair,
  hasCode as code,
  fakeClock,
  flipByte,
  patterned,
  openCommitted as receive,
  SIZES,
  sealCommitted as send,
  TEST_ROTATION,
} from '../cascade/helpers.js';

const snapshot = (l: AesGcmLayer) => JSON.stringify(l.exportState());

describe('AES-256-GCM layer', () => {
  it('round-trips every size both ways', async () => {
    const { a, b } = await aesPair();
    for (const size of SIZES) {
      const pt = patterned(size);
      const s = await send(a, pt);
      assert.equal(s.ciphertext.length, size + 16);
      assert.deepEqual(await receive(b, s.ciphertext, s.parameters), pt);
      const r = await send(b, pt);
      assert.deepEqual(await receive(a, r.ciphertext, r.parameters), pt);
    }
  });

  it('never reuses a nonce: counters advance per committed seal and directions use different keys', async () => {
    const { a, b } = await aesPair();
    const pt = patterned(32);
    const s1 = await send(a, pt);
    const s2 = await send(a, pt);
    const r1 = await send(b, pt);
    assert.deepEqual([s1.parameters.counter, s2.parameters.counter, r1.parameters.counter], [0, 1, 0]);
    assert.notDeepEqual(s1.ciphertext, s2.ciphertext);
    assert.notDeepEqual(s1.ciphertext, r1.ciphertext);
    // A seal that is never committed does not advance the counter.
    const uncommitted = await a.seal(pt, AD);
    assert.equal(uncommitted.parameters.counter, 2);
    assert.equal((await a.seal(pt, AD)).parameters.counter, 2);
  });

  it('rejects a flipped bit in any byte, in the parameters or in the AD, with state unchanged', async () => {
    const { a, b } = await aesPair();
    const s = await send(a, patterned(40));
    const before = snapshot(b);
    for (let i = 0; i < s.ciphertext.length; i++) {
      await assert.rejects(
        b.open(flipByte(s.ciphertext, i), s.parameters, AD),
        code(CRYPTO_ERROR.decryptFailed),
      );
    }
    await assert.rejects(
      b.open(s.ciphertext, { ...s.parameters, counter: 1 }, AD),
      code(CRYPTO_ERROR.decryptFailed),
    );
    await assert.rejects(b.open(s.ciphertext, s.parameters, utf8('other')), code(CRYPTO_ERROR.decryptFailed));
    await assert.rejects(
      b.open(s.ciphertext.subarray(0, 20), s.parameters, AD),
      code(CRYPTO_ERROR.decryptFailed),
    );
    await assert.rejects(
      b.open(s.ciphertext.subarray(0, 10), s.parameters, AD),
      code(CRYPTO_ERROR.decryptFailed),
    );
    await assert.rejects(b.open(s.ciphertext, { rotation: TEST_ROTATION }, AD), code(CRYPTO_ERROR.malformed));
    await assert.rejects(
      b.open(s.ciphertext, { ...s.parameters, counter: -1 }, AD),
      code(CRYPTO_ERROR.malformed),
    );
    await assert.rejects(b.open(s.ciphertext, { ...s.parameters, x: 1 }, AD), code(CRYPTO_ERROR.malformed));
    // A reflected message (own direction) does not authenticate either.
    await assert.rejects(a.open(s.ciphertext, s.parameters, AD), code(CRYPTO_ERROR.decryptFailed));
    assert.equal(snapshot(b), before);
    assert.deepEqual(await receive(b, s.ciphertext, s.parameters), patterned(40));
  });

  it('an open that is never committed leaves the replay window as it was', async () => {
    const { a, b } = await aesPair();
    const s = await send(a, patterned(8));
    const before = snapshot(b);
    await b.open(s.ciphertext, s.parameters, AD);
    assert.equal(snapshot(b), before);
    await receive(b, s.ciphertext, s.parameters);
    assert.notEqual(snapshot(b), before);
  });

  it('drops replays and accepts reordering within the window only', async () => {
    const { a, b } = await aesPair();
    const sent: Sealed[] = [];
    for (let i = 0; i < 5; i++) sent.push(await send(a, patterned(i + 1)));
    const order = [1, 0, 4, 2, 3];
    for (const i of order) {
      const s = sent[i]!;
      assert.deepEqual(await receive(b, s.ciphertext, s.parameters), patterned(i + 1));
    }
    for (const s of sent)
      await assert.rejects(b.open(s.ciphertext, s.parameters, AD), code(CRYPTO_ERROR.replay));
  });

  it('rejects a message older than the replay window', async () => {
    const { a, b } = await aesPair();
    const first = await send(a, patterned(4));
    let last = first;
    for (let i = 0; i < REPLAY_WINDOW; i++) last = await send(a, patterned(4));
    await receive(b, last.ciphertext, last.parameters);
    await assert.rejects(b.open(first.ciphertext, first.parameters, AD), code(CRYPTO_ERROR.replay));
  });

  it('refuses to encrypt at counter exhaustion', async () => {
    const { a } = await aesPair('aes', { maxMessagesPerKey: 3 });
    for (let i = 0; i < 3; i++) await send(a, patterned(1));
    await assert.rejects(a.seal(patterned(1), AD), code(CRYPTO_ERROR.encryptFailed));
    await a.rotate(TEST_ROTATION + 1);
    assert.equal((await send(a, patterned(1))).parameters.counter, 0);
  });

  it('rotation: new keys, old keys accepted during the grace window only, rotations must increase', async () => {
    const clock = fakeClock();
    const { a, b } = await aesPair('aes', { now: clock.now });
    const before = await send(a, patterned(10));
    // b sends these before it learns of the rotation.
    const old1 = await send(b, patterned(11));
    const old2 = await send(b, patterned(12));
    await a.rotate(TEST_ROTATION + 60_000);
    const after = await send(a, patterned(13));
    assert.equal(after.parameters.rotation, TEST_ROTATION + 60_000);
    assert.equal(after.parameters.counter, 0);
    assert.notDeepEqual(after.ciphertext, before.ciphertext);
    // b has not processed the broadcast yet: it decrypts the old rotation, not the new one.
    assert.deepEqual(await receive(b, before.ciphertext, before.parameters), patterned(10));
    await assert.rejects(b.open(after.ciphertext, after.parameters, AD), code(CRYPTO_ERROR.decryptFailed));
    await b.rotate(TEST_ROTATION + 60_000);
    assert.deepEqual(await receive(b, after.ciphertext, after.parameters), patterned(13));
    const fresh = await send(b, patterned(14));
    assert.equal(fresh.parameters.rotation, TEST_ROTATION + 60_000);
    assert.deepEqual(await receive(a, fresh.ciphertext, fresh.parameters), patterned(14));
    // Within the grace window a still accepts the old rotation...
    assert.deepEqual(await receive(a, old1.ciphertext, old1.parameters), patterned(11));
    // ...and after it the old keys are gone.
    clock.advance(AES_ROTATION_GRACE_MS);
    await assert.rejects(a.open(old2.ciphertext, old2.parameters, AD), code(CRYPTO_ERROR.decryptFailed));
    await assert.rejects(a.rotate(TEST_ROTATION + 60_000), code(CRYPTO_ERROR.malformed));
    await assert.rejects(a.rotate(TEST_ROTATION), code(CRYPTO_ERROR.malformed));
  });

  it('a ratcheted base: the same rotation reached from an older state gives other keys than a fresh derivation', async () => {
    const { a } = await aesPair();
    const direct = await aesPair();
    await a.rotate(TEST_ROTATION + 1);
    await a.rotate(TEST_ROTATION + 2);
    await direct.a.rotate(TEST_ROTATION + 2);
    assert.notEqual(a.exportState().current.sendKey, direct.a.exportState().current.sendKey);
    assert.equal(a.exportState().previous?.rotation, TEST_ROTATION + 1);
  });

  it('exports and imports its state (resumption after reconnect)', async () => {
    const { a, b } = await aesPair();
    await receive(b, (await send(a, patterned(5))).ciphertext, { rotation: TEST_ROTATION, counter: 0 });
    const b2 = await AesGcmLayer.importState(JSON.parse(JSON.stringify(b.exportState())));
    const s = await send(a, patterned(6));
    assert.deepEqual(await receive(b2, s.ciphertext, s.parameters), patterned(6));
    await assert.rejects(AesGcmLayer.importState({ v: 2 } as never), code(CRYPTO_ERROR.malformed));
  });

  it('property: any plaintext and AD round-trip', async () => {
    const { a, b } = await aesPair();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 20000 }),
        fc.uint8Array({ maxLength: 64 }),
        async (pt, ad) => {
          const s = await send(a, pt, ad);
          assert.deepEqual(await receive(b, s.ciphertext, s.parameters, ad), pt);
        },
      ),
      { numRuns: 60 },
    );
  });
});
