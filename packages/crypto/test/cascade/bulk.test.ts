/**
 * The bulk form of the cascade (docs/protocol.md §2.6.4, §4.2.6): round trips at and around the
 * threshold, the independent Python vector of the body, and every adversarial case ending in a
 * typed error with no layer state changed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BULK_MIN_PLAINTEXT_BYTES, BULK_TAG_BYTES } from '@enkrypted/protocol';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import {
  BULK_BODY_LABEL,
  BULK_KEY_LABEL,
  bulkAd,
  openBulkBody,
  sealBulkBody,
} from '../../src/cascade/bulk.js';
import { fromHex, toHex, utf8 } from '../../src/cascade/bytes.js';
import { boundAd, Cascade, type CascadedPayload } from '../../src/cascade/cascade.js';
import { CRYPTO_ERROR, isCryptoError } from '../../src/errors.js';
import { channelMessageAd } from '../../src/secure-channel/secure-channel.js';
import { flipByte, patterned, type Side, sides, snapshot } from './helpers.js';

const AD = channelMessageAd('AAECAwQFBgcICQoLDA0ODw', 'EBESExQVFhcYGRobHB0eHw');
const OTHER_AD = channelMessageAd('AAECAwQFBgcICQoLDA0ODw', 'EBESExQVFhcYGRobHB0eHA');
const MIN = BULK_MIN_PLAINTEXT_BYTES;
const code = (c: string) => (err: unknown) => isCryptoError(err, c as never);
const anyCryptoError = (err: unknown) => isCryptoError(err);

/** Expects `decrypt` to refuse with a typed error and `to` to be exactly as before. */
async function refusedUnchanged(
  to: Side,
  p: CascadedPayload,
  ad = AD,
  check = anyCryptoError,
): Promise<void> {
  const before = snapshot(to);
  await assert.rejects(to.cascade.decrypt(p, ad), check);
  assert.equal(snapshot(to), before);
}

function keyLength(p: CascadedPayload): number {
  return p.finalSize - (p.bulk?.bodySize ?? 0);
}

