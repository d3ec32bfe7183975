/**
 * The 'raw' and 'json' data-connection serializations, wire-compatible with peerjs 1.5
 * (peerjs-protocol.md §4.2–4.3). BinaryPack ('binary', the stock default) is not implemented.
 */
import { PEER_ERROR, PeerError } from '../errors.js';
import { MAX_JSON_MESSAGE_BYTES } from '../limits.js';
import type { SupportedSerialization } from './payloads.js';

/** What travels on the channel: a text frame or a binary frame. */
export type Frame = string | Uint8Array;

/** Application values per serialization: raw carries strings and bytes, json any JSON value. */
export type RawValue = string | Uint8Array;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** peerjs's "close this connection" control message. */
const CLOSE_CONTROL = '{"__peerData":{"type":"close"}}';

export function encodeValue(serialization: SupportedSerialization, value: unknown): Frame {
  if (serialization === 'raw') {
    if (typeof value === 'string') return value;
    if (value instanceof Uint8Array) return value;
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    throw new PeerError(PEER_ERROR.invalidMessage, 'raw serialization carries strings and bytes only');
  }
  // A top-level null (or undefined) crashes peerjs 1.5 receivers while they look for __peerData.
  if (value === null || value === undefined) {
    throw new PeerError(PEER_ERROR.invalidMessage, 'json serialization cannot send a top-level null');
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new PeerError(PEER_ERROR.invalidMessage, 'value is not JSON-serialisable', { cause: err });
  }
  if (text === undefined) throw new PeerError(PEER_ERROR.invalidMessage, 'value is not JSON-serialisable');
  const bytes = encoder.encode(text);
  if (bytes.length > MAX_JSON_MESSAGE_BYTES) {
    throw new PeerError(PEER_ERROR.messageTooBig, 'json messages must stay under 16300 bytes (peerjs limit)');
  }
  return bytes;
}

export type Decoded = { kind: 'value'; value: unknown } | { kind: 'close' } | { kind: 'invalid' };

/** Decodes one received frame; never throws (bad input from a peer is dropped by the caller). */
export function decodeFrame(serialization: SupportedSerialization, data: unknown): Decoded {
  const bytes =
    data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : undefined;
  if (serialization === 'raw') {
    if (typeof data === 'string') return { kind: 'value', value: data };
    if (bytes) return { kind: 'value', value: bytes };
    return { kind: 'invalid' };
  }
  let text: string;
  if (typeof data === 'string') {
    text = data; // peerjs ≤ 1.4.7 sent JSON as text frames.
  } else if (bytes) {
    try {
      text = decoder.decode(bytes);
    } catch {
      return { kind: 'invalid' };
    }
  } else {
    return { kind: 'invalid' };
  }
  if (text === CLOSE_CONTROL) return { kind: 'close' };
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && '__peerData' in value) {
      const pd = (value as { __peerData: unknown }).__peerData;
      if (typeof pd === 'object' && pd !== null && (pd as { type?: unknown }).type === 'close') {
        return { kind: 'close' };
      }
      if (pd) return { kind: 'invalid' }; // peerjs treats any truthy __peerData as control, never data.
    }
    return { kind: 'value', value };
  } catch {
    return { kind: 'invalid' };
  }
}

export function frameSize(frame: Frame): number {
  return typeof frame === 'string' ? encoder.encode(frame).length : frame.byteLength;
}
