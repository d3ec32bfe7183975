import assert from 'node:assert/strict';
import { bytesToHex, decodeBase64url } from '../../src/index.js';
import type { WireCase } from './load.js';
import { runWireVectors } from './wire.js';

interface V4Case extends WireCase {
  fieldsHex: Record<string, string>;
}

runWireVectors<V4Case>('v4-handshake-pair.json', 'V4', (c, pdu) => {
  const fields = pdu as unknown as Record<string, unknown>;
  for (const [name, hex] of Object.entries(c.fieldsHex)) {
    const v = fields[name];
    const bytes = typeof v === 'string' ? decodeBase64url(v) : (v as Uint8Array);
    assert.equal(bytesToHex(bytes), hex, name);
  }
});
