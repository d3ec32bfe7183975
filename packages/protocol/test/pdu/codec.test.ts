import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  base64DecodedLength,
  CHUNK_ERROR,
  CHUNK_SIZE_BYTES,
  decodePdu,
  encodeBase64,
  encodePdu,
  FATAL_WIRE_ERROR_CODES,
  HANDSHAKE_PDU_TYPES,
  isHandshakePdu,
  isProtocolError,
  MAX_PDU_BYTES,
  makeProtocolError,
  PDU_ERROR,
  PDU_TYPE,
  PDU_TYPES,
  type Pdu,
  pduFieldOrder,
  SPEC_VERSION,
  WIRE_ERROR_CODES,
} from '../../src/index.js';

const code = (c: string) => (e: unknown) => isProtocolError(e, c);
const ID = 'AAECAwQFBgcICQoLDA0ODw'; // bytes 00..0f
const b = (n: number) => encodeBase64(new Uint8Array(n).fill(7));
const rejects = (obj: unknown, c: string) => assert.throws(() => decodePdu(JSON.stringify(obj)), code(c));
const pdu = (type: string, fields: Record<string, unknown>) => ({
  type,
  specVersion: SPEC_VERSION,
  ...fields,
});

describe('decodePdu: the order of checks', () => {
  it('size comes before JSON', () => {
    assert.throws(() => decodePdu(`{${' '.repeat(MAX_PDU_BYTES)}`), code(PDU_ERROR.tooLarge));
  });
  it('JSON comes before type', () => {
    assert.throws(() => decodePdu('{"type":"message"'), code(PDU_ERROR.malformedJson));
  });
  it('type comes before specVersion', () => {
    rejects({ type: 'nope' }, PDU_ERROR.unknownType);
    rejects({ type: 'nope', specVersion: 'x' }, PDU_ERROR.unknownType);
    rejects({ specVersion: SPEC_VERSION }, PDU_ERROR.unknownType);
    rejects({ type: 7, specVersion: SPEC_VERSION }, PDU_ERROR.unknownType);
    rejects({ type: 'toString', specVersion: SPEC_VERSION }, PDU_ERROR.unknownType);
    rejects({ type: '__proto__', specVersion: SPEC_VERSION }, PDU_ERROR.unknownType);
  });
  it('a missing specVersion and a different one have their own codes, before structure', () => {
    rejects({ type: 'message' }, PDU_ERROR.missingSpecVersion);
    rejects({ type: 'message', specVersion: 'EnkryptedChat-Profile-v1' }, PDU_ERROR.unsupportedSpecVersion);
    rejects({ type: 'message', specVersion: null }, PDU_ERROR.unsupportedSpecVersion);
    rejects({ type: 'message', specVersion: 0 }, PDU_ERROR.unsupportedSpecVersion);
  });
  it('unknown fields are refused, including prototype keys', () => {
    const ok = pdu(PDU_TYPE.rotationTimestampBroadcast, { sessionId: ID, rotationTimestamp: 1 });
    decodePdu(JSON.stringify(ok));
    rejects({ ...ok, extra: 1 }, PDU_ERROR.unknownField);
    assert.throws(
      () => decodePdu(`${JSON.stringify(ok).slice(0, -1)},"__proto__":{"x":1}}`),
      code(PDU_ERROR.unknownField),
    );
    rejects({ ...ok, constructor: 1 }, PDU_ERROR.unknownField);
  });
});

describe('identifiers', () => {
  const make = (sessionId: unknown) =>
    pdu(PDU_TYPE.rotationTimestampBroadcast, { sessionId, rotationTimestamp: 1 });
  it('sessionId is exactly 16 bytes of canonical unpadded base64url', () => {
    decodePdu(JSON.stringify(make(ID)));
    for (const bad of [
      ID.slice(1),
      `${ID}A`,
      `${ID}==`,
      'AAECAwQFBgcICQoLDA0OD+',
      'AAECAwQFBgcICQoLDA0ODx',
      7,
      null,
    ]) {
      rejects(make(bad), PDU_ERROR.badField);
    }
  });
});

