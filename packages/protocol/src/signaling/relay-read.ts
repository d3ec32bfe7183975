/**
 * Reading a client frame for relaying in one pass over its text, without JSON.parse, for the
 * shapes real clients send: `{"type":T,"payload":P,"dst":D}` (stock peerjs key order),
 * `{"type":T,"dst":D,"payload":P}` (encodeRelay order) and `{"type":"HEARTBEAT"}`, with no
 * whitespace outside P. P is checked with the allocation-free JSON scanner, D with the peer id rule,
 * T against the relay types. Such text is valid JSON whose object has exactly those keys once each,
 * so JSON.parse + parseClientFrame would accept it with the same type, dst and payload.
 *
 * Anything else (other key orders, whitespace, extra or repeated keys, escapes in type or dst, deep
 * nesting, invalid JSON) goes through the strict path, parseClientFrameForRelay, which produces the
 * same result or the same error code. So the fast path changes cost, never the answer.
 */
import { scanJsonValue } from './json-scan.js';
import { MAX_SIGNALING_FRAME_BYTES } from './limits.js';
import { type ClientType, RELAY_TYPES, type RelayType } from './messages.js';
import { parseClientFrameForRelay } from './relay-splice.js';
import { checkFrameSize, encodeRelay, isValidPeerId } from './validate.js';

export interface RelayFrame {
  type: ClientType;
  /** Undefined for HEARTBEAT and for a legacy LEAVE without dst. */
  dst: string | undefined;
  /** The payload's JSON text; undefined when the frame has no payload. */
  payloadText: string | undefined;
}

const HEARTBEAT_TEXT = '{"type":"HEARTBEAT"}';
const HEAD = '{"type":"';
/** After the type: `","payload":` (stock order) or `","dst":"` (encodeRelay order). */
const AFTER_TYPE_PAYLOAD = '","payload":';
const AFTER_TYPE_DST = '","dst":"';
const STOCK_TAIL_START = ',"dst":"';
const STOCK_TAIL_END = '"}';
const AFTER_DST_PAYLOAD = '","payload":';
const QUOTE = 34;

const HEARTBEAT: RelayFrame = { type: 'HEARTBEAT', dst: undefined, payloadText: undefined };

/** The relay type whose name starts at text[i] and is followed by a quote, if any. */
function typeAt(text: string, i: number): RelayType | undefined {
  for (const t of RELAY_TYPES) {
    if (text.startsWith(t, i) && text.charCodeAt(i + t.length) === QUOTE) return t;
  }
  return undefined;
}

/** The fast path: a RelayFrame for the canonical shapes, undefined for anything else. */
export function readCanonicalRelayFrame(text: string): RelayFrame | undefined {
  if (!text.startsWith(HEAD)) return undefined;
  if (text === HEARTBEAT_TEXT) return HEARTBEAT;
  const type = typeAt(text, HEAD.length);
  if (type === undefined) return undefined;
  const afterType = HEAD.length + type.length;
  const n = text.length;
  if (text.charCodeAt(n - 1) !== 125 /* } */) return undefined;
  if (text.startsWith(AFTER_TYPE_PAYLOAD, afterType)) {
    // {"type":T,"payload":P,"dst":"D"}
    if (!text.endsWith(STOCK_TAIL_END)) return undefined;
    const start = afterType + AFTER_TYPE_PAYLOAD.length;
    const tailAt = text.lastIndexOf(STOCK_TAIL_START, n - STOCK_TAIL_END.length);
    if (tailAt <= start) return undefined;
    if (scanJsonValue(text, start, tailAt) !== tailAt) return undefined;
    const dst = text.slice(tailAt + STOCK_TAIL_START.length, n - STOCK_TAIL_END.length);
    if (!isValidPeerId(dst)) return undefined;
    return { type, dst, payloadText: text.slice(start, tailAt) };
  }
  if (text.startsWith(AFTER_TYPE_DST, afterType)) {
    // {"type":T,"dst":"D","payload":P}
    const dstStart = afterType + AFTER_TYPE_DST.length;
    const dstEnd = text.indexOf('"', dstStart);
    if (dstEnd < 0 || !text.startsWith(AFTER_DST_PAYLOAD, dstEnd)) return undefined;
    const dst = text.slice(dstStart, dstEnd);
    if (!isValidPeerId(dst)) return undefined;
    const start = dstEnd + AFTER_DST_PAYLOAD.length;
    if (scanJsonValue(text, start, n - 1) !== n - 1) return undefined;
    return { type, dst, payloadText: text.slice(start, n - 1) };
  }
  return undefined;
}

/**
 * Reads a client frame for relaying: size, then the fast path, then the strict path
 * (parseClientFrameForRelay). Throws the strict path's ProtocolErrors.
 */
export function readRelayFrame(text: string, maxBytes = MAX_SIGNALING_FRAME_BYTES): RelayFrame {
  checkFrameSize(text, maxBytes);
  const fast = readCanonicalRelayFrame(text);
  if (fast !== undefined) return fast;
  const { msg, payloadText } = parseClientFrameForRelay(text, maxBytes);
  if (msg.type === 'HEARTBEAT') return HEARTBEAT;
  if (msg.dst === undefined) return { type: msg.type, dst: undefined, payloadText: undefined };
  if (payloadText !== undefined || msg.payload === undefined)
    return { type: msg.type, dst: msg.dst, payloadText };
  return { type: msg.type, dst: msg.dst, payloadText: JSON.stringify(msg.payload) };
}

/**
 * The frame relayed to `dst` for `frame` from `src`, with the stock server's key order (type, src,
 * dst, payload). Type, src and dst are valid ids or types, so nothing needs escaping; a `src` that
 * is not a valid id (never the case for an admitted session) is serialised the slow way.
 */
export function encodeRelayedFrame(frame: RelayFrame, src: string): string {
  const { type, dst, payloadText } = frame;
  if (dst === undefined || !isValidPeerId(src)) {
    return encodeRelay(type, src, dst, payloadText === undefined ? undefined : JSON.parse(payloadText));
  }
  return payloadText === undefined
    ? `{"type":"${type}","src":"${src}","dst":"${dst}"}`
    : `{"type":"${type}","src":"${src}","dst":"${dst}","payload":${payloadText}}`;
}
