import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { getCiphersuiteFromName, getCiphersuiteImpl } from 'ts-mls';
import { toHex, utf8 } from '../../src/cascade/bytes.js';
import { CRYPTO_ERROR } from '../../src/errors.js';
import type { Sealed } from '../../src/layer.js';
import {
  createMlsMember,
  createTwoMemberGroup,
  decodeKeyPackage,
  exportMlsSecret,
  joinTwoMemberGroup,
} from '../../src/mls/handshake.js';
import { MlsLayer } from '../../src/mls/mls-layer.js';
import { MLS_CIPHERSUITE, makeMlsCiphersuite } from '../../src/mls/provider.js';
import {
  LAYER_AD as AD,
  hasCode as code,
  flipByte,
  mlsPair,
  patterned,
  openCommitted as receive,
  SIZES,
  sealCommitted as send,
} from '../cascade/helpers.js';

const snapshot = (l: MlsLayer) => toHex(l.exportState());

describe('MLS handshake (two-member group)', () => {
  it('both members export the same secret, different per label', async () => {
    const { a, b, exportA, exportB } = await mlsPair();
    assert.deepEqual(exportA, exportB);
    assert.equal(exportA.length, 32);
    assert.equal(a.epoch, 1);
    assert.equal(b.epoch, 1);
  });

  it('rejects garbage key packages and welcomes with typed errors', async () => {
    const impl = await makeMlsCiphersuite();
    const alice = await createMlsMember(utf8('alice'), impl);
    assert.throws(() => decodeKeyPackage(new Uint8Array([1, 2, 3])), code(CRYPTO_ERROR.malformed));
    assert.throws(
      () => decodeKeyPackage(alice.keyPackageBytes.subarray(0, 100)),
      code(CRYPTO_ERROR.malformed),
    );
    await assert.rejects(
      createTwoMemberGroup(impl, alice.member, new Uint8Array(0), utf8('g')),
      code(CRYPTO_ERROR.malformed),
    );
    const bob = await createMlsMember(utf8('bob'), impl);
    // A key package whose signature does not verify (last byte of the signature flipped).
    const forged = flipByte(bob.keyPackageBytes, bob.keyPackageBytes.length - 1);
    await assert.rejects(
      createTwoMemberGroup(impl, alice.member, forged, utf8('g')),
      code(CRYPTO_ERROR.badSignature),
    );
    const group = await createTwoMemberGroup(impl, alice.member, bob.keyPackageBytes, utf8('g'));
    await assert.rejects(
      joinTwoMemberGroup(impl, bob.member, new Uint8Array(5)),
      code(CRYPTO_ERROR.malformed),
    );
    // A welcome for someone else.
    const carol = await createMlsMember(utf8('carol'), impl);
    await assert.rejects(
      joinTwoMemberGroup(impl, carol.member, group.welcomeBytes),
      code(CRYPTO_ERROR.decryptFailed),
    );
    await assert.rejects(
      exportMlsSecret(group.state, impl, 'x', new Uint8Array(0), 16),
      code(CRYPTO_ERROR.malformed),
    );
  });

  it("our provider interoperates with ts-mls's default provider in both roles", async () => {
    const fast = await makeMlsCiphersuite();
    const standard = await getCiphersuiteImpl(getCiphersuiteFromName(MLS_CIPHERSUITE));
    for (const [creator, joiner] of [
      [fast, standard],
      [standard, fast],
    ] as const) {
      const alice = await createMlsMember(utf8('alice'), creator);
      const bob = await createMlsMember(utf8('bob'), joiner);
      const group = await createTwoMemberGroup(creator, alice.member, bob.keyPackageBytes, utf8('g'));
      const a = new MlsLayer(group.state, creator);
      const b = new MlsLayer(await joinTwoMemberGroup(joiner, bob.member, group.welcomeBytes), joiner);
      for (const size of [1, 5000, 70000]) {
        const s = await send(a, patterned(size));
        assert.deepEqual(await receive(b, s.ciphertext, s.parameters), patterned(size));
        const r = await send(b, patterned(size));
        assert.deepEqual(await receive(a, r.ciphertext, r.parameters), patterned(size));
      }
      assert.deepEqual(
        await exportMlsSecret(a.state, creator, 'l', new Uint8Array(0)),
        await exportMlsSecret(b.state, joiner, 'l', new Uint8Array(0)),
      );
    }
  });
});

