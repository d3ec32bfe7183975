import { ProtocolError } from '../errors.js';
import {
  MAX_KEY_LENGTH,
  MAX_PEER_ID_LENGTH,
  MAX_SIGNALING_FRAME_BYTES,
  MAX_TOKEN_LENGTH,
  PEER_ID_PATTERN,
  TOKEN_PATTERN,
} from './limits.js';
import { type ClientMessage, isRelayType, isServerType, type ServerMessage } from './messages.js';

/** Stable codes for signaling-frame rejections (docs/protocol.md §Error codes). */
export const SIGNALING_ERROR = {
  frameTooLarge: 'SIGNALING_FRAME_TOO_LARGE',
  malformedJson: 'SIGNALING_MALFORMED_JSON',
  notAnObject: 'SIGNALING_NOT_AN_OBJECT',
  unknownType: 'SIGNALING_UNKNOWN_TYPE',
  missingDst: 'SIGNALING_MISSING_DST',
  invalidDst: 'SIGNALING_INVALID_DST',
  invalidId: 'SIGNALING_INVALID_ID',
  invalidToken: 'SIGNALING_INVALID_TOKEN',
  invalidKey: 'SIGNALING_INVALID_KEY',
} as const;

export function isValidPeerId(id: unknown): id is string {
  return (
    typeof id === 'string' && id.length > 0 && id.length <= MAX_PEER_ID_LENGTH && PEER_ID_PATTERN.test(id)
  );
}

export function isValidToken(token: unknown): token is string {
  return (
    typeof token === 'string' &&
    token.length > 0 &&
    token.length <= MAX_TOKEN_LENGTH &&
    TOKEN_PATTERN.test(token)
  );
}

export function isValidKey(key: unknown): key is string {
  return typeof key === 'string' && key.length > 0 && key.length <= MAX_KEY_LENGTH && TOKEN_PATTERN.test(key);
}

const encoder = new TextEncoder();
function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/** The first check of every frame: its UTF-8 size. Throws SIGNALING_FRAME_TOO_LARGE. */
export function checkFrameSize(text: string, maxBytes: number): void {
  // A string's UTF-8 length is at most 3 bytes per UTF-16 unit, so only borderline frames pay
  // for an exact count.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && utf8Length(text) > maxBytes)) {
    throw new ProtocolError(SIGNALING_ERROR.frameTooLarge, `frame exceeds ${maxBytes} bytes`);
  }
}

/** Size, then JSON, then "is an object": the first three checks of every frame. */
export function parseFrameObject(text: string, maxBytes: number): Record<string, unknown> {
  checkFrameSize(text, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError(SIGNALING_ERROR.malformedJson, 'frame is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError(SIGNALING_ERROR.notAnObject, 'frame is not a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * Parses a frame a client sent to the broker: size, then JSON, then `type`, then structure.
 * Returns only the fields the broker forwards (`type`, `dst`, `payload`); `src` is never trusted.
 */
export function parseClientFrame(text: string, maxBytes = MAX_SIGNALING_FRAME_BYTES): ClientMessage {
  return clientMessageFromObject(parseFrameObject(text, maxBytes));
}

/** The structural checks of parseClientFrame on an already-parsed frame object. */
export function clientMessageFromObject(obj: Record<string, unknown>): ClientMessage {
  const type = obj.type;
  if (type === 'HEARTBEAT') return { type };
  if (!isRelayType(type)) {
    throw new ProtocolError(SIGNALING_ERROR.unknownType, 'unknown message type');
  }
  const dst = obj.dst;
  if (dst === undefined || dst === null || dst === '') {
    // A legacy LEAVE without dst means "I'm leaving"; the broker handles it, everything else needs a dst.
    if (type === 'LEAVE') return { type };
    throw new ProtocolError(SIGNALING_ERROR.missingDst, `${type} without dst`);
  }
  if (!isValidPeerId(dst)) {
    throw new ProtocolError(SIGNALING_ERROR.invalidDst, 'dst is not a valid peer id');
  }
  const msg: ClientMessage = { type, dst };
  if (obj.payload !== undefined) msg.payload = obj.payload;
  return msg;
}

/**
 * Parses a frame a broker sent to a client. Tolerant of unknown extra fields (stock servers and
 * future brokers add some) but strict on the fields a client acts on.
 */
export function parseServerFrame(text: string, maxBytes = MAX_SIGNALING_FRAME_BYTES): ServerMessage {
  const obj = parseFrameObject(text, maxBytes);
  const type = obj.type;
  if (!isServerType(type)) {
    throw new ProtocolError(SIGNALING_ERROR.unknownType, 'unknown message type');
  }
  if (type === 'OPEN') return { type };
  if (type === 'ERROR' || type === 'ID-TAKEN' || type === 'INVALID-KEY') {
    const p = obj.payload as { msg?: unknown } | undefined;
    const msg = p && typeof p === 'object' && typeof p.msg === 'string' ? p.msg : '';
    return { type, payload: { msg } };
  }
  const out: ServerMessage = { type };
  if (typeof obj.src === 'string') out.src = obj.src;
  if (typeof obj.dst === 'string') out.dst = obj.dst;
  if (obj.payload !== undefined) out.payload = obj.payload;
  return out;
}

/** Serialises a relayed message with the stock server's key order: type, src, dst, payload. */
export function encodeRelay(type: string, src: string, dst: string | undefined, payload: unknown): string {
  const msg: Record<string, unknown> = { type, src };
  if (dst !== undefined) msg.dst = dst;
  if (payload !== undefined) msg.payload = payload;
  return JSON.stringify(msg);
}
