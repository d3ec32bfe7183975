/**
 * MLS handshake PDUs (P3.2 steps 1–4, 10, 11; RFC 9420). The two peers build a two-member group:
 * one side asks for the other's KeyPackage, adds it with a Commit and sends the Welcome; both then
 * confirm they reached the same epoch with a MAC derived from the group's exporter secret. MLS
 * objects travel as their TLS presentation-language encoding (RFC 9420 §6, `MLSMessage`) in base64.
 */
import {
  KEY_BYTES,
  MAX_MLS_GROUP_ID_BYTES,
  MAX_MLS_HANDSHAKE_OBJECT_BYTES,
  MAX_MLS_KEY_PACKAGE_BYTES,
} from '../limits.js';
import { b64, type FieldReader } from './fields.js';
import { PDU_TYPE, type PduCodec } from './types.js';

/** MLS cipher suite ids are uint16 (RFC 9420 §17.1). */
const UINT16_MAX = 0xffff;

/** Step 1: ask the peer for a KeyPackage of the named cipher suite. */
export interface MlsKeyPackageRequest {
  type: typeof PDU_TYPE.mlsKeyPackageRequest;
  sessionId: string;
  cipherSuite: number;
}

/** Step 2: the requested KeyPackage (an `MLSMessage` with wire_format mls_key_package). */
export interface MlsKeyPackage {
  type: typeof PDU_TYPE.mlsKeyPackage;
  sessionId: string;
  cipherSuite: number;
  keyPackage: Uint8Array;
}

/** Fields shared by the state-confirmation PDUs (sync request/response, welcome-ack). */
export interface MlsEpochConfirmation {
  sessionId: string;
  /** MLS group id (1–255 bytes). */
  groupId: Uint8Array;
  /** The epoch the sender is in (uint64 on the MLS wire; a safe integer here). */
  epoch: number;
  /** 32-byte MAC binding groupId and epoch to the group's exporter secret (crypto work defines it). */
  confirmationMac: Uint8Array;
}

/** Step 3. */
export interface MlsEncryptionSyncRequest extends MlsEpochConfirmation {
  type: typeof PDU_TYPE.mlsEncryptionSyncRequest;
}
/** Step 4. */
export interface MlsEncryptionSyncResponse extends MlsEpochConfirmation {
  type: typeof PDU_TYPE.mlsEncryptionSyncResponse;
}
/** Step 11. */
export interface MlsWelcomeAck extends MlsEpochConfirmation {
  type: typeof PDU_TYPE.mlsWelcomeAck;
}

/** Step 10: a Commit (an `MLSMessage` with a PublicMessage or PrivateMessage commit). */
export interface MlsCommit {
  type: typeof PDU_TYPE.mlsCommit;
  sessionId: string;
  groupId: Uint8Array;
  /** Epoch in which the commit was created; the receiver moves to epoch + 1. */
  epoch: number;
  commit: Uint8Array;
}

/** Step 10: a Welcome (an `MLSMessage` with wire_format mls_welcome). */
export interface MlsWelcome {
  type: typeof PDU_TYPE.mlsWelcome;
  sessionId: string;
  welcome: Uint8Array;
  /** The group's ratchet tree (RFC 9420 §12.4.3.3) when the Welcome does not carry it. */
  ratchetTree?: Uint8Array;
}

const groupIdBounds = { min: 1, max: MAX_MLS_GROUP_ID_BYTES };
const objectBounds = { max: MAX_MLS_HANDSHAKE_OBJECT_BYTES };
const CONFIRMATION_FIELDS = ['sessionId', 'groupId', 'epoch', 'confirmationMac'] as const;

function readConfirmation(r: FieldReader): MlsEpochConfirmation {
  return {
    sessionId: r.id('sessionId'),
    groupId: r.bytes('groupId', groupIdBounds),
    epoch: r.uint('epoch'),
    confirmationMac: r.bytes('confirmationMac', { exact: KEY_BYTES.mac }),
  };
}

function confirmationToWire(p: MlsEpochConfirmation): Record<string, unknown> {
  return {
    sessionId: p.sessionId,
    groupId: b64(p.groupId, 'groupId'),
    epoch: p.epoch,
    confirmationMac: b64(p.confirmationMac, 'confirmationMac'),
  };
}

function confirmationCodec<T extends MlsEpochConfirmation & { type: string }>(type: T['type']): PduCodec<T> {
  return {
    fields: CONFIRMATION_FIELDS,
    decode: (r) => ({ type, ...readConfirmation(r) }) as T,
    toWire: confirmationToWire,
  };
}

export const mlsKeyPackageRequest: PduCodec<MlsKeyPackageRequest> = {
  fields: ['sessionId', 'cipherSuite'],
  decode: (r) => ({
    type: PDU_TYPE.mlsKeyPackageRequest,
    sessionId: r.id('sessionId'),
    cipherSuite: r.uint('cipherSuite', UINT16_MAX, 1),
  }),
  toWire: (p) => ({ sessionId: p.sessionId, cipherSuite: p.cipherSuite }),
};

export const mlsKeyPackage: PduCodec<MlsKeyPackage> = {
  fields: ['sessionId', 'cipherSuite', 'keyPackage'],
  decode: (r) => ({
    type: PDU_TYPE.mlsKeyPackage,
    sessionId: r.id('sessionId'),
    cipherSuite: r.uint('cipherSuite', UINT16_MAX, 1),
    keyPackage: r.bytes('keyPackage', { max: MAX_MLS_KEY_PACKAGE_BYTES }),
  }),
  toWire: (p) => ({
    sessionId: p.sessionId,
    cipherSuite: p.cipherSuite,
    keyPackage: b64(p.keyPackage, 'keyPackage'),
  }),
};

export const mlsEncryptionSyncRequest = confirmationCodec<MlsEncryptionSyncRequest>(
  PDU_TYPE.mlsEncryptionSyncRequest,
);
export const mlsEncryptionSyncResponse = confirmationCodec<MlsEncryptionSyncResponse>(
  PDU_TYPE.mlsEncryptionSyncResponse,
);
export const mlsWelcomeAck = confirmationCodec<MlsWelcomeAck>(PDU_TYPE.mlsWelcomeAck);

export const mlsCommit: PduCodec<MlsCommit> = {
  fields: ['sessionId', 'groupId', 'epoch', 'commit'],
  decode: (r) => ({
    type: PDU_TYPE.mlsCommit,
    sessionId: r.id('sessionId'),
    groupId: r.bytes('groupId', groupIdBounds),
    epoch: r.uint('epoch'),
    commit: r.bytes('commit', objectBounds),
  }),
  toWire: (p) => ({
    sessionId: p.sessionId,
    groupId: b64(p.groupId, 'groupId'),
    epoch: p.epoch,
    commit: b64(p.commit, 'commit'),
  }),
};

export const mlsWelcome: PduCodec<MlsWelcome> = {
  fields: ['sessionId', 'welcome', 'ratchetTree'],
  decode: (r) => {
    const pdu: MlsWelcome = {
      type: PDU_TYPE.mlsWelcome,
      sessionId: r.id('sessionId'),
      welcome: r.bytes('welcome', objectBounds),
    };
    if (r.has('ratchetTree')) pdu.ratchetTree = r.bytes('ratchetTree', objectBounds);
    return pdu;
  },
  toWire: (p) => ({
    sessionId: p.sessionId,
    welcome: b64(p.welcome, 'welcome'),
    ratchetTree: p.ratchetTree === undefined ? undefined : b64(p.ratchetTree, 'ratchetTree'),
  }),
};
