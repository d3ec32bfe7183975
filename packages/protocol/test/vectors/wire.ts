import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodePdu, encodePdu } from '../../src/index.js';
import { loadVectors, utf8Hex, type WireCase } from './load.js';

/**
 * The common check of every wire vector: the hex is the UTF-8 of the JSON text, the text decodes,
 * and encoding the decoded PDU gives back exactly that text. `extra` checks decoded values.
 */
export function runWireVectors<T extends WireCase>(
  file: string,
  vector: string,
  extra?: (c: T, pdu: ReturnType<typeof decodePdu>) => void,
): void {
  const doc = loadVectors<T>(file);
  describe(`${doc.vector}: ${doc.title}`, () => {
    it('is the expected vector file', () => assert.equal(doc.vector, vector));
    for (const c of doc.cases) {
      it(`${c.name}: hex is the UTF-8 of the canonical text`, () => assert.equal(utf8Hex(c.json), c.hex));
      it(`${c.name}: decodes, and re-encodes byte for byte`, () => {
        const pdu = decodePdu(c.json);
        assert.equal(encodePdu(pdu), c.json);
        extra?.(c, pdu);
      });
    }
  });
}
