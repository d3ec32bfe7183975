import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decodePdu,
  encodePdu,
  isProtocolError,
  MAX_PDU_BYTES,
  PDU_ERROR,
  pduTextToBytes,
} from '../../src/index.js';
import { anyPdu, pduArbitraries } from './arbitraries.js';

/** decodePdu may only ever fail with a ProtocolError. */
function decodeOrProtocolError(input: string | Uint8Array): void {
  try {
    decodePdu(input);
  } catch (err) {
    if (!isProtocolError(err)) throw err;
  }
}

describe('PDU codecs: property-based', () => {
  for (const [name, arb] of Object.entries(pduArbitraries)) {
    it(`${name}: decode(encode(pdu)) is the pdu, and encoding is canonical`, () => {
      fc.assert(
        fc.property(arb, (pdu) => {
          const text = encodePdu(pdu);
          const back = decodePdu(text);
          assert.deepEqual(back, pdu);
          assert.equal(encodePdu(back), text);
          assert.deepEqual(decodePdu(pduTextToBytes(text)), pdu);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('arbitrary strings are rejected with a ProtocolError only', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), decodeOrProtocolError), {
      numRuns: 500,
    });
    fc.assert(fc.property(fc.json(), decodeOrProtocolError), { numRuns: 500 });
  });

  it('arbitrary bytes are rejected with a ProtocolError only', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), decodeOrProtocolError), { numRuns: 300 });
  });

  it('valid PDUs with one character changed never crash the decoder', () => {
    fc.assert(
      fc.property(
        anyPdu,
        fc.nat(),
        fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
        (pdu, at, ch) => {
          const text = encodePdu(pdu);
          const i = at % text.length;
          decodeOrProtocolError(text.slice(0, i) + ch + text.slice(i + 1));
          decodeOrProtocolError(text.slice(0, i));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('valid PDUs with a field removed or retyped fail only with a ProtocolError; an added field is refused', () => {
    const junk = fc.oneof(
      fc.constant(null),
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant([]),
      fc.constant({}),
    );
    fc.assert(
      fc.property(anyPdu, fc.nat(), junk, (pdu, at, value) => {
        const obj = JSON.parse(encodePdu(pdu)) as Record<string, unknown>;
        const keys = Object.keys(obj);
        const key = keys[at % keys.length]!;
        const removed = { ...obj };
        delete removed[key];
        decodeOrProtocolError(JSON.stringify(removed));
        decodeOrProtocolError(JSON.stringify({ ...obj, [key]: value }));
        assert.throws(
          () => decodePdu(JSON.stringify({ ...obj, extraField: value })),
          (e: unknown) => isProtocolError(e, PDU_ERROR.unknownField),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('huge inputs are refused by size before parsing', () => {
    const big = `{"type":"message","x":"${'a'.repeat(MAX_PDU_BYTES)}"}`;
    assert.throws(
      () => decodePdu(big),
      (e: unknown) => isProtocolError(e, PDU_ERROR.tooLarge),
    );
    assert.throws(
      () => decodePdu(new Uint8Array(MAX_PDU_BYTES + 1)),
      (e: unknown) => isProtocolError(e, PDU_ERROR.tooLarge),
    );
  });
});
