import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  bytesToHex,
  type ChunkPdu,
  decodePdu,
  encodePdu,
  type MessagePdu,
  PDU_TYPE,
  Reassembler,
  splitMessage,
} from '../../src/index.js';
import { loadVectors, type WireCase } from './load.js';
import { runWireVectors } from './wire.js';

interface V6Case extends WireCase {
  dataHex?: string;
}

const FILE = 'v6-chunk-pdu.json';
runWireVectors<V6Case>(FILE, 'V6', (c, pdu) => {
  if (c.dataHex !== undefined) assert.equal(bytesToHex((pdu as ChunkPdu).data), c.dataHex);
});

it('V6: splitting the 9000-byte V7 payload reproduces the vector header and last chunk', () => {
  const cases = loadVectors<V6Case>(FILE).cases;
  const header = decodePdu(cases.find((c) => c.name.includes('header'))!.json) as MessagePdu;
  const last = decodePdu(cases.find((c) => c.dataHex !== undefined)!.json) as ChunkPdu;
  const payload = Uint8Array.from({ length: 9000 }, (_, i) => i % 251);
  assert.ok(header.encryptedMessage.cascaded);
  const inline: MessagePdu = {
    ...header,
    encryptedMessage: {
      encrypted: true,
      cascaded: true,
      cascadedPayload: { ...header.encryptedMessage.cascadedPayload, finalCiphertext: payload },
    },
  };
  const split = splitMessage(inline);
  assert.equal(encodePdu(split.header), encodePdu(header));
  assert.equal(encodePdu(split.chunks[1]!), encodePdu(last));
  const r = new Reassembler();
  r.push(last);
  r.push(header);
  const done = r.push(split.chunks[0]!);
  assert.equal(done.status, 'complete');
  assert.equal(done.status === 'complete' && done.message.type, PDU_TYPE.message);
});
