/**
 * fast-check generators of valid PDUs, one per type, plus `samplePdus()`: one fixed instance of each
 * type with patterned bytes, used by the codec tests.
 */
import fc from 'fast-check';
import {
  BULK_ALGORITHM,
  BULK_MIN_PLAINTEXT_BYTES,
  BULK_TAG_BYTES,
  CHUNK_SIZE_BYTES,
  encodeBase64url,
  KEY_BYTES,
  MAX_BULK_KEY_CIPHERTEXT_BYTES,
  MAX_CHUNKS_PER_MESSAGE,
  PDU_TYPE,
  type Pdu,
  WIRE_ERROR_CODES,
  type WireErrorCode,
} from '../../src/index.js';

export const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const boundedBytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
export const id = () => bytes(KEY_BYTES.id).map(encodeBase64url);
const u32 = () => fc.integer({ min: 0, max: 0xffff_ffff });
const uint = () => fc.maxSafeNat();
const groupId = () => boundedBytes(1, 255);
const ident = () => fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,15}$/);
const scalar = () =>
  fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (v === 0 ? 0 : v)),
  );
// (-0 is written as 0 by JSON.stringify, so the decoder normalises it; generate +0 only.)
const scalarRecord = () => fc.dictionary(ident(), scalar(), { maxKeys: 6 });
const name = () => fc.stringMatching(/^[\x21-\x7e]{1,20}$/);

const confirmation = <T extends string>(type: T) =>
  fc.record({
    type: fc.constant(type),
    sessionId: id(),
    groupId: groupId(),
    epoch: uint(),
    confirmationMac: bytes(32),
  });

const layerMetadata = fc.record(
  {
    algorithm: name(),
    version: name(),
    timestamp: uint(),
    inputSize: fc.nat({ max: 1 << 24 }),
    outputSize: fc.nat({ max: 1 << 24 }),
    processingTime: fc.double({ min: 0, max: 1e6, noNaN: true }),
    metadata: scalarRecord(),
  },
  { requiredKeys: ['algorithm', 'version'] },
);

const cascadeMessage = fc
  .tuple(
    id(),
    boundedBytes(1, 600),
    fc.array(fc.tuple(layerMetadata, scalarRecord()), { minLength: 1, maxLength: 8 }),
    fc.nat({ max: 1 << 24 }),
    fc.option(uint(), { nil: undefined }),
    fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: undefined }),
  )
  .map(([messageId, ct, layers, originalSize, timestamp, total]) => {
    const payload: Record<string, unknown> = {
      finalCiphertext: ct,
      layers: layers.map((l) => l[0]),
      layerParameters: layers.map((l) => l[1]),
      originalSize,
      finalSize: ct.length,
    };
    if (timestamp !== undefined) payload.timestamp = timestamp;
    if (total !== undefined) payload.totalProcessingTime = total;
    return {
      type: PDU_TYPE.message,
      messageId,
      encryptedMessage: { encrypted: true, cascaded: true, cascadedPayload: payload },
    } as unknown as Pdu;
  });

/** The header `message` of a chunked cascade message with one AES layer and these sizes. */
function chunkedMessage(
  messageId: string,
  params: Record<string, unknown>,
  sizes: Record<string, unknown>,
): Pdu {
  return {
    type: PDU_TYPE.message,
    messageId,
    encryptedMessage: {
      encrypted: true,
      cascaded: true,
      chunked: true,
      cascadedPayload: {
        layers: [{ algorithm: 'AES-GCM-256', version: '1' }],
        layerParameters: [params],
        ...sizes,
      },
    },
  } as Pdu;
}

const chunkedHeader = fc
  .tuple(id(), fc.integer({ min: CHUNK_SIZE_BYTES + 1, max: 1 << 24 }), scalarRecord())
  .map(([messageId, finalSize, params]) =>
    chunkedMessage(messageId, params, { originalSize: finalSize - 28, finalSize }),
  );

/** A chunked bulk-form header: content key ciphertext of 1..MAX bytes, body = plaintext + tag. */
const bulkHeader = fc
  .tuple(
    id(),
    fc.integer({ min: BULK_MIN_PLAINTEXT_BYTES, max: (1 << 24) - 2 * MAX_BULK_KEY_CIPHERTEXT_BYTES }),
    fc.integer({ min: 1, max: MAX_BULK_KEY_CIPHERTEXT_BYTES }),
    scalarRecord(),
  )
  .map(([messageId, originalSize, keyCiphertext, params]) =>
    chunkedMessage(messageId, params, {
      originalSize,
      finalSize: keyCiphertext + originalSize + BULK_TAG_BYTES,
      bulk: { algorithm: BULK_ALGORITHM, bodySize: originalSize + BULK_TAG_BYTES },
    }),
  );

const mlsOnly = fc.record({
  type: fc.constant(PDU_TYPE.message),
  messageId: id(),
  encryptedMessage: fc.record({
    encrypted: fc.constant(true as const),
    cascaded: fc.constant(false as const),
    envelope: fc.record({ groupId: groupId(), ciphertext: boundedBytes(1, 500), timestamp: uint() }),
  }),
});

const chunk = fc
  .tuple(
    id(),
    fc.integer({ min: 2, max: MAX_CHUNKS_PER_MESSAGE }),
    fc.nat(),
    boundedBytes(1, CHUNK_SIZE_BYTES),
  )
  .map(([messageId, totalChunks, i, data]) => {
    const chunkIndex = i % totalChunks;
    const last = chunkIndex === totalChunks - 1;
    const sized = last ? data : new Uint8Array(CHUNK_SIZE_BYTES).fill(data[0] ?? 0);
    return { type: PDU_TYPE.chunk, messageId, chunkIndex, totalChunks, data: sized } as Pdu;
  });

