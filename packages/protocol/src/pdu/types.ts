/**
 * PDU type names (the `type` discriminator, spec P3.2 and P4) and the shape every PDU codec has.
 */
import type { FieldReader } from './fields.js';

export const PDU_TYPE = {
  mlsKeyPackageRequest: 'mls-key-package-request',
  mlsKeyPackage: 'mls-key-package',
  mlsEncryptionSyncRequest: 'mls-encryption-sync-request',
  mlsEncryptionSyncResponse: 'mls-encryption-sync-response',
  signalKeyExchangeRequest: 'signal-key-exchange-request',
  signalKeyExchangeResponse: 'signal-key-exchange-response',
  signalSessionComplete: 'signal-session-complete',
  mlkemKeyExchange: 'mlkem-key-exchange',
  mlkemKeyExchangeResponse: 'mlkem-key-exchange-response',
  mlsCommit: 'mls-commit',
  mlsWelcome: 'mls-welcome',
  mlsWelcomeAck: 'mls-welcome-ack',
  /** [Enkrypted] channel binding, the spec's future work (P2.4 item 3). */
  handshakeFinished: 'handshake-finished',
  message: 'message',
  chunk: '__mls_chunk__',
  rotationTimestampBroadcast: 'rotation-timestamp-broadcast',
  protocolError: 'protocol-error',
} as const;

export type PduType = (typeof PDU_TYPE)[keyof typeof PDU_TYPE];

/** The handshake PDUs (P3.2 plus `handshake-finished`), processed before Ready (P6.4). */
export const HANDSHAKE_PDU_TYPES = [
  PDU_TYPE.mlsKeyPackageRequest,
  PDU_TYPE.mlsKeyPackage,
  PDU_TYPE.mlsEncryptionSyncRequest,
  PDU_TYPE.mlsEncryptionSyncResponse,
  PDU_TYPE.signalKeyExchangeRequest,
  PDU_TYPE.signalKeyExchangeResponse,
  PDU_TYPE.signalSessionComplete,
  PDU_TYPE.mlkemKeyExchange,
  PDU_TYPE.mlkemKeyExchangeResponse,
  PDU_TYPE.mlsCommit,
  PDU_TYPE.mlsWelcome,
  PDU_TYPE.mlsWelcomeAck,
  PDU_TYPE.handshakeFinished,
] as const;

export type HandshakePduType = (typeof HANDSHAKE_PDU_TYPES)[number];

/**
 * Validator and canonical encoder of one PDU type, side by side. `fields` is the wire order of the
 * fields after `type` and `specVersion`, and also the complete list of fields allowed.
 */
export interface PduCodec<T> {
  readonly fields: readonly string[];
  /** Reads and checks every field; the reader already refused unknown keys. */
  decode(r: FieldReader): T;
  /** Wire values (bytes as base64 strings) keyed by field name; the caller orders them. */
  toWire(pdu: T): Record<string, unknown>;
}
