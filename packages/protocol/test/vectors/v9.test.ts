import assert from 'node:assert/strict';
import { isWireErrorCode, type ProtocolErrorPdu } from '../../src/index.js';
import type { WireCase } from './load.js';
import { runWireVectors } from './wire.js';

runWireVectors<WireCase>('v9-protocol-error.json', 'V9', (_c, pdu) => {
  assert.ok(isWireErrorCode((pdu as ProtocolErrorPdu).code));
});
