/**
 * The single entry point from wire to typed PDU and back. Decoding runs the checks in a fixed
 * order (docs/protocol.md §2.1): size (raw text/bytes, before JSON.parse) → nesting depth and array
 * lengths (raw text) → JSON → object → `type` → `specVersion` → unknown fields → each field.
 * Encoding produces the canonical form: `type`, `specVersion`, then the PDU's fields in its
 * documented order, no whitespace. `encodePdu` validates its own output with `decodePdu`, so this
 * implementation never sends what it would refuse.
 */
import { PDU_ERROR } from '../codes.js';
import { isProtocolError, ProtocolError } from '../errors.js';
import { MAX_PDU_BYTES, SPEC_VERSION } from '../limits.js';
import { type ChunkPdu, chunk } from './chunk.js';
import { FieldReader, ordered } from './fields.js';
import { type HandshakeFinished, handshakeFinished } from './handshake-finished.js';
import {
  type MlkemKeyExchange,
  type MlkemKeyExchangeResponse,
  mlkemKeyExchange,
  mlkemKeyExchangeResponse,
} from './handshake-mlkem.js';
import {
  type MlsCommit,
  type MlsEncryptionSyncRequest,
  type MlsEncryptionSyncResponse,
  type MlsKeyPackage,
  type MlsKeyPackageRequest,
  type MlsWelcome,
  type MlsWelcomeAck,
  mlsCommit,
  mlsEncryptionSyncRequest,
  mlsEncryptionSyncResponse,
  mlsKeyPackage,
  mlsKeyPackageRequest,
  mlsWelcome,
  mlsWelcomeAck,
} from './handshake-mls.js';
import {
  type SignalKeyExchangeRequest,
  type SignalKeyExchangeResponse,
  type SignalSessionComplete,
  signalKeyExchangeRequest,
  signalKeyExchangeResponse,
  signalSessionComplete,
} from './handshake-signal.js';
import { parseJsonObject } from './json.js';
import { type MessagePdu, message } from './message.js';
import { type ProtocolErrorPdu, protocolError } from './protocol-error.js';
import { type RotationTimestampBroadcast, rotationTimestampBroadcast } from './rotation.js';
import {
  HANDSHAKE_PDU_TYPES,
  type HandshakePduType,
  PDU_TYPE,
  type PduCodec,
  type PduType,
} from './types.js';

export type HandshakePdu =
  | MlsKeyPackageRequest
  | MlsKeyPackage
  | MlsEncryptionSyncRequest
  | MlsEncryptionSyncResponse
  | SignalKeyExchangeRequest
  | SignalKeyExchangeResponse
  | SignalSessionComplete
  | MlkemKeyExchange
  | MlkemKeyExchangeResponse
  | MlsCommit
  | MlsWelcome
  | MlsWelcomeAck
  | HandshakeFinished;

/** Every application PDU of the profile, discriminated by `type`. `specVersion` is implicit. */
export type Pdu = HandshakePdu | MessagePdu | ChunkPdu | RotationTimestampBroadcast | ProtocolErrorPdu;

type CodecTable = { [K in PduType]: PduCodec<Extract<Pdu, { type: K }>> };

