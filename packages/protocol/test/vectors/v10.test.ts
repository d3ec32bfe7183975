import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BULK_MIN_PLAINTEXT_BYTES,
  BULK_TAG_BYTES,
  decodePdu,
  isProtocolError,
  MAX_BULK_KEY_CIPHERTEXT_BYTES,
  type MessagePdu,
} from '../../src/index.js';
import { loadVectors, type WireCase } from './load.js';
import { runWireVectors } from './wire.js';

interface V10Case extends WireCase {
  keyCiphertextBytes: number;
  bodyBytes: number;
}

interface V10File {
  limits: { bulkMinPlaintextBytes: number; bulkTagBytes: number; maxBulkKeyCiphertextBytes: number };
  refused: { name: string; code: string; json: string }[];
}

runWireVectors<V10Case>('v10-bulk-envelope.json', 'V10', (c, pdu) => {
  const m = pdu as MessagePdu;
  assert.ok(m.encryptedMessage.cascaded && m.encryptedMessage.chunked);
  if (!m.encryptedMessage.cascaded) return;
  const p = m.encryptedMessage.cascadedPayload;
  assert.equal(p.bulk?.bodySize, c.bodyBytes);
  assert.equal(p.finalSize - c.bodyBytes, c.keyCiphertextBytes);
});

describe('V10: refused bulk headers', () => {
  const doc = loadVectors<V10Case>('v10-bulk-envelope.json') as unknown as V10File;
  it('the vector limits are the profile constants', () => {
    assert.deepEqual(doc.limits, {
      bulkMinPlaintextBytes: BULK_MIN_PLAINTEXT_BYTES,
      bulkTagBytes: BULK_TAG_BYTES,
      maxBulkKeyCiphertextBytes: MAX_BULK_KEY_CIPHERTEXT_BYTES,
    });
  });
  it('has refused cases', () => assert.ok(Array.isArray(doc.refused) && doc.refused.length > 0));
  for (const c of doc.refused) {
    it(`${c.name}: ${c.code}`, () => {
      assert.throws(
        () => decodePdu(c.json),
        (e) => isProtocolError(e, c.code),
      );
    });
  }
});
