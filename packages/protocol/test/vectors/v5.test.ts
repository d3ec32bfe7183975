import assert from 'node:assert/strict';
import { bytesToHex, decodeBase64url, type MessagePdu } from '../../src/index.js';
import type { WireCase } from './load.js';
import { runWireVectors } from './wire.js';

interface V5Case extends WireCase {
  fieldsHex: { messageId: string; groupId: string; ciphertext: string };
}

runWireVectors<V5Case>('v5-mls-only-envelope.json', 'V5', (c, pdu) => {
  const m = pdu as MessagePdu;
  assert.equal(m.encryptedMessage.cascaded, false);
  if (m.encryptedMessage.cascaded) return;
  assert.equal(bytesToHex(decodeBase64url(m.messageId)), c.fieldsHex.messageId);
  assert.equal(bytesToHex(m.encryptedMessage.envelope.groupId), c.fieldsHex.groupId);
  assert.equal(bytesToHex(m.encryptedMessage.envelope.ciphertext), c.fieldsHex.ciphertext);
});
