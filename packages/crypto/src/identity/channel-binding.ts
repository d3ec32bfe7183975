/**
 * Channel binding (beyond the published profile, its "future work"): each peer signs, with its
 * identity key, a hash of the handshake transcript and of both DTLS certificate fingerprints as it
 * read them from the SDP. A broker that substitutes SDP (its own DTLS certificates, a MITM) makes
 * the two sides hash different fingerprints, so the peer's signature fails to verify.
 *
 * transcriptHash = SHA-256(TRANSCRIPT_HASH_LABEL ‖ u32be(pduCount) ‖ (u32be(len) ‖ pdu)* ‖
 *   u32be(len) ‖ initiatorFingerprint ‖ u32be(len) ‖ responderFingerprint)
 * Fingerprints are normalised ("sha-256 AB:CD:…": lowercase algorithm, uppercase hex) and ordered
 * by WebRTC role, not "mine/theirs", so both sides hash the same bytes.
 * signature = Ed25519(TRANSCRIPT_SIGNATURE_LABEL ‖ roleByte ‖ transcriptHash): the role byte stops
 * a peer's signature from being reflected back as if the other side had made it.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, u32be, utf8 } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import { TRANSCRIPT_HASH_LABEL, TRANSCRIPT_SIGNATURE_LABEL } from './domains.js';
import {
  ED25519_SIGNATURE_BYTES,
  type IdentityKeyPair,
  type PublicIdentity,
  verifyEd25519,
} from './identity-keys.js';

export type WebRtcRole = 'initiator' | 'responder';
const ROLE_BYTE: Record<WebRtcRole, number> = { initiator: 0x01, responder: 0x02 };

export const TRANSCRIPT_HASH_BYTES = 32;
/** The P3 handshake has 12 PDU types plus extra MLS rounds; 64 leaves room without being unbounded. */
export const MAX_TRANSCRIPT_PDUS = 64;
/** RFC 8122 fingerprints: hash names up to "sha-512", digests of 16..64 bytes. */
const FINGERPRINT_PATTERN = /^([A-Za-z0-9-]{1,16}) ((?:[0-9A-Fa-f]{2}:){15,63}[0-9A-Fa-f]{2})$/;

export interface TranscriptInput {
  /** The handshake PDUs in an order both sides agree on (the exact bytes sent on the channel). */
  readonly handshakePdus: readonly Uint8Array[];
  /** The initiator's DTLS fingerprint as this side sees it in the SDP, e.g. "sha-256 AB:CD:…". */
  readonly initiatorFingerprint: string;
  readonly responderFingerprint: string;
}

/** Canonical form of an SDP `a=fingerprint` value; throws CRYPTO_MALFORMED on anything else. */
export function normalizeDtlsFingerprint(value: string): string {
  const m = typeof value === 'string' ? FINGERPRINT_PATTERN.exec(value.trim()) : null;
  if (m === null) throw new CryptoError(CRYPTO_ERROR.malformed, 'not an SDP DTLS fingerprint');
  return `${(m[1] as string).toLowerCase()} ${(m[2] as string).toUpperCase()}`;
}

export function transcriptHash(input: TranscriptInput): Uint8Array {
  if (input.handshakePdus.length > MAX_TRANSCRIPT_PDUS)
    throw new CryptoError(CRYPTO_ERROR.malformed, 'too many transcript PDUs');
  const h = sha256.create();
  h.update(TRANSCRIPT_HASH_LABEL);
  h.update(u32be(input.handshakePdus.length));
  for (const pdu of input.handshakePdus) {
    h.update(u32be(pdu.length));
    h.update(pdu);
  }
  for (const fp of [input.initiatorFingerprint, input.responderFingerprint]) {
    const bytes = utf8(normalizeDtlsFingerprint(fp));
    h.update(u32be(bytes.length));
    h.update(bytes);
  }
  return h.digest();
}

function signedMessage(role: WebRtcRole, hash: Uint8Array): Uint8Array {
  if (hash.length !== TRANSCRIPT_HASH_BYTES)
    throw new CryptoError(CRYPTO_ERROR.malformed, 'transcript hash must be 32 bytes');
  return concatBytes(TRANSCRIPT_SIGNATURE_LABEL, Uint8Array.of(ROLE_BYTE[role]), hash);
}

/** Signs the transcript hash as `role` (this side's own WebRTC role). */
export function signTranscript(identity: IdentityKeyPair, role: WebRtcRole, hash: Uint8Array): Uint8Array {
  return ed25519.sign(signedMessage(role, hash), identity.signingSecret);
}

/**
 * Verifies the peer's transcript signature against the hash this side computed itself; `role` is
 * the peer's role. Throws CRYPTO_BAD_SIGNATURE on a mismatch (substituted SDP or transcript).
 */
export function verifyTranscript(
  peer: PublicIdentity,
  role: WebRtcRole,
  hash: Uint8Array,
  signature: Uint8Array,
): void {
  if (
    signature.length !== ED25519_SIGNATURE_BYTES ||
    !verifyEd25519(signature, signedMessage(role, hash), peer.signingKey)
  ) {
    throw new CryptoError(CRYPTO_ERROR.badSignature, 'channel-binding signature does not verify');
  }
}
