import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BULK_MIN_PLAINTEXT_BYTES,
  CHUNK_SIZE_BYTES,
  decodeEncryptedMessage,
  decodePdu,
  encodeBase64,
  encodePdu,
  isProtocolError,
  MAX_BULK_KEY_CIPHERTEXT_BYTES,
  type MessagePdu,
  PDU_ERROR,
  SPEC_VERSION,
} from '../../src/index.js';

const code = (c: string) => (e: unknown) => isProtocolError(e, c);
const ID = 'AAECAwQFBgcICQoLDA0ODw';

function payload(over: Record<string, unknown> = {}) {
  return {
    finalCiphertext: encodeBase64(Uint8Array.of(1, 2, 3)),
    layers: [{ algorithm: 'MLS', version: '1' }],
    layerParameters: [{}],
    originalSize: 1,
    finalSize: 3,
    ...over,
  };
}
const cascade = (p: Record<string, unknown> = payload(), extra: Record<string, unknown> = {}) => ({
  encrypted: true,
  cascaded: true,
  cascadedPayload: p,
  ...extra,
});
const msg = (encryptedMessage: unknown) =>
  JSON.stringify({ type: 'message', specVersion: SPEC_VERSION, messageId: ID, encryptedMessage });
const rejectsEm = (em: unknown, c: string) => assert.throws(() => decodePdu(msg(em)), code(c));

describe('message: cascade form', () => {
  it('accepts base64 and the profile number-array form, decoding both to the same bytes', () => {
    const a = decodePdu(msg(cascade())) as MessagePdu;
    const b = decodePdu(msg(cascade(payload({ finalCiphertext: [1, 2, 3] })))) as MessagePdu;
    assert.deepEqual(a, b);
    assert.ok(a.encryptedMessage.cascaded);
    assert.deepEqual(a.encryptedMessage.cascadedPayload.finalCiphertext, Uint8Array.of(1, 2, 3));
    // we emit base64 only
    assert.match(encodePdu(b), /"finalCiphertext":"AQID"/);
  });
  it('refuses number arrays with out-of-range, fractional or non-number values', () => {
    for (const bad of [
      [1, 2, 256],
      [1, 2, -1],
      [1, 2, 1.5],
      [1, 2, '3'],
      [1, 2, null],
    ]) {
      rejectsEm(cascade(payload({ finalCiphertext: bad })), PDU_ERROR.badField);
    }
  });
  it('refuses a number that JSON.parse turns into Infinity', () => {
    const text = msg(cascade(payload({ finalCiphertext: [1, 2, 3] }))).replace('[1,2,3]', '[1,2,1e400]');
    assert.throws(() => decodePdu(text), code(PDU_ERROR.badField));
  });
  it('refuses a huge number array before JSON.parse allocates it', () => {
    const huge = `[${new Array(5_000_000).fill(0).join(',')}]`;
    const text = msg(cascade(payload({ finalCiphertext: 0 }))).replace(
      '"finalCiphertext":0',
      `"finalCiphertext":${huge}`,
    );
    assert.throws(() => decodePdu(text), code(PDU_ERROR.arrayTooLong));
    // and without the text pre-scan, the length is checked before any element
    const arr = new Array(CHUNK_SIZE_BYTES + 1).fill(0);
    assert.throws(
      () => decodeEncryptedMessage(cascade(payload({ finalCiphertext: arr, finalSize: arr.length }))),
      code(PDU_ERROR.badField),
    );
  });
  it('refuses an inline ciphertext over one chunk (it must be chunked)', () => {
    const big = encodeBase64(new Uint8Array(CHUNK_SIZE_BYTES + 1));
    rejectsEm(
      cascade(payload({ finalCiphertext: big, finalSize: CHUNK_SIZE_BYTES + 1 })),
      PDU_ERROR.badField,
    );
  });
  it('refuses fields that disagree', () => {
    rejectsEm(cascade(payload({ finalSize: 4 })), PDU_ERROR.inconsistent);
    rejectsEm(cascade(payload({ layerParameters: [{}, {}] })), PDU_ERROR.inconsistent);
  });
  it('bounds the layer lists and their objects', () => {
    const nine = Array.from({ length: 9 }, () => ({ algorithm: 'X', version: '1' }));
    rejectsEm(cascade(payload({ layers: nine, layerParameters: nine.map(() => ({})) })), PDU_ERROR.badField);
    rejectsEm(cascade(payload({ layers: [], layerParameters: [] })), PDU_ERROR.badField);
    rejectsEm(cascade(payload({ layerParameters: [{ a: { nested: 1 } }] })), PDU_ERROR.badField);
    rejectsEm(cascade(payload({ layerParameters: [{ a: 'x'.repeat(4097) }] })), PDU_ERROR.badField);
    rejectsEm(cascade(payload({ layerParameters: [{ 'not an identifier': 1 }] })), PDU_ERROR.badField);
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i]));
    rejectsEm(cascade(payload({ layerParameters: [many] })), PDU_ERROR.badField);
    rejectsEm(cascade(payload({ layers: [{ algorithm: 'MLS' }] })), PDU_ERROR.badField);
    rejectsEm(
      cascade(payload({ layers: [{ algorithm: 'MLS', version: '1', extra: 1 }] })),
      PDU_ERROR.unknownField,
    );
    rejectsEm(cascade(payload({ layers: [{ algorithm: 'M L S', version: '1' }] })), PDU_ERROR.badField);
  });
  it('accepts __proto__ nowhere', () => {
    const text = msg(cascade()).replace(
      '"layerParameters":[{}]',
      '"layerParameters":[{"__proto__":{"polluted":1}}]',
    );
    assert.throws(() => decodePdu(text), code(PDU_ERROR.badField));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
  it('chunked: no inline ciphertext, more than one chunk; chunked:false means inline', () => {
    const header = payload({ finalSize: CHUNK_SIZE_BYTES + 1 });
    delete (header as Record<string, unknown>).finalCiphertext;
    const ok = decodePdu(msg(cascade(header, { chunked: true }))) as MessagePdu;
    assert.equal(ok.encryptedMessage.cascaded && ok.encryptedMessage.chunked, true);
    rejectsEm(cascade(payload(), { chunked: true }), PDU_ERROR.inconsistent);
    rejectsEm(cascade({ ...header, finalSize: CHUNK_SIZE_BYTES }, { chunked: true }), PDU_ERROR.inconsistent);
    rejectsEm(cascade(header), PDU_ERROR.badField);
    const inline = decodePdu(msg(cascade(payload(), { chunked: false }))) as MessagePdu;
    assert.equal('chunked' in inline.encryptedMessage, false);
    rejectsEm(cascade(payload(), { chunked: 1 }), PDU_ERROR.badField);
  });
});

