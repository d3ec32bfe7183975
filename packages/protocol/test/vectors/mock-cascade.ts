import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bytesToHex,
  decodeEncryptedMessage,
  encryptedMessageToWire,
  hexToBytes,
  mockCascadeDecrypt,
  mockCascadeEncrypt,
} from '../../src/index.js';
import { loadVectors, utf8Hex, type WireCase } from './load.js';

interface MockCase extends WireCase {
  layers: string[];
  plaintextHex: string;
  finalCiphertextHex: string;
}

export function runMockCascadeVectors(file: string, vector: string): void {
  const doc = loadVectors<MockCase>(file);
  describe(`${doc.vector}: ${doc.title}`, () => {
    it('is the expected vector file', () => assert.equal(doc.vector, vector));
    for (const c of doc.cases) {
      it(`${c.name}: mock cascade reproduces finalCiphertext byte for byte`, () => {
        const payload = mockCascadeEncrypt(hexToBytes(c.plaintextHex), c.layers);
        assert.equal(bytesToHex(payload.finalCiphertext!), c.finalCiphertextHex);
      });
      it(`${c.name}: the encryptedMessage encodes canonically to the vector bytes`, () => {
        const payload = mockCascadeEncrypt(hexToBytes(c.plaintextHex), c.layers);
        const text = JSON.stringify(
          encryptedMessageToWire({ encrypted: true, cascaded: true, cascadedPayload: payload }),
        );
        assert.equal(text, c.json);
        assert.equal(utf8Hex(text), c.hex);
      });
      it(`${c.name}: the vector validates and decrypts back to the plaintext`, () => {
        const em = decodeEncryptedMessage(JSON.parse(c.json));
        assert.ok(em.cascaded);
        assert.equal(bytesToHex(mockCascadeDecrypt(em.cascadedPayload)), c.plaintextHex);
      });
    }
  });
}
