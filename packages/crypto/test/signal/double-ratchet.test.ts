import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CRYPTO_ERROR, isCryptoError } from '../../src/errors.js';
import { MAX_SKIP, MAX_SKIPPED_KEYS } from '../../src/signal/constants.js';
import {
  type EncryptResult,
  type RatchetState,
  ratchetDecrypt,
  ratchetEncrypt,
} from '../../src/signal/double-ratchet.js';
import { kdfCk } from '../../src/signal/kdf.js';
import { ratchetStateFromJson, ratchetStateToJson } from '../../src/signal/state-codec.js';
import { seededRandom, text, utf8 } from './helpers.js';
import { ratchetPair } from './ratchet-fixture.js';
import { refConcat, refEncrypt, refKdfCk, refKdfRk, refX25519 } from './reference.js';

const hasCode = (c: string) => (err: unknown) => isCryptoError(err) && err.code === c;

/** Deep snapshot of a state, to prove a failed call left it untouched. */
const snapshot = (s: RatchetState) => JSON.stringify(ratchetStateToJson(s));

/** Advances a sending chain by `count` message keys, as if that many messages had been sent and lost. */
function advanceSending(s: RatchetState, count: number): RatchetState {
  let ck = s.sendingChainKey as Uint8Array;
  for (let i = 0; i < count; i++) ck = kdfCk(ck).chainKey;
  return { ...s, sendingChainKey: ck, ns: s.ns + count };
}