describe('handshake PDUs: exact key lengths', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      PDU_TYPE.signalKeyExchangeRequest,
      { sessionId: ID, identitySigningKey: b(32), identityDhKey: b(32), identityBinding: b(64) },
      'identityDhKey',
    ],
    [
      PDU_TYPE.signalKeyExchangeRequest,
      { sessionId: ID, identitySigningKey: b(32), identityDhKey: b(32), identityBinding: b(64) },
      'identityBinding',
    ],
    ...(['signedPreKeySignature', 'identityBinding'] as const).map(
      (keyField): [string, Record<string, unknown>, string] => [
        PDU_TYPE.signalKeyExchangeResponse,
        {
          sessionId: ID,
          identitySigningKey: b(32),
          identityDhKey: b(32),
          identityBinding: b(64),
          signedPreKey: b(32),
          signedPreKeySignature: b(64),
        },
        keyField,
      ],
    ),
    [
      PDU_TYPE.signalSessionComplete,
      { sessionId: ID, ephemeralKey: b(32), ratchetHeader: { dh: b(32), pn: 0, n: 0 } },
      'ephemeralKey',
    ],
    [PDU_TYPE.mlkemKeyExchange, { sessionId: ID, generation: 0, publicKey: b(1184) }, 'publicKey'],
    [PDU_TYPE.mlkemKeyExchangeResponse, { sessionId: ID, generation: 0, ciphertext: b(1088) }, 'ciphertext'],
    [PDU_TYPE.handshakeFinished, { sessionId: ID, transcriptHash: b(32), signature: b(64) }, 'signature'],
    [
      PDU_TYPE.mlsWelcomeAck,
      { sessionId: ID, groupId: b(8), epoch: 1, confirmationMac: b(32) },
      'confirmationMac',
    ],
  ];
  for (const [type, fields, keyField] of cases) {
    it(`${type}.${keyField}: valid, then one byte short, one long, missing, not a string`, () => {
      const ok = pdu(type, fields);
      const decoded = decodePdu(JSON.stringify(ok));
      assert.equal(decoded.type, type);
      assert.ok(isHandshakePdu(decoded));
      const len = base64DecodedLength(fields[keyField] as string);
      rejects({ ...ok, [keyField]: b(len - 1) }, PDU_ERROR.badField);
      rejects({ ...ok, [keyField]: b(len + 1) }, PDU_ERROR.badField);
      const missing: Record<string, unknown> = { ...ok };
      delete missing[keyField];
      rejects(missing, PDU_ERROR.badField);
      rejects({ ...ok, [keyField]: Array.from({ length: len }, () => 7) }, PDU_ERROR.badField);
    });
  }
  it('signal-session-complete: header counters are uint32 and the header has no extra fields', () => {
    const base = { sessionId: ID, ephemeralKey: b(32) };
    rejects(
      pdu(PDU_TYPE.signalSessionComplete, { ...base, ratchetHeader: { dh: b(32), pn: -1, n: 0 } }),
      PDU_ERROR.badField,
    );
    rejects(
      pdu(PDU_TYPE.signalSessionComplete, { ...base, ratchetHeader: { dh: b(32), pn: 0, n: 2 ** 32 } }),
      PDU_ERROR.badField,
    );
    rejects(
      pdu(PDU_TYPE.signalSessionComplete, { ...base, ratchetHeader: { dh: b(32), pn: 0, n: 0, x: 1 } }),
      PDU_ERROR.unknownField,
    );
  });
  it('MLS objects are size-capped and group ids are 1..255 bytes', () => {
    rejects(
      pdu(PDU_TYPE.mlsKeyPackage, { sessionId: ID, cipherSuite: 1, keyPackage: b(32 * 1024 + 1) }),
      PDU_ERROR.badField,
    );
    rejects(
      pdu(PDU_TYPE.mlsKeyPackage, { sessionId: ID, cipherSuite: 0, keyPackage: b(300) }),
      PDU_ERROR.badField,
    );
    rejects(pdu(PDU_TYPE.mlsKeyPackageRequest, { sessionId: ID, cipherSuite: 65536 }), PDU_ERROR.badField);
    rejects(
      pdu(PDU_TYPE.mlsCommit, { sessionId: ID, groupId: b(256), epoch: 0, commit: b(10) }),
      PDU_ERROR.badField,
    );
    rejects(
      pdu(PDU_TYPE.mlsCommit, { sessionId: ID, groupId: '', epoch: 0, commit: b(10) }),
      PDU_ERROR.badField,
    );
    rejects(
      pdu(PDU_TYPE.mlsCommit, { sessionId: ID, groupId: b(4), epoch: 1.5, commit: b(10) }),
      PDU_ERROR.badField,
    );
    rejects(pdu(PDU_TYPE.mlsWelcome, { sessionId: ID, welcome: b(64 * 1024 + 1) }), PDU_ERROR.badField);
  });
  it('lists 13 handshake types: the 12 of P3.2 and handshake-finished', () => {
    assert.equal(HANDSHAKE_PDU_TYPES.length, 13);
    assert.equal(PDU_TYPES.length, 17);
  });
});

