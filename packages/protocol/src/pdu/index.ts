// Public surface of the PDU layer: types, the decode/encode entry points and the field orders.
// The per-type codec objects stay internal; everything goes through decodePdu/encodePdu.
export { type ChunkPdu, encodeChunkText } from './chunk.js';
export {
  decodePdu,
  encodePdu,
  type HandshakePdu,
  isHandshakePdu,
  isPduType,
  PDU_TYPES,
  type Pdu,
  pduFieldOrder,
  pduToWire,
} from './codec.js';
export type { HandshakeFinished } from './handshake-finished.js';
export type { MlkemKeyExchange, MlkemKeyExchangeResponse } from './handshake-mlkem.js';
export type {
  MlsCommit,
  MlsEncryptionSyncRequest,
  MlsEncryptionSyncResponse,
  MlsEpochConfirmation,
  MlsKeyPackage,
  MlsKeyPackageRequest,
  MlsWelcome,
  MlsWelcomeAck,
} from './handshake-mls.js';
export type {
  RatchetHeader,
  SignalKeyExchangeRequest,
  SignalKeyExchangeResponse,
  SignalSessionComplete,
} from './handshake-signal.js';
export { checkJsonShape, checkTextSize, parseJsonObject, pduTextToBytes, utf8ByteLength } from './json.js';
export {
  BULK_DESCRIPTOR_FIELDS,
  type BulkDescriptor,
  CASCADED_PAYLOAD_FIELDS,
  type CascadedPayload,
  type CascadeEncryptedMessage,
  decodeEncryptedMessage,
  ENCRYPTED_MESSAGE_FIELDS,
  type EncryptedMessage,
  encryptedMessageToWire,
  LAYER_METADATA_FIELDS,
  type LayerMetadata,
  type LayerParameters,
  type MessagePdu,
  MLS_ENVELOPE_FIELDS,
  type MlsEnvelope,
  type MlsOnlyEncryptedMessage,
} from './message.js';
export { makeProtocolError, type ProtocolErrorPdu } from './protocol-error.js';
export type { RotationTimestampBroadcast } from './rotation.js';
export * from './types.js';