/** One arbitrary per PDU type (message has three forms). */
const rawArbitraries: Record<string, fc.Arbitrary<Pdu>> = {
  [PDU_TYPE.mlsKeyPackageRequest]: fc.record({
    type: fc.constant(PDU_TYPE.mlsKeyPackageRequest),
    sessionId: id(),
    cipherSuite: fc.integer({ min: 1, max: 0xffff }),
  }),
  [PDU_TYPE.mlsKeyPackage]: fc.record({
    type: fc.constant(PDU_TYPE.mlsKeyPackage),
    sessionId: id(),
    cipherSuite: fc.integer({ min: 1, max: 0xffff }),
    keyPackage: boundedBytes(1, 3000),
  }),
  [PDU_TYPE.mlsEncryptionSyncRequest]: confirmation(PDU_TYPE.mlsEncryptionSyncRequest),
  [PDU_TYPE.mlsEncryptionSyncResponse]: confirmation(PDU_TYPE.mlsEncryptionSyncResponse),
  [PDU_TYPE.mlsWelcomeAck]: confirmation(PDU_TYPE.mlsWelcomeAck),
  [PDU_TYPE.signalKeyExchangeRequest]: fc.record({
    type: fc.constant(PDU_TYPE.signalKeyExchangeRequest),
    sessionId: id(),
    identitySigningKey: bytes(32),
    identityDhKey: bytes(32),
    identityBinding: bytes(64),
  }),
  [PDU_TYPE.signalKeyExchangeResponse]: fc.record({
    type: fc.constant(PDU_TYPE.signalKeyExchangeResponse),
    sessionId: id(),
    identitySigningKey: bytes(32),
    identityDhKey: bytes(32),
    identityBinding: bytes(64),
    signedPreKey: bytes(32),
    signedPreKeySignature: bytes(64),
  }),
  [PDU_TYPE.signalSessionComplete]: fc.record(
    {
      type: fc.constant(PDU_TYPE.signalSessionComplete),
      sessionId: id(),
      ephemeralKey: bytes(32),
      ratchetHeader: fc.record({ dh: bytes(32), pn: u32(), n: u32() }),
      initialCiphertext: boundedBytes(1, 4096),
    },
    { requiredKeys: ['type', 'sessionId', 'ephemeralKey', 'ratchetHeader'] },
  ),
  [PDU_TYPE.mlkemKeyExchange]: fc.record({
    type: fc.constant(PDU_TYPE.mlkemKeyExchange),
    sessionId: id(),
    generation: u32(),
    publicKey: bytes(1184),
  }),
  [PDU_TYPE.mlkemKeyExchangeResponse]: fc.record({
    type: fc.constant(PDU_TYPE.mlkemKeyExchangeResponse),
    sessionId: id(),
    generation: u32(),
    ciphertext: bytes(1088),
  }),
  [PDU_TYPE.mlsCommit]: fc.record({
    type: fc.constant(PDU_TYPE.mlsCommit),
    sessionId: id(),
    groupId: groupId(),
    epoch: uint(),
    commit: boundedBytes(1, 2000),
  }),
  [PDU_TYPE.mlsWelcome]: fc.record(
    {
      type: fc.constant(PDU_TYPE.mlsWelcome),
      sessionId: id(),
      welcome: boundedBytes(1, 2000),
      ratchetTree: boundedBytes(1, 2000),
    },
    { requiredKeys: ['type', 'sessionId', 'welcome'] },
  ),
  [PDU_TYPE.handshakeFinished]: fc.record({
    type: fc.constant(PDU_TYPE.handshakeFinished),
    sessionId: id(),
    transcriptHash: bytes(32),
    signature: bytes(64),
  }),
  'message/cascade': cascadeMessage,
  'message/chunked': chunkedHeader,
  'message/bulk': bulkHeader,
  'message/mls-only': mlsOnly as fc.Arbitrary<Pdu>,
  [PDU_TYPE.chunk]: chunk,
  [PDU_TYPE.rotationTimestampBroadcast]: fc.record({
    type: fc.constant(PDU_TYPE.rotationTimestampBroadcast),
    sessionId: id(),
    rotationTimestamp: uint(),
  }),
  [PDU_TYPE.protocolError]: fc.record(
    {
      type: fc.constant(PDU_TYPE.protocolError),
      code: fc.constantFrom(...(WIRE_ERROR_CODES as WireErrorCode[])),
      fatal: fc.boolean(),
      inReplyTo: id(),
      message: fc.stringMatching(/^[\x20-\x7e]{0,200}$/),
    },
    { requiredKeys: ['type', 'code', 'fatal'] },
  ),
} as Record<string, fc.Arbitrary<Pdu>>;

// fast-check builds records with a null prototype; decoded PDUs are plain objects.
export const pduArbitraries: Record<string, fc.Arbitrary<Pdu>> = Object.fromEntries(
  Object.entries(rawArbitraries).map(([k, a]) => [k, a.map((v) => structuredClone(v))]),
);

export const anyPdu: fc.Arbitrary<Pdu> = fc.oneof(...Object.values(pduArbitraries));

/** Deterministic byte pattern: byte i = (seed + i) mod 256. */
export function pattern(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (seed + i) & 0xff;
  return out;
}