const CODECS: CodecTable = {
  [PDU_TYPE.mlsKeyPackageRequest]: mlsKeyPackageRequest,
  [PDU_TYPE.mlsKeyPackage]: mlsKeyPackage,
  [PDU_TYPE.mlsEncryptionSyncRequest]: mlsEncryptionSyncRequest,
  [PDU_TYPE.mlsEncryptionSyncResponse]: mlsEncryptionSyncResponse,
  [PDU_TYPE.signalKeyExchangeRequest]: signalKeyExchangeRequest,
  [PDU_TYPE.signalKeyExchangeResponse]: signalKeyExchangeResponse,
  [PDU_TYPE.signalSessionComplete]: signalSessionComplete,
  [PDU_TYPE.mlkemKeyExchange]: mlkemKeyExchange,
  [PDU_TYPE.mlkemKeyExchangeResponse]: mlkemKeyExchangeResponse,
  [PDU_TYPE.mlsCommit]: mlsCommit,
  [PDU_TYPE.mlsWelcome]: mlsWelcome,
  [PDU_TYPE.mlsWelcomeAck]: mlsWelcomeAck,
  [PDU_TYPE.handshakeFinished]: handshakeFinished,
  [PDU_TYPE.message]: message,
  [PDU_TYPE.chunk]: chunk,
  [PDU_TYPE.rotationTimestampBroadcast]: rotationTimestampBroadcast,
  [PDU_TYPE.protocolError]: protocolError,
};

export const PDU_TYPES: readonly PduType[] = Object.freeze(Object.keys(CODECS) as PduType[]);

export function isPduType(value: unknown): value is PduType {
  return typeof value === 'string' && Object.hasOwn(CODECS, value);
}

const handshakeTypes: ReadonlySet<string> = new Set(HANDSHAKE_PDU_TYPES);
export function isHandshakePdu(pdu: Pdu): pdu is HandshakePdu {
  return handshakeTypes.has(pdu.type as HandshakePduType);
}

/** Field order of a PDU type on the wire, including `type` and `specVersion`. */
export function pduFieldOrder(type: PduType): readonly string[] {
  return ['type', 'specVersion', ...CODECS[type].fields];
}

/**
 * Parses one data-channel message (string, or bytes of a binary message) into a typed PDU.
 * Throws ProtocolError with a PDU_* or CHUNK_TOO_MANY code, and nothing else.
 */
export function decodePdu(input: string | Uint8Array, maxBytes: number = MAX_PDU_BYTES): Pdu {
  try {
    const obj = parseJsonObject(input, maxBytes);
    const type = obj.type;
    if (!isPduType(type)) throw new ProtocolError(PDU_ERROR.unknownType, 'unknown PDU type');
    if (!Object.hasOwn(obj, 'specVersion')) {
      throw new ProtocolError(PDU_ERROR.missingSpecVersion, `${type}: specVersion missing`);
    }
    if (obj.specVersion !== SPEC_VERSION) {
      throw new ProtocolError(PDU_ERROR.unsupportedSpecVersion, `${type}: unsupported specVersion`);
    }
    const codec = CODECS[type] as PduCodec<Pdu>;
    return codec.decode(new FieldReader(obj, type, pduFieldOrder(type)));
  } catch (err) {
    if (isProtocolError(err)) throw err;
    // Defence in depth: a validator bug must surface as a rejection, not crash the caller.
    throw new ProtocolError(PDU_ERROR.badField, 'PDU could not be validated');
  }
}

/** Canonical wire object of a PDU (no validation); see encodePdu. */
export function pduToWire(pdu: Pdu): Record<string, unknown> {
  if (!isPduType(pdu?.type)) throw new ProtocolError(PDU_ERROR.unknownType, 'unknown PDU type');
  const codec = CODECS[pdu.type] as PduCodec<Pdu>;
  return ordered(pduFieldOrder(pdu.type), {
    ...codec.toWire(pdu),
    type: pdu.type,
    specVersion: SPEC_VERSION,
  });
}

/**
 * Canonical JSON text of a PDU. Throws ProtocolError when the PDU would not pass decodePdu (wrong
 * lengths, a ciphertext over one chunk that should have been split, …).
 */
export function encodePdu(pdu: Pdu, maxBytes: number = MAX_PDU_BYTES): string {
  let text: string;
  try {
    text = JSON.stringify(pduToWire(pdu));
  } catch (err) {
    if (isProtocolError(err)) throw err;
    throw new ProtocolError(PDU_ERROR.badField, 'PDU could not be encoded');
  }
  decodePdu(text, maxBytes);
  return text;
}