describe('cascade bulk form', () => {
  it('uses the P5.2 form below the threshold and the bulk form from it, both directions', async () => {
    const { a, b } = await sides(true);
    for (const size of [MIN - 1, MIN, MIN + 1, 3 * MIN + 5]) {
      for (const [from, to] of [
        [a, b],
        [b, a],
      ] as const) {
        const pt = patterned(size);
        const p = await from.cascade.encrypt(pt, AD);
        assert.equal(p.bulk !== undefined, size >= MIN);
        if (p.bulk !== undefined) {
          assert.equal(p.bulk.bodySize, size + BULK_TAG_BYTES);
          // Overhead of the bulk form: the key envelope, a few hundred bytes.
          assert.ok(keyLength(p) > 32 && keyLength(p) < 1024, `key envelope ${keyLength(p)} B`);
        }
        assert.deepEqual(await to.cascade.decrypt(p, AD), pt);
      }
    }
  });

  it('bulkThresholdBytes: Infinity keeps the P5.2 form; a value below the profile minimum is refused', async () => {
    const { a, b } = await sides(false);
    const layers = [a.mls, a.mlkem, a.aes];
    const plain = new Cascade(layers, { bulkThresholdBytes: Number.POSITIVE_INFINITY });
    const p = await plain.encrypt(patterned(MIN), AD);
    assert.equal(p.bulk, undefined);
    assert.deepEqual(await b.cascade.decrypt(p, AD), patterned(MIN));
    assert.throws(() => new Cascade(layers, { bulkThresholdBytes: MIN - 1 }), code(CRYPTO_ERROR.malformed));
  });

  it('the body matches the independent Python vector, through a real four-layer cascade', async () => {
    const doc = JSON.parse(
      readFileSync(new URL('../../vectors/bulk-body.json', import.meta.url), 'utf8'),
    ) as {
      cases: {
        sessionId: string;
        messageId: string;
        algorithms: string;
        keyHex: string;
        plaintextBytes: number;
        keyAdHex: string;
        bodyAdHex: string;
        bodyBytes: number;
        bodySha256Hex: string;
        tagHex: string;
      }[];
    };
    assert.ok(Array.isArray(doc.cases) && doc.cases.length > 0, 'bulk-body.json has no cases');
    const { a, b } = await sides(true);
    for (const v of doc.cases) {
      const ad = channelMessageAd(v.sessionId, v.messageId);
      const layerAd = boundAd(ad, v.algorithms);
      assert.equal(toHex(bulkAd(layerAd, BULK_KEY_LABEL)), v.keyAdHex);
      assert.equal(toHex(bulkAd(layerAd, BULK_BODY_LABEL)), v.bodyAdHex);
      const key = fromHex(v.keyHex);
      const pt = patterned(v.plaintextBytes);
      const body = await sealBulkBody(key, pt, fromHex(v.bodyAdHex));
      assert.equal(toHex(sha256(body)), v.bodySha256Hex);
      assert.deepEqual(await openBulkBody(key, body, fromHex(v.bodyAdHex)), pt);
      // The real cascade with that content key produces that body after its key envelope.
      const cascade = new Cascade([a.mls, a.signal!, a.mlkem, a.aes], { random: () => key.slice() });
      const p = await cascade.encrypt(pt, ad);
      assert.equal(p.bulk?.bodySize, v.bodyBytes);
      assert.equal(toHex(sha256(p.finalCiphertext.subarray(keyLength(p)))), v.bodySha256Hex);
      assert.equal(toHex(p.finalCiphertext.subarray(-16)), v.tagHex);
      assert.deepEqual(await b.cascade.decrypt(p, ad), pt);
    }
  });

  it('tampering with the body, the key envelope, the sizes or the AD fails closed with no state change', async () => {
    const { a, b } = await sides(true);
    const pt = patterned(MIN + 100);
    const p = await a.cascade.encrypt(pt, AD);
    const k = keyLength(p);
    // Body: first byte, middle, last byte of the ciphertext, inside the tag. Key envelope: any byte.
    for (const at of [k, k + 1000, p.finalSize - 17, p.finalSize - 1, 0, Math.floor(k / 2), k - 1]) {
      await refusedUnchanged(b, { ...p, finalCiphertext: flipByte(p.finalCiphertext, at) });
    }
    // The boundary moved by one byte in either direction (key envelope and body mis-split).
    for (const d of [-1, 1]) {
      const moved = { ...p, bulk: { algorithm: 'AES-256-GCM', bodySize: p.bulk!.bodySize + d } };
      await refusedUnchanged(b, { ...moved, originalSize: p.originalSize + d });
    }
    // The bulk descriptor stripped (read as P5.2) or its algorithm changed.
    const { bulk: _, ...stripped } = p;
    await refusedUnchanged(b, stripped);
    await refusedUnchanged(b, { ...p, bulk: { algorithm: 'AES-128-GCM', bodySize: p.bulk!.bodySize } });
    // Another message's AD (messageId).
    await refusedUnchanged(b, p, OTHER_AD);
    assert.deepEqual(await b.cascade.decrypt(p, AD), pt);
  });

  it('bodies and key envelopes swapped between two messages are refused', async () => {
    const { a, b } = await sides(true);
    const p1 = await a.cascade.encrypt(patterned(MIN), AD);
    const p2 = await a.cascade.encrypt(patterned(MIN).reverse(), AD);
    const k1 = keyLength(p1);
    const k2 = keyLength(p2);
    // p1's key envelope with p2's body, and the reverse (same sizes, so both shapes are valid).
    const mix = (
      keys: CascadedPayload,
      kLen: number,
      bodies: CascadedPayload,
      bLen: number,
    ): CascadedPayload => {
      const ct = new Uint8Array(kLen + bodies.finalSize - bLen);
      ct.set(keys.finalCiphertext.subarray(0, kLen));
      ct.set(bodies.finalCiphertext.subarray(bLen), kLen);
      return { ...keys, finalCiphertext: ct, finalSize: ct.length };
    };
    await refusedUnchanged(b, mix(p1, k1, p2, k2), AD, code(CRYPTO_ERROR.decryptFailed));
    // p2's body under p1's key fails after p1 would open: p1 still opens afterwards.
    assert.deepEqual(await b.cascade.decrypt(p1, AD), patterned(MIN));
    await refusedUnchanged(b, mix(p2, k2, p1, k1), AD, code(CRYPTO_ERROR.decryptFailed));
    assert.deepEqual(await b.cascade.decrypt(p2, AD), patterned(MIN).reverse());
  });

  it('truncation of the body or of the key envelope is refused', async () => {
    const { a, b } = await sides(true);
    const p = await a.cascade.encrypt(patterned(MIN + 1), AD);
    const cut = (n: number): CascadedPayload => ({
      ...p,
      finalCiphertext: p.finalCiphertext.subarray(0, p.finalSize - n),
      finalSize: p.finalSize - n,
      originalSize: p.originalSize - n,
      bulk: { algorithm: 'AES-256-GCM', bodySize: p.bulk!.bodySize - n },
    });
    await refusedUnchanged(b, cut(1));
    // Sizes left as announced: the shape check refuses before any layer runs.
    await refusedUnchanged(
      b,
      { ...p, finalCiphertext: p.finalCiphertext.subarray(0, p.finalSize - 1) },
      AD,
      code(CRYPTO_ERROR.malformed),
    );
    // Cut so far that the key envelope would be empty or the body below the minimum: malformed.
    await refusedUnchanged(b, cut(2), AD, code(CRYPTO_ERROR.malformed));
    assert.deepEqual(await b.cascade.decrypt(p, AD), patterned(MIN + 1));
  });

  it('a replayed bulk message is refused by the layers, with no state change', async () => {
    const { a, b } = await sides(true);
    const p = await a.cascade.encrypt(patterned(MIN), AD);
    assert.deepEqual(await b.cascade.decrypt(p, AD), patterned(MIN));
    await refusedUnchanged(b, p);
    const next = await a.cascade.encrypt(patterned(10), AD);
    assert.deepEqual(await b.cascade.decrypt(next, AD), patterned(10));
  });

  it('a P5.2 message presented as the key envelope of a bulk message is refused', async () => {
    const { a, b } = await sides(false);
    // A P5.2 message of 31 bytes, presented as the key envelope of a bulk message.
    const small = await a.cascade.encrypt(patterned(31), AD);
    const body = new Uint8Array(MIN + BULK_TAG_BYTES);
    const ct = new Uint8Array(small.finalSize + body.length);
    ct.set(small.finalCiphertext);
    const forged: CascadedPayload = {
      ...small,
      finalCiphertext: ct,
      finalSize: ct.length,
      originalSize: MIN,
      bulk: { algorithm: 'AES-256-GCM', bodySize: body.length },
    };
    // Its layers authenticated another AD (no bulk key label): refused at the outer layer already.
    await refusedUnchanged(b, forged, AD, code(CRYPTO_ERROR.decryptFailed));
    assert.deepEqual(await b.cascade.decrypt(small, AD), patterned(31));
  });

  it('property: plaintexts around and above the threshold round-trip in either direction', async () => {
    const { a, b } = await sides(true);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: MIN - 64, max: MIN + 4 * 1024 }),
        fc.integer({ min: 0, max: 255 }),
        fc.boolean(),
        async (size, seed, reverse) => {
          const pt = new Uint8Array(size).map((_, i) => (i * 13 + seed) & 0xff);
          const [from, to] = reverse ? [b, a] : [a, b];
          const p = await from.cascade.encrypt(pt, utf8(`ad ${seed}`));
          assert.deepEqual(await to.cascade.decrypt(p, utf8(`ad ${seed}`)), pt);
        },
      ),
      { numRuns: 12 },
    );
  });
});
