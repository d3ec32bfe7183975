/**
 * Relaying a client frame without re-serialising its payload. The stock peerjs client sends
 * exactly `{"type":T,"payload":P,"dst":D}` (JSON.stringify of an object in that key order); clients
 * mirroring encodeRelay send `{"type":T,"dst":D,"payload":P}`. When a frame has one of these shapes, the broker can copy P's text into the relayed frame instead of running
 * JSON.stringify over the parsed payload, which is the largest cost of relaying an SDP.
 *
 * Safety: the frame is still fully parsed and validated first (size, JSON, object, type, dst). The
 * splice is used only when the parsed object has exactly the keys type, payload, dst in one of
 * those orders, the text begins and ends with the canonical bytes for the parsed type and dst, and the
 * text in between is one JSON value (no top-level comma, so no duplicate keys smuggled between the
 * payload and dst). Anything else falls back to encodeRelay, so the output is always the same
 * JSON value as `encodeRelay(type, src, dst, payload)`.
 */
import { MAX_SIGNALING_FRAME_BYTES, PEER_ID_PATTERN } from './limits.js';
import type { ClientMessage, RelayMessage } from './messages.js';
import { clientMessageFromObject, encodeRelay, parseFrameObject } from './validate.js';

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/**
 * True when text[start, end) — known to be part of valid JSON — is a single value: brackets balance
 * and no comma appears outside strings at depth 0. Strings are skipped with indexOf.
 */
export function isSingleJsonValue(text: string, start: number, end: number): boolean {
  let depth = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let j = i + 1;
      for (;;) {
        j = text.indexOf('"', j);
        if (j < 0 || j >= end) return false;
        let backslashes = 0;
        for (let k = j - 1; text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
        if ((backslashes & 1) === 0) break;
        j++;
      }
      i = j;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
    else if (c === COMMA && depth === 0) return false;
  }
  return depth === 0;
}

export interface ParsedRelayFrame {
  msg: ClientMessage;
  /** The payload's own JSON text, when the frame had the canonical client shape. */
  payloadText: string | undefined;
}

/** parseClientFrame, plus the payload's text when it can be spliced. Same errors and codes. */
export function parseClientFrameForRelay(
  text: string,
  maxBytes = MAX_SIGNALING_FRAME_BYTES,
): ParsedRelayFrame {
  const obj = parseFrameObject(text, maxBytes);
  const msg = clientMessageFromObject(obj);
  if (msg.type === 'HEARTBEAT' || msg.dst === undefined || msg.payload === undefined) {
    return { msg, payloadText: undefined };
  }
  // Key order as sent: stock peerjs sends type, payload, dst; encodeRelay-style clients send
  // type, dst, payload. Any other key set or order takes the slow path.
  let order = '';
  for (const k in obj) {
    order += k === 'type' ? 't' : k === 'payload' ? 'p' : k === 'dst' ? 'd' : 'x';
    if (order.length > 3) break;
  }
  // dst matched PEER_ID_PATTERN: no character in it needs JSON escaping.
  let head: string;
  let tail: string;
  if (order === 'tpd') {
    head = `{"type":"${msg.type}","payload":`;
    tail = `,"dst":"${msg.dst}"}`;
  } else if (order === 'tdp') {
    head = `{"type":"${msg.type}","dst":"${msg.dst}","payload":`;
    tail = '}';
  } else {
    return { msg, payloadText: undefined };
  }
  if (!text.startsWith(head) || !text.endsWith(tail) || text.length <= head.length + tail.length) {
    return { msg, payloadText: undefined };
  }
  const end = text.length - tail.length;
  if (!isSingleJsonValue(text, head.length, end)) return { msg, payloadText: undefined };
  return { msg, payloadText: text.slice(head.length, end) };
}

/**
 * The relayed frame for `msg` from `src`: spliced when `payloadText` is known, else encodeRelay.
 * `src` must be a valid peer id (the broker's own binding), so it needs no escaping either.
 */
export function encodeRelayFrame(msg: RelayMessage, src: string, payloadText: string | undefined): string {
  if (payloadText !== undefined && msg.dst !== undefined && PEER_ID_PATTERN.test(src)) {
    return `{"type":"${msg.type}","src":"${src}","dst":"${msg.dst}","payload":${payloadText}}`;
  }
  return encodeRelay(msg.type, src, msg.dst, msg.payload);
}