describe('__mls_chunk__', () => {
  const full = b(CHUNK_SIZE_BYTES);
  const chunk = (f: Record<string, unknown>) =>
    pdu(PDU_TYPE.chunk, { messageId: ID, chunkIndex: 0, totalChunks: 2, data: full, ...f });
  it('accepts a full non-last chunk and a short last chunk', () => {
    decodePdu(JSON.stringify(chunk({})));
    decodePdu(JSON.stringify(chunk({ chunkIndex: 1, data: b(1) })));
  });
  it('refuses a short non-last chunk, an empty or oversized one, and bad indices', () => {
    rejects(chunk({ data: b(100) }), PDU_ERROR.badField);
    rejects(chunk({ chunkIndex: 1, data: '' }), PDU_ERROR.badField);
    rejects(chunk({ chunkIndex: 1, data: b(CHUNK_SIZE_BYTES + 1) }), PDU_ERROR.badField);
    rejects(chunk({ chunkIndex: 2 }), PDU_ERROR.badField);
    rejects(chunk({ chunkIndex: -1 }), PDU_ERROR.badField);
    rejects(chunk({ totalChunks: 1 }), PDU_ERROR.badField);
  });
  it('refuses a count above MAX_CHUNKS_PER_MESSAGE with its own code', () => {
    rejects(chunk({ totalChunks: 4097 }), CHUNK_ERROR.tooManyChunks);
    rejects(chunk({ totalChunks: 2 ** 53 - 1 }), CHUNK_ERROR.tooManyChunks);
  });
});

describe('protocol-error', () => {
  const err = (f: Record<string, unknown>) =>
    pdu(PDU_TYPE.protocolError, { code: 'HANDSHAKE_TIMEOUT', fatal: true, ...f });
  it('accepts catalogue codes only', () => {
    decodePdu(JSON.stringify(err({})));
    decodePdu(JSON.stringify(err({ code: 'CRYPTO_DECRYPT_FAILED', fatal: false, inReplyTo: ID })));
    rejects(err({ code: 'NOT_A_CODE' }), PDU_ERROR.badField);
    rejects(err({ code: 'CHUNK_NOT_CHUNKABLE' }), PDU_ERROR.badField);
    rejects(err({ fatal: 'yes' }), PDU_ERROR.badField);
  });
  it('makeProtocolError applies the default fatal flag and encodes', () => {
    const f = makeProtocolError('CHANNEL_BINDING_FAILED');
    assert.equal(f.fatal, true);
    const n = makeProtocolError('CHUNK_REASSEMBLY_TIMEOUT', { inReplyTo: ID, message: 'timed out' });
    assert.equal(n.fatal, false);
    assert.deepEqual(decodePdu(encodePdu(n)), n);
    for (const c of FATAL_WIRE_ERROR_CODES) assert.ok(WIRE_ERROR_CODES.includes(c));
  });
  it('keeps the message short and printable', () => {
    decodePdu(JSON.stringify(err({ message: 'x'.repeat(200) })));
    rejects(err({ message: 'x'.repeat(201) }), PDU_ERROR.badField);
    rejects(err({ message: 'line\nbreak' }), PDU_ERROR.badField);
    rejects(err({ message: '\u001b[31m' }), PDU_ERROR.badField);
  });
});

describe('encodePdu', () => {
  it('writes type, specVersion, then the documented field order, without whitespace', () => {
    const text = encodePdu({
      type: PDU_TYPE.handshakeFinished,
      signature: new Uint8Array(64),
      transcriptHash: new Uint8Array(32),
      sessionId: ID,
    });
    assert.deepEqual(Object.keys(JSON.parse(text)), pduFieldOrder(PDU_TYPE.handshakeFinished));
    assert.deepEqual(pduFieldOrder(PDU_TYPE.handshakeFinished), [
      'type',
      'specVersion',
      'sessionId',
      'transcriptHash',
      'signature',
    ]);
    assert.doesNotMatch(text, /\s/);
  });
  it('refuses to encode what decodePdu would refuse, with a ProtocolError', () => {
    const wrongLength = {
      type: PDU_TYPE.handshakeFinished,
      sessionId: ID,
      transcriptHash: new Uint8Array(31),
      signature: new Uint8Array(64),
    };
    assert.throws(() => encodePdu(wrongLength as Pdu), code(PDU_ERROR.badField));
    const notBytes = { ...wrongLength, transcriptHash: 'abc' };
    assert.throws(() => encodePdu(notBytes as unknown as Pdu), code(PDU_ERROR.badField));
    assert.throws(() => encodePdu({ type: 'nope' } as unknown as Pdu), code(PDU_ERROR.unknownType));
    assert.throws(() => encodePdu({ type: PDU_TYPE.message } as unknown as Pdu), isProtocolError);
  });
});
