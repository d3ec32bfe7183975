import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkCount, type MessagePdu, PDU_TYPE, splitMessage } from '../../src/index.js';
import { loadVectors } from './load.js';

interface V7Case {
  payloadBytes: number;
  chunkCount: number;
  chunkSizes: number[];
}

const doc = loadVectors<V7Case>('v7-chunk-count.json');

describe(`${doc.vector}: ${doc.title}`, () => {
  for (const c of doc.cases) {
    it(`${c.payloadBytes} bytes → ${c.chunkCount} chunks`, () => {
      assert.equal(chunkCount(c.payloadBytes), c.chunkCount);
      const ct = new Uint8Array(c.payloadBytes);
      const m: MessagePdu = {
        type: PDU_TYPE.message,
        messageId: 'AAECAwQFBgcICQoLDA0ODw',
        encryptedMessage: {
          encrypted: true,
          cascaded: true,
          cascadedPayload: {
            finalCiphertext: ct,
            layers: [{ algorithm: 'X', version: '1' }],
            layerParameters: [{}],
            originalSize: 0,
            finalSize: ct.length,
          },
        },
      };
      assert.deepEqual(
        splitMessage(m).chunks.map((x) => x.data.length),
        c.chunkSizes,
      );
    });
  }
  it('includes the spec case: 9000 bytes → 2 chunks (8192 + 808)', () => {
    const c = doc.cases.find((x) => x.payloadBytes === 9000);
    assert.deepEqual(c, { payloadBytes: 9000, chunkCount: 2, chunkSizes: [8192, 808] });
  });
});
