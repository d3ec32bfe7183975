/**
 * [Enkrypted] `handshake-finished`: channel binding, the spec's future work (P2.4 item 3, P2.8,
 * ch. 9.4.1). Each side sends one after its last handshake PDU: an Ed25519 signature, by its
 * identity signing key, over a transcript hash that covers every handshake PDU of the session and
 * both DTLS fingerprints as that side saw them in the SDP. A broker that substituted SDP (and so
 * sits between two DTLS sessions) makes the fingerprints, hence the hashes, differ: the signature
 * fails and the session ends with CHANNEL_BINDING_FAILED. The hash construction is specified with
 * the handshake (docs/protocol.md §3).
 */
import { KEY_BYTES } from '../limits.js';
import { b64 } from './fields.js';
import { PDU_TYPE, type PduCodec } from './types.js';

export interface HandshakeFinished {
  type: typeof PDU_TYPE.handshakeFinished;
  sessionId: string;
  /** SHA-256 transcript hash (32 B) the sender signed; lets the receiver tell a mismatch from a bad key. */
  transcriptHash: Uint8Array;
  /** Ed25519 signature (64 B) over the transcript hash. */
  signature: Uint8Array;
}

export const handshakeFinished: PduCodec<HandshakeFinished> = {
  fields: ['sessionId', 'transcriptHash', 'signature'],
  decode: (r) => ({
    type: PDU_TYPE.handshakeFinished,
    sessionId: r.id('sessionId'),
    transcriptHash: r.bytes('transcriptHash', { exact: KEY_BYTES.transcriptHash }),
    signature: r.bytes('signature', { exact: KEY_BYTES.ed25519Signature }),
  }),
  toWire: (p) => ({
    sessionId: p.sessionId,
    transcriptHash: b64(p.transcriptHash, 'transcriptHash'),
    signature: b64(p.signature, 'signature'),
  }),
};