describe('message: downgrade and form mixing', () => {
  it('refuses a cleartext or unencrypted message', () => {
    rejectsEm({ ...cascade(), encrypted: false }, PDU_ERROR.badField);
    rejectsEm(undefined, PDU_ERROR.badField);
    assert.throws(
      () =>
        decodePdu(
          JSON.stringify({ type: 'message', specVersion: SPEC_VERSION, messageId: ID, message: 'hi' }),
        ),
      code(PDU_ERROR.unknownField),
    );
    rejectsEm({ cascaded: true, cascadedPayload: payload() }, PDU_ERROR.badField);
  });
  it('refuses an envelope in a cascade message and cascade fields in an MLS-only one', () => {
    const envelope = {
      groupId: encodeBase64(Uint8Array.of(1)),
      ciphertext: encodeBase64(Uint8Array.of(2)),
      timestamp: 1,
    };
    rejectsEm({ ...cascade(), envelope }, PDU_ERROR.unknownField);
    decodePdu(msg({ encrypted: true, cascaded: false, envelope }));
    rejectsEm(
      { encrypted: true, cascaded: false, envelope, cascadedPayload: payload() },
      PDU_ERROR.unknownField,
    );
    rejectsEm({ encrypted: true, cascaded: false, envelope, chunked: true }, PDU_ERROR.unknownField);
    rejectsEm({ encrypted: true, cascaded: false }, PDU_ERROR.badField);
    rejectsEm(
      { encrypted: true, cascaded: false, envelope: { ...envelope, ciphertext: '' } },
      PDU_ERROR.badField,
    );
  });
});

describe('message: bulk form (docs/protocol.md §2.6.4)', () => {
  const size = BULK_MIN_PLAINTEXT_BYTES;
  /** A chunked bulk header: key ciphertext of `key` bytes, then the body (plaintext + 16). */
  const bulk = (over: Record<string, unknown> = {}, bulkOver: Record<string, unknown> = {}, key = 300) =>
    cascade(
      payload({
        finalCiphertext: undefined,
        originalSize: size,
        finalSize: key + size + 16,
        bulk: { algorithm: 'AES-256-GCM', bodySize: size + 16, ...bulkOver },
        ...over,
      }),
      { chunked: true },
    );
  it('accepts a consistent bulk header and re-encodes it canonically (bulk last)', () => {
    const m = decodePdu(msg(bulk())) as MessagePdu;
    assert.ok(m.encryptedMessage.cascaded);
    assert.deepEqual(m.encryptedMessage.cascadedPayload.bulk, {
      algorithm: 'AES-256-GCM',
      bodySize: size + 16,
    });
    assert.match(encodePdu(m), /"finalSize":\d+,"bulk":\{"algorithm":"AES-256-GCM","bodySize":\d+\}\}/);
  });
  it('accepts the smallest and largest key ciphertext, inline form included', () => {
    decodePdu(msg(bulk({}, {}, 1)));
    decodePdu(msg(bulk({}, {}, MAX_BULK_KEY_CIPHERTEXT_BYTES)));
  });
  it('refuses another algorithm, unknown fields, a missing or non-integer bodySize', () => {
    rejectsEm(bulk({}, { algorithm: 'AES-128-GCM' }), PDU_ERROR.badField);
    rejectsEm(bulk({}, { nonce: 'AAAA' }), PDU_ERROR.unknownField);
    rejectsEm(bulk({}, { bodySize: undefined }), PDU_ERROR.badField);
    rejectsEm(bulk({}, { bodySize: 1.5 }), PDU_ERROR.badField);
    rejectsEm(bulk({ bulk: 'AES-256-GCM' }), PDU_ERROR.badField);
  });
  it('refuses sizes that do not add up', () => {
    // body is not plaintext + tag
    rejectsEm(bulk({}, { bodySize: size + 15 }), PDU_ERROR.inconsistent);
    rejectsEm(bulk({}, { bodySize: size + 17 }), PDU_ERROR.inconsistent);
    // no room for the key ciphertext, or too much
    rejectsEm(bulk({}, {}, 0), PDU_ERROR.inconsistent);
    rejectsEm(bulk({}, {}, MAX_BULK_KEY_CIPHERTEXT_BYTES + 1), PDU_ERROR.inconsistent);
  });
  it('refuses the bulk form below the minimum size; the P5.2 form stays valid at any size', () => {
    const small = size - 1;
    rejectsEm(
      bulk({ originalSize: small, finalSize: 300 + small + 16 }, { bodySize: small + 16 }),
      PDU_ERROR.inconsistent,
    );
    const big = cascade(
      payload({ finalCiphertext: undefined, originalSize: size * 4, finalSize: size * 4 + 64 }),
      {
        chunked: true,
      },
    );
    decodePdu(msg(big));
  });
});
