/**
 * Signal handshake PDUs (P3.2 steps 5–7, Appendix B): live X3DH in its 3-DH form over the data
 * channel. The initiator sends its identity keys, the responder answers with its identity keys and
 * a signed prekey, and the initiator completes with its ephemeral key and the header of its first
 * Double Ratchet message. Byte fields are padded base64 with exact decoded lengths.
 *
 * Each side's identity is the pair (Ed25519 signing key, X25519 DH key) plus `identityBinding`, the
 * Ed25519 signature that ties the DH key to the signing key (docs/protocol.md §3.5): with it, the
 * Signal PDU alone is enough to verify the identity that X3DH uses.
 */
import { KEY_BYTES, MAX_SIGNAL_INITIAL_CIPHERTEXT_BYTES } from '../limits.js';
import { b64, type FieldReader, ordered } from './fields.js';
import { PDU_TYPE, type PduCodec } from './types.js';

/** Step 5: initiator → responder. */
export interface SignalKeyExchangeRequest {
  type: typeof PDU_TYPE.signalKeyExchangeRequest;
  sessionId: string;
  /** Initiator's long-term Ed25519 public key (32 B): signs `handshake-finished`. */
  identitySigningKey: Uint8Array;
  /** Initiator's long-term X25519 public key IK_A (32 B): the identity term of X3DH. */
  identityDhKey: Uint8Array;
  /** Ed25519 signature (64 B) by `identitySigningKey` over the identity binding label ‖ `identityDhKey`. */
  identityBinding: Uint8Array;
}

/** Step 6: responder → initiator. */
export interface SignalKeyExchangeResponse {
  type: typeof PDU_TYPE.signalKeyExchangeResponse;
  sessionId: string;
  identitySigningKey: Uint8Array;
  identityDhKey: Uint8Array;
  identityBinding: Uint8Array;
  /** Responder's signed prekey SPK_B, X25519 (32 B). */
  signedPreKey: Uint8Array;
  /** Ed25519 signature (64 B) by `identitySigningKey` over the 32 bytes of `signedPreKey`. */
  signedPreKeySignature: Uint8Array;
}

/** Double Ratchet message header (Signal DR spec §3.5: dh, pn, n). */
export interface RatchetHeader {
  /** Sender's current ratchet public key, X25519 (32 B). */
  dh: Uint8Array;
  /** Number of messages in the previous sending chain. */
  pn: number;
  /** Message number in the current sending chain. */
  n: number;
}

/** Step 7: initiator → responder. */
export interface SignalSessionComplete {
  type: typeof PDU_TYPE.signalSessionComplete;
  sessionId: string;
  /** Initiator's X3DH ephemeral key EK_A, X25519 (32 B). */
  ephemeralKey: Uint8Array;
  /** Header of the initiator's first Double Ratchet message. */
  ratchetHeader: RatchetHeader;
  /** Optional first Double Ratchet ciphertext (AD = IK_A ‖ IK_B) that confirms the shared secret. */
  initialCiphertext?: Uint8Array;
}

const ID_KEYS = ['sessionId', 'identitySigningKey', 'identityDhKey', 'identityBinding'] as const;
const HEADER_FIELDS = ['dh', 'pn', 'n'] as const;
const UINT32_MAX = 0xffff_ffff;

export const signalKeyExchangeRequest: PduCodec<SignalKeyExchangeRequest> = {
  fields: ID_KEYS,
  decode: (r) => ({
    type: PDU_TYPE.signalKeyExchangeRequest,
    sessionId: r.id('sessionId'),
    identitySigningKey: r.bytes('identitySigningKey', { exact: KEY_BYTES.ed25519PublicKey }),
    identityDhKey: r.bytes('identityDhKey', { exact: KEY_BYTES.x25519PublicKey }),
    identityBinding: r.bytes('identityBinding', { exact: KEY_BYTES.ed25519Signature }),
  }),
  toWire: (p) => ({
    sessionId: p.sessionId,
    identitySigningKey: b64(p.identitySigningKey, 'identitySigningKey'),
    identityDhKey: b64(p.identityDhKey, 'identityDhKey'),
    identityBinding: b64(p.identityBinding, 'identityBinding'),
  }),
};

export const signalKeyExchangeResponse: PduCodec<SignalKeyExchangeResponse> = {
  fields: [...ID_KEYS, 'signedPreKey', 'signedPreKeySignature'],
  decode: (r) => ({
    type: PDU_TYPE.signalKeyExchangeResponse,
    sessionId: r.id('sessionId'),
    identitySigningKey: r.bytes('identitySigningKey', { exact: KEY_BYTES.ed25519PublicKey }),
    identityDhKey: r.bytes('identityDhKey', { exact: KEY_BYTES.x25519PublicKey }),
    identityBinding: r.bytes('identityBinding', { exact: KEY_BYTES.ed25519Signature }),
    signedPreKey: r.bytes('signedPreKey', { exact: KEY_BYTES.x25519PublicKey }),
    signedPreKeySignature: r.bytes('signedPreKeySignature', { exact: KEY_BYTES.ed25519Signature }),
  }),
  toWire: (p) => ({
    sessionId: p.sessionId,
    identitySigningKey: b64(p.identitySigningKey, 'identitySigningKey'),
    identityDhKey: b64(p.identityDhKey, 'identityDhKey'),
    identityBinding: b64(p.identityBinding, 'identityBinding'),
    signedPreKey: b64(p.signedPreKey, 'signedPreKey'),
    signedPreKeySignature: b64(p.signedPreKeySignature, 'signedPreKeySignature'),
  }),
};

function readHeader(r: FieldReader): RatchetHeader {
  const h = r.child('ratchetHeader', HEADER_FIELDS);
  return {
    dh: h.bytes('dh', { exact: KEY_BYTES.x25519PublicKey }),
    pn: h.uint('pn', UINT32_MAX),
    n: h.uint('n', UINT32_MAX),
  };
}

export const signalSessionComplete: PduCodec<SignalSessionComplete> = {
  fields: ['sessionId', 'ephemeralKey', 'ratchetHeader', 'initialCiphertext'],
  decode: (r) => {
    const pdu: SignalSessionComplete = {
      type: PDU_TYPE.signalSessionComplete,
      sessionId: r.id('sessionId'),
      ephemeralKey: r.bytes('ephemeralKey', { exact: KEY_BYTES.x25519PublicKey }),
      ratchetHeader: readHeader(r),
    };
    if (r.has('initialCiphertext')) {
      pdu.initialCiphertext = r.bytes('initialCiphertext', { max: MAX_SIGNAL_INITIAL_CIPHERTEXT_BYTES });
    }
    return pdu;
  },
  toWire: (p) => ({
    sessionId: p.sessionId,
    ephemeralKey: b64(p.ephemeralKey, 'ephemeralKey'),
    ratchetHeader: ordered(HEADER_FIELDS, {
      dh: b64(p.ratchetHeader?.dh, 'ratchetHeader.dh'),
      pn: p.ratchetHeader.pn,
      n: p.ratchetHeader.n,
    }),
    initialCiphertext:
      p.initialCiphertext === undefined ? undefined : b64(p.initialCiphertext, 'initialCiphertext'),
  }),
};