describe('MLS layer', () => {
  it('round-trips every size both ways', async () => {
    const { a, b } = await mlsPair();
    for (const size of SIZES) {
      const pt = patterned(size);
      const s = await send(a, pt);
      assert.deepEqual(await receive(b, s.ciphertext, s.parameters), pt);
      const r = await send(b, pt);
      assert.deepEqual(await receive(a, r.ciphertext, r.parameters), pt);
    }
  });

  it('rejects a flipped bit in any byte, other parameters or AD, and truncation, with state unchanged', async () => {
    const { a, b } = await mlsPair();
    const s = await send(a, patterned(20));
    const before = snapshot(b);
    for (let i = 0; i < s.ciphertext.length; i++) {
      await assert.rejects(
        b.open(flipByte(s.ciphertext, i), s.parameters, AD),
        code(CRYPTO_ERROR.decryptFailed),
      );
    }
    for (const cut of [0, 1, 50, s.ciphertext.length - 1]) {
      await assert.rejects(
        b.open(s.ciphertext.subarray(0, cut), s.parameters, AD),
        code(CRYPTO_ERROR.decryptFailed),
      );
    }
    await assert.rejects(b.open(s.ciphertext, s.parameters, utf8('other')), code(CRYPTO_ERROR.decryptFailed));
    await assert.rejects(b.open(s.ciphertext, { epoch: 2 }, AD), code(CRYPTO_ERROR.decryptFailed));
    await assert.rejects(b.open(s.ciphertext, { epoch: 'x' }, AD), code(CRYPTO_ERROR.malformed));
    // Own message reflected back.
    await assert.rejects(a.open(s.ciphertext, s.parameters, AD), code(CRYPTO_ERROR.decryptFailed));
    assert.equal(snapshot(b), before);
    assert.deepEqual(await receive(b, s.ciphertext, s.parameters), patterned(20));
  });

  it('an uncommitted seal or open changes nothing', async () => {
    const { a, b } = await mlsPair();
    const beforeA = snapshot(a);
    const s = await a.seal(patterned(9), AD);
    assert.equal(snapshot(a), beforeA);
    s.commit();
    const beforeB = snapshot(b);
    await b.open(s.ciphertext, s.parameters, AD);
    assert.equal(snapshot(b), beforeB);
  });

  it('drops replays and accepts reordering', async () => {
    const { a, b } = await mlsPair();
    const sent: Sealed[] = [];
    for (let i = 0; i < 5; i++) sent.push(await send(a, patterned(i + 1)));
    for (const i of [2, 0, 4, 1, 3]) {
      assert.deepEqual(await receive(b, sent[i]!.ciphertext, sent[i]!.parameters), patterned(i + 1));
    }
    for (const s of sent)
      await assert.rejects(b.open(s.ciphertext, s.parameters, AD), code(CRYPTO_ERROR.decryptFailed));
  });

  it('exports and imports its group state', async () => {
    const { a, b } = await mlsPair();
    const impl = await makeMlsCiphersuite();
    const s = await send(a, patterned(7));
    const b2 = MlsLayer.importState(b.exportState(), impl);
    assert.deepEqual(await receive(b2, s.ciphertext, s.parameters), patterned(7));
    assert.throws(() => MlsLayer.importState(new Uint8Array(10), impl), code(CRYPTO_ERROR.malformed));
  });

  it('property: any plaintext and AD round-trip', async () => {
    const { a, b } = await mlsPair();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 20000 }),
        fc.uint8Array({ maxLength: 64 }),
        async (pt, ad) => {
          const s = await send(a, pt, ad);
          assert.deepEqual(await receive(b, s.ciphertext, s.parameters, ad), pt);
        },
      ),
      { numRuns: 30 },
    );
  });
});
