/**
 * OFFER / ANSWER / CANDIDATE payloads of PeerJS data connections (peerjs-protocol.md §3.6), built
 * and validated here. Incoming payloads come from other peers through a semi-trusted broker (P2.8):
 * anything malformed is dropped by the caller, never thrown into application code.
 */
export type Serialization = 'raw' | 'json' | 'binary' | 'binary-utf8' | 'MsgPack' | 'default';

/** Serializations this library can speak. MsgPack and 'binary-utf8' are not implemented. */
export const SUPPORTED_SERIALIZATIONS = ['binary', 'raw', 'json'] as const;
export type SupportedSerialization = (typeof SUPPORTED_SERIALIZATIONS)[number];

export interface OfferPayload {
  sdp: RTCSessionDescriptionInit;
  type: 'data';
  connectionId: string;
  label: string;
  reliable: boolean;
  serialization: string;
  metadata?: unknown;
  /**
   * [Enkrypted] extension: this OFFER replaces the transport of an existing connection with the same
   * connectionId (recovery after ICE failure). Stock peers ignore unknown fields and treat it as a new
   * connection replacing the old one, which is their documented behaviour for a repeated id.
   */
  iceRestart?: boolean;
}

export interface AnswerPayload {
  sdp: RTCSessionDescriptionInit;
  type: 'data';
  connectionId: string;
}

export interface CandidatePayload {
  candidate: RTCIceCandidateInit;
  type: 'data';
  connectionId: string;
}

/** Connection ids are `dc_` plus a random token; bounded so a map key cannot grow without limit. */
const CONNECTION_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_SDP_LENGTH = 64 * 1024;
const MAX_LABEL_LENGTH = 256;
const MAX_CANDIDATE_LENGTH = 1024;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isValidConnectionId(v: unknown): v is string {
  return typeof v === 'string' && CONNECTION_ID_PATTERN.test(v);
}

function parseSdp(v: unknown, type: 'offer' | 'answer'): RTCSessionDescriptionInit | undefined {
  if (!isObject(v) || v.type !== type || typeof v.sdp !== 'string' || v.sdp.length > MAX_SDP_LENGTH) {
    return undefined;
  }
  return { type, sdp: v.sdp };
}

export function parseOffer(v: unknown): OfferPayload | undefined {
  if (!isObject(v) || v.type !== 'data' || !isValidConnectionId(v.connectionId)) return undefined;
  const sdp = parseSdp(v.sdp, 'offer');
  if (!sdp) return undefined;
  const label = typeof v.label === 'string' && v.label.length <= MAX_LABEL_LENGTH ? v.label : v.connectionId;
  const out: OfferPayload = {
    sdp,
    type: 'data',
    connectionId: v.connectionId,
    label,
    reliable: v.reliable === true,
    // peerjs sends 'binary' for its default; absent means the peerjs default too.
    serialization: typeof v.serialization === 'string' ? v.serialization : 'binary',
  };
  if ('metadata' in v) out.metadata = v.metadata;
  if (v.iceRestart === true) out.iceRestart = true;
  return out;
}

export function parseAnswer(v: unknown): AnswerPayload | undefined {
  if (!isObject(v) || !isValidConnectionId(v.connectionId)) return undefined;
  const sdp = parseSdp(v.sdp, 'answer');
  if (!sdp) return undefined;
  return { sdp, type: 'data', connectionId: v.connectionId };
}

export function parseCandidate(v: unknown): CandidatePayload | undefined {
  if (!isObject(v) || !isValidConnectionId(v.connectionId) || !isObject(v.candidate)) return undefined;
  const c = v.candidate;
  if (typeof c.candidate !== 'string' || c.candidate.length > MAX_CANDIDATE_LENGTH) return undefined;
  const init: RTCIceCandidateInit = { candidate: c.candidate };
  if (typeof c.sdpMid === 'string') init.sdpMid = c.sdpMid;
  if (typeof c.sdpMLineIndex === 'number') init.sdpMLineIndex = c.sdpMLineIndex;
  if (typeof c.usernameFragment === 'string') init.usernameFragment = c.usernameFragment;
  if (init.sdpMid === undefined && init.sdpMLineIndex === undefined) init.sdpMLineIndex = 0;
  return { candidate: init, type: 'data', connectionId: v.connectionId };
}

/** The JSON form of a local candidate (RTCIceCandidate.toJSON where available). */
export function candidateToJson(c: RTCIceCandidate): RTCIceCandidateInit {
  const out: RTCIceCandidateInit = { candidate: c.candidate };
  if (c.sdpMid !== null && c.sdpMid !== undefined) out.sdpMid = c.sdpMid;
  if (c.sdpMLineIndex !== null && c.sdpMLineIndex !== undefined) out.sdpMLineIndex = c.sdpMLineIndex;
  if (c.usernameFragment !== null && c.usernameFragment !== undefined)
    out.usernameFragment = c.usernameFragment;
  return out;
}
