import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bytesToHex,
  decodeEncryptedMessage,
  decodePdu,
  encodePdu,
  encryptedMessageToWire,
  type MessagePdu,
  SPEC_VERSION,
} from '../../src/index.js';
import { loadVectors } from './load.js';

interface V3Case {
  name: string;
  encryptedMessage: unknown;
  finalCiphertextHex: string;
  canonicalJson: string;
}

const doc = loadVectors<V3Case>('v3-cascaded-payload-shape.json');

describe(`${doc.vector}: ${doc.title}`, () => {
  for (const c of doc.cases) {
    it(`${c.name}: validates as a cascade encryptedMessage (number-array form)`, () => {
      const em = decodeEncryptedMessage(c.encryptedMessage);
      assert.ok(em.cascaded);
      assert.equal(bytesToHex(em.cascadedPayload.finalCiphertext!), c.finalCiphertextHex);
      assert.equal(em.cascadedPayload.layers.length, em.cascadedPayload.layerParameters.length);
    });
    it(`${c.name}: re-encodes to the canonical base64 form`, () => {
      const em = decodeEncryptedMessage(c.encryptedMessage);
      assert.equal(JSON.stringify(encryptedMessageToWire(em)), c.canonicalJson);
    });
    it(`${c.name}: validates inside a message PDU`, () => {
      const text = JSON.stringify({
        type: 'message',
        specVersion: SPEC_VERSION,
        messageId: 'AAECAwQFBgcICQoLDA0ODw',
        encryptedMessage: c.encryptedMessage,
      });
      const pdu = decodePdu(text) as MessagePdu;
      assert.equal(pdu.type, 'message');
      assert.ok(encodePdu(pdu).includes(c.canonicalJson));
    });
  }
});
