/** Property-based tests (fast-check): random message orderings, tampering, codec round trips. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromBase64, toBase64 } from '../../src/encoding.js';
import { CRYPTO_ERROR, isCryptoError } from '../../src/errors.js';
import { generateIdentity } from '../../src/identity/identity-keys.js';
import { generateSignedPrekey } from '../../src/identity/signed-prekey.js';
import type { LayerParameters } from '../../src/layer.js';
import { decodeHeader, encodeHeader, headerFromJson, headerToJson } from '../../src/signal/header.js';
import { acceptSignalSession, initiateSignalSession } from '../../src/signal/session.js';
import type { SignalLayer } from '../../src/signal/signal-layer.js';
import { ratchetStateFromJson, ratchetStateToJson } from '../../src/signal/state-codec.js';
import { seededRandom } from './helpers.js';

async function pair(seed: number): Promise<{ alice: SignalLayer; bob: SignalLayer }> {
  const random = seededRandom(`property-${seed}`);
  const aliceId = generateIdentity(random);
  const bobId = generateIdentity(random);
  const spk = generateSignedPrekey(bobId, 1, random);
  const started = await initiateSignalSession(
    aliceId,
    { identity: bobId.publicIdentity, signedPrekey: spk },
    random,
  );
  const accepted = await acceptSignalSession(bobId, spk, started.sessionComplete, random);
  return { alice: started.layer, bob: accepted.layer };
}

interface InFlight {
  ciphertext: Uint8Array;
  parameters: LayerParameters;
  plaintext: Uint8Array;
}

/** 's' = the sender sends; 'd' = deliver the pending message at index (k mod queue length). */
const op = fc.record({
  from: fc.constantFrom('alice', 'bob'),
  kind: fc.constantFrom('s', 's', 'd'),
  k: fc.nat(1000),
  body: fc.uint8Array({ maxLength: 64 }),
  duplicate: fc.boolean(),
});

describe('Signal layer properties', () => {
  it('any interleaving and delivery order round-trips; redelivery is a replay', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(1_000_000),
        fc.array(op, { minLength: 1, maxLength: 40 }),
        fc.nat(1000),
        async (seed, ops, tail) => {
          const { alice, bob } = await pair(seed);
          const layers = { alice, bob };
          const queues: Record<'alice' | 'bob', InFlight[]> = { alice: [], bob: [] }; // messages *to* that party
          const ad = Uint8Array.of(seed & 0xff);
          const deliver = async (to: 'alice' | 'bob', index: number, duplicate: boolean) => {
            const [m] = queues[to].splice(index, 1);
            if (m === undefined) return;
            const opened = await layers[to].open(m.ciphertext, m.parameters, ad);
            opened.commit();
            assert.deepEqual(opened.plaintext, m.plaintext);
            if (duplicate) {
              await assert.rejects(layers[to].open(m.ciphertext, m.parameters, ad), (e) =>
                isCryptoError(e, CRYPTO_ERROR.replay),
              );
            }
          };
          for (const o of ops) {
            const to = o.from === 'alice' ? 'bob' : 'alice';
            if (o.kind === 's') {
              const sealed = await layers[o.from].seal(o.body, ad);
              sealed.commit();
              queues[to].push({
                ciphertext: sealed.ciphertext,
                parameters: sealed.parameters,
                plaintext: o.body,
              });
            } else if (queues[to].length > 0) {
              await deliver(to, o.k % queues[to].length, o.duplicate);
            }
          }
          let k = tail;
          for (const to of ['alice', 'bob'] as const) {
            while (queues[to].length > 0) await deliver(to, k++ % queues[to].length, false);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('flipping any bit of a message fails closed and leaves the receiver unchanged', async () => {
    const { alice, bob } = await pair(7);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.nat(7), async (body, pos, bit) => {
        const sealed = await alice.seal(body, Uint8Array.of(1));
        sealed.commit();
        const before = JSON.stringify(bob.toJSON());
        const ct = sealed.ciphertext.slice();
        const i = pos % ct.length;
        ct[i] = (ct[i] as number) ^ (1 << bit);
        await assert.rejects(bob.open(ct, sealed.parameters, Uint8Array.of(1)), (e) =>
          isCryptoError(e, CRYPTO_ERROR.decryptFailed),
        );
        assert.equal(JSON.stringify(bob.toJSON()), before);
        const ok = await bob.open(sealed.ciphertext, sealed.parameters, Uint8Array.of(1));
        ok.commit();
        assert.deepEqual(ok.plaintext, body);
      }),
      { numRuns: 60 },
    );
  });

  it('header codecs round-trip (binary and JSON)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.nat(0xffffffff),
        fc.nat(0xffffffff),
        (dh, pn, n) => {
          const h = { dh, pn, n };
          assert.deepEqual(decodeHeader(encodeHeader(h)), h);
          assert.deepEqual(headerFromJson(JSON.parse(JSON.stringify(headerToJson(h)))), h);
        },
      ),
    );
  });

  it('base64 round-trips and decoding is canonical', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const s = toBase64(bytes);
        assert.equal(s, Buffer.from(bytes).toString('base64'));
        assert.deepEqual(fromBase64(s), bytes);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        // Whatever decodes must re-encode to the very same text.
        let decoded: Uint8Array | undefined;
        try {
          decoded = fromBase64(s);
        } catch (e) {
          assert.ok(isCryptoError(e, CRYPTO_ERROR.malformed));
        }
        if (decoded !== undefined) assert.equal(toBase64(decoded), s);
      }),
    );
  });

  it('ratchet state JSON round-trips at arbitrary points of a conversation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(1000), fc.array(fc.boolean(), { maxLength: 12 }), async (seed, dirs) => {
        const { alice, bob } = await pair(seed + 5000);
        for (const aToB of dirs) {
          const [from, to] = aToB ? [alice, bob] : [bob, alice];
          const s = await from.seal(Uint8Array.of(1, 2, 3), new Uint8Array(0));
          s.commit();
          if (seed % 2 === 0) (await to.open(s.ciphertext, s.parameters, new Uint8Array(0))).commit();
        }
        for (const l of [alice, bob]) {
          const json = ratchetStateToJson(l.session.state);
          assert.deepEqual(ratchetStateToJson(ratchetStateFromJson(JSON.parse(JSON.stringify(json)))), json);
        }
      }),
      { numRuns: 25 },
    );
  });
});