describe('Double Ratchet', () => {
  const random = seededRandom('double-ratchet-tests');

  it('matches the specification formulas computed independently (first message)', async () => {
    // Alice's first message: RK0 = SK; (RK1, CKs) = KDF_RK(SK, DH(DHs, SPK)); mk = HMAC(CKs, 0x01).
    const draws: Uint8Array[] = [];
    const rec = (n: number) => {
      const b = random(n);
      draws.push(b.slice());
      return b;
    };
    const p = await ratchetPair(rec);
    const dhsSecret = draws.at(-1) as Uint8Array; // the last draw is Alice's first ratchet key
    assert.deepEqual(p.alice.dhs.secretKey, dhsSecret);
    const dhOut = refX25519(dhsSecret, p.alice.dhr as Uint8Array, p.alice.dhs.publicKey);
    const { ck } = refKdfRk(p.sharedSecret, dhOut);
    const { mk, ck: ck1 } = refKdfCk(ck);
    const pt = utf8('hello Bob');
    const out = await ratchetEncrypt(p.alice, pt, p.ad);
    assert.deepEqual(out.header, { dh: p.alice.dhs.publicKey, pn: 0, n: 0 });
    assert.deepEqual(out.ciphertext, refEncrypt(mk, pt, refConcat(p.ad, p.alice.dhs.publicKey, 0, 0)));
    assert.deepEqual(out.state.sendingChainKey, ck1);
  });

  it('round-trips in both directions with interleaving and ratchet steps', async () => {
    let { alice, bob, ad } = await ratchetPair(random);
    const script = ['a', 'a', 'b', 'a', 'b', 'b', 'b', 'a', 'b', 'a', 'a', 'a', 'b'];
    let i = 0;
    for (const who of script) {
      const msg = utf8(`${who} message ${i++}`);
      if (who === 'a') {
        const e = await ratchetEncrypt(alice, msg, ad);
        alice = e.state;
        const d = await ratchetDecrypt(bob, e.header, e.ciphertext, ad, random);
        bob = d.state;
        assert.deepEqual(d.plaintext, msg);
      } else {
        const e = await ratchetEncrypt(bob, msg, ad);
        bob = e.state;
        const d = await ratchetDecrypt(alice, e.header, e.ciphertext, ad, random);
        alice = d.state;
        assert.deepEqual(d.plaintext, msg);
      }
    }
    assert.equal(alice.skipped.length + bob.skipped.length, 0);
  });

  it('the responder cannot send before it has received (CRYPTO_NOT_READY)', async () => {
    const { bob, ad } = await ratchetPair(random);
    await assert.rejects(ratchetEncrypt(bob, utf8('x'), ad), hasCode(CRYPTO_ERROR.notReady));
  });

  it('never mutates the state it is given', async () => {
    const { alice, bob, ad } = await ratchetPair(random);
    const a0 = snapshot(alice);
    const b0 = snapshot(bob);
    const e = await ratchetEncrypt(alice, utf8('x'), ad);
    await ratchetDecrypt(bob, e.header, e.ciphertext, ad, random);
    assert.equal(snapshot(alice), a0);
    assert.equal(snapshot(bob), b0);
  });

  it('decrypts out-of-order messages within the bound, across a ratchet step', async () => {
    let { alice, bob, ad } = await ratchetPair(random);
    const sent: EncryptResult[] = [];
    for (let i = 0; i < 5; i++) {
      const e = await ratchetEncrypt(alice, utf8(`first chain ${i}`), ad);
      alice = e.state;
      sent.push(e);
    }
    // Bob receives #4 first (skips 0..3), answers, Alice ratchets and sends on a new chain.
    let d = await ratchetDecrypt(bob, sent[4]!.header, sent[4]!.ciphertext, ad, random);
    bob = d.state;
    assert.equal(bob.skipped.length, 4);
    const reply = await ratchetEncrypt(bob, utf8('reply'), ad);
    bob = reply.state;
    alice = (await ratchetDecrypt(alice, reply.header, reply.ciphertext, ad, random)).state;
    const second = await ratchetEncrypt(alice, utf8('second chain 0'), ad);
    alice = second.state;
    d = await ratchetDecrypt(bob, second.header, second.ciphertext, ad, random);
    bob = d.state;
    assert.equal(text(d.plaintext), 'second chain 0');
    for (const idx of [2, 0, 3, 1]) {
      d = await ratchetDecrypt(bob, sent[idx]!.header, sent[idx]!.ciphertext, ad, random);
      bob = d.state;
      assert.equal(text(d.plaintext), `first chain ${idx}`);
    }
    assert.equal(bob.skipped.length, 0);
  });

  it('refuses a message beyond MAX_SKIP (CRYPTO_TOO_FAR_AHEAD) and stays usable', async () => {
    let { alice, bob, ad } = await ratchetPair(random);
    const first = await ratchetEncrypt(alice, utf8('0'), ad);
    alice = first.state;
    bob = (await ratchetDecrypt(bob, first.header, first.ciphertext, ad, random)).state;
    // Messages 1..MAX_SKIP+1 are lost; the next one needs one key more than the bound allows.
    const ahead = await ratchetEncrypt(advanceSending(alice, MAX_SKIP + 1), utf8('far'), ad);
    const before = snapshot(bob);
    await assert.rejects(
      ratchetDecrypt(bob, ahead.header, ahead.ciphertext, ad, random),
      hasCode(CRYPTO_ERROR.tooFarAhead),
    );
    assert.equal(snapshot(bob), before);
    // Exactly at the bound is accepted.
    const edge = await ratchetEncrypt(advanceSending(alice, MAX_SKIP), utf8('edge'), ad);
    const ok = await ratchetDecrypt(bob, edge.header, edge.ciphertext, ad, random);
    assert.equal(text(ok.plaintext), 'edge');
    assert.equal(ok.state.skipped.length, MAX_SKIP);
  });

  it('refuses a forged PN beyond the bound on a new chain (CRYPTO_TOO_FAR_AHEAD)', async () => {
    let { alice, bob, ad } = await ratchetPair(random);
    const m = await ratchetEncrypt(alice, utf8('0'), ad);
    alice = m.state;
    bob = (await ratchetDecrypt(bob, m.header, m.ciphertext, ad, random)).state;
    const r = await ratchetEncrypt(bob, utf8('r'), ad);
    alice = (await ratchetDecrypt(alice, r.header, r.ciphertext, ad, random)).state;
    const next = await ratchetEncrypt({ ...alice, pn: MAX_SKIP + 5 }, utf8('x'), ad);
    await assert.rejects(
      ratchetDecrypt(r.state, next.header, next.ciphertext, ad, random),
      hasCode(CRYPTO_ERROR.tooFarAhead),
    );
  });

  it('detects replays on the current chain, from skipped keys and on finished chains (CRYPTO_REPLAY)', async () => {
    let { alice, bob, ad } = await ratchetPair(random);
    const m0 = await ratchetEncrypt(alice, utf8('m0'), ad);
    alice = m0.state;
    const m1 = await ratchetEncrypt(alice, utf8('m1'), ad);
    alice = m1.state;
    const m2 = await ratchetEncrypt(alice, utf8('m2'), ad);
    alice = m2.state;
    bob = (await ratchetDecrypt(bob, m0.header, m0.ciphertext, ad, random)).state;
    bob = (await ratchetDecrypt(bob, m2.header, m2.ciphertext, ad, random)).state; // m1 skipped
    bob = (await ratchetDecrypt(bob, m1.header, m1.ciphertext, ad, random)).state; // skipped key consumed
    for (const m of [m0, m1, m2]) {
      const before = snapshot(bob);
      await assert.rejects(
        ratchetDecrypt(bob, m.header, m.ciphertext, ad, random),
        hasCode(CRYPTO_ERROR.replay),
      );
      assert.equal(snapshot(bob), before);
    }
    // After a full round trip the first chain is finished; replaying it is still a replay.
    const r = await ratchetEncrypt(bob, utf8('r'), ad);
    bob = r.state;
    alice = (await ratchetDecrypt(alice, r.header, r.ciphertext, ad, random)).state;
    const n = await ratchetEncrypt(alice, utf8('n'), ad);
    bob = (await ratchetDecrypt(bob, n.header, n.ciphertext, ad, random)).state;
    await assert.rejects(
      ratchetDecrypt(bob, m0.header, m0.ciphertext, ad, random),
      hasCode(CRYPTO_ERROR.replay),
    );
    await assert.rejects(
      ratchetDecrypt(bob, n.header, n.ciphertext, ad, random),
      hasCode(CRYPTO_ERROR.replay),
    );
  });

  it('tampering with any byte of header, ciphertext or AD fails with CRYPTO_DECRYPT_FAILED and changes nothing', async () => {
    let { alice, bob, ad } = await ratchetPair(random);
    // Give Bob a receiving chain and skipped keys so every code path has state to lose.
    const warm = await ratchetEncrypt(alice, utf8('warm'), ad);
    alice = warm.state;
    const skippedMsg = await ratchetEncrypt(alice, utf8('skipped'), ad);
    alice = skippedMsg.state;
    const target = await ratchetEncrypt(alice, new Uint8Array(100).fill(7), ad);
    bob = (await ratchetDecrypt(bob, warm.header, warm.ciphertext, ad, random)).state;
    const before = snapshot(bob);
    const failsCleanly = async (h: typeof target.header, c: Uint8Array, a: Uint8Array, label: string) => {
      await assert.rejects(ratchetDecrypt(bob, h, c, a, random), (e) => {
        assert.ok(isCryptoError(e), label);
        // A changed counter may also be classed as a replay; a changed key may be a low-order point.
        assert.ok(
          e.code === CRYPTO_ERROR.decryptFailed || (e.code === CRYPTO_ERROR.replay && label.startsWith('n')),
          `${label}: ${e.code}`,
        );
        return true;
      });
      assert.equal(snapshot(bob), before, label);
    };
    for (let i = 0; i < target.ciphertext.length; i++) {
      const c = target.ciphertext.slice();
      c[i] = (c[i] as number) ^ 0x01;
      await failsCleanly(target.header, c, ad, `ciphertext[${i}]`);
    }
    await failsCleanly(
      target.header,
      target.ciphertext.subarray(0, target.ciphertext.length - 1),
      ad,
      'truncated',
    );
    await failsCleanly(target.header, target.ciphertext.subarray(16), ad, 'first block dropped');
    for (let i = 0; i < ad.length; i++) {
      const a = ad.slice();
      a[i] = (a[i] as number) ^ 0x01;
      await failsCleanly(target.header, target.ciphertext, a, `ad[${i}]`);
    }
    await failsCleanly(target.header, target.ciphertext, new Uint8Array([...ad, 0]), 'ad extended');
    for (let i = 0; i < 32; i++) {
      const dh = target.header.dh.slice();
      dh[i] = (dh[i] as number) ^ 0x01;
      await failsCleanly({ ...target.header, dh }, target.ciphertext, ad, `dh[${i}]`);
    }
    await failsCleanly({ ...target.header, pn: 1 }, target.ciphertext, ad, 'pn');
    for (const n of [0, 1, 3, 4])
      await failsCleanly({ ...target.header, n }, target.ciphertext, ad, `n=${n}`);
    // The untouched message still decrypts afterwards.
    const ok = await ratchetDecrypt(bob, target.header, target.ciphertext, ad, random);
    assert.deepEqual(ok.plaintext, new Uint8Array(100).fill(7));
  });

  it('evicts the oldest skipped keys beyond the total cap', async () => {
    let { alice, bob, ad } = await ratchetPair(random);
    const m0 = await ratchetEncrypt(alice, utf8('oldest'), ad);
    alice = m0.state;
    const m1 = await ratchetEncrypt(alice, utf8('kept'), ad);
    alice = m1.state;
    // Three jumps of about MAX_SKIP lost messages push ~3000 skipped keys through a cap of 2000.
    let last: EncryptResult = m1;
    const jump = async () => {
      last = await ratchetEncrypt(advanceSending(alice, MAX_SKIP - 2), utf8('jump'), ad);
      alice = last.state;
      bob = (await ratchetDecrypt(bob, last.header, last.ciphertext, ad, random)).state;
    };
    await jump();
    await jump();
    assert.ok(bob.skipped.length <= MAX_SKIPPED_KEYS);
    await jump();
    assert.equal(bob.skipped.length, MAX_SKIPPED_KEYS);
    await assert.rejects(
      ratchetDecrypt(bob, m0.header, m0.ciphertext, ad, random),
      hasCode(CRYPTO_ERROR.replay),
    );
  });

  it('state survives a JSON round trip mid-conversation (skipped keys included)', async () => {
    let { alice, bob, ad } = await ratchetPair(random);
    const pending: EncryptResult[] = [];
    for (let i = 0; i < 3; i++) {
      const e = await ratchetEncrypt(alice, utf8(`p${i}`), ad);
      alice = e.state;
      pending.push(e);
    }
    bob = (await ratchetDecrypt(bob, pending[2]!.header, pending[2]!.ciphertext, ad, random)).state;
    const r = await ratchetEncrypt(bob, utf8('r'), ad);
    bob = r.state;
    alice = (await ratchetDecrypt(alice, r.header, r.ciphertext, ad, random)).state;
    const restore = (s: RatchetState) =>
      ratchetStateFromJson(JSON.parse(JSON.stringify(ratchetStateToJson(s))));
    alice = restore(alice);
    bob = restore(bob);
    assert.equal(bob.skipped.length, 2);
    const d = await ratchetDecrypt(bob, pending[0]!.header, pending[0]!.ciphertext, ad, random);
    assert.equal(text(d.plaintext), 'p0');
    const e = await ratchetEncrypt(alice, utf8('after restore'), ad);
    assert.equal(
      text((await ratchetDecrypt(d.state, e.header, e.ciphertext, ad, random)).plaintext),
      'after restore',
    );
  });

  it('rejects corrupt persisted state with CRYPTO_MALFORMED', async () => {
    const { alice } = await ratchetPair(random);
    const good = ratchetStateToJson(alice);
    const bads: unknown[] = [
      null,
      { ...good, version: 2 },
      { ...good, rootKey: 'AAAA' },
      { ...good, ns: -1 },
      { ...good, nr: 2 ** 32 },
      { ...good, skipped: [{ dh: good.dhr, n: 0, messageKey: 'x' }] },
      {
        ...good,
        skipped: new Array(MAX_SKIPPED_KEYS + 1).fill({ dh: good.dhr, n: 0, messageKey: good.rootKey }),
      },
      { ...good, receivingChainKey: good.rootKey, dhr: null },
    ];
    for (const bad of bads) {
      assert.throws(() => ratchetStateFromJson(bad), hasCode(CRYPTO_ERROR.malformed));
    }
  });
});
