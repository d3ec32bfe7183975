/**
 * The data-connection serializations, wire-compatible with peerjs 1.5 (peerjs-protocol.md §4.1–4.3):
 * 'binary' (BinaryPack with peerjs's chunking, the stock default), 'json' and 'raw'.
 */
import { PEER_ERROR, PeerError } from '../errors.js';
import { BINARY_CHUNK_BYTES, MAX_BINARY_MESSAGE_BYTES, MAX_JSON_MESSAGE_BYTES } from '../limits.js';
import { asChunk, type BinaryReassembler, chunkMaps } from './binary-chunks.js';
import { packValue, unpackValue } from './binarypack.js';
import type { SupportedSerialization } from './payloads.js';

/** What travels on the channel: a text frame or a binary frame. */
export type Frame = string | Uint8Array;

/** Application values per serialization: raw carries strings and bytes, json any JSON value. */
export type RawValue = string | Uint8Array;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** peerjs's "close this connection" control message. */
const CLOSE_CONTROL = '{"__peerData":{"type":"close"}}';

/**
 * The frames that carry `value`: one, except for a 'binary' value whose packed form exceeds
 * peerjs's chunk size (then one frame per chunk; `nextMessageId` numbers chunked messages).
 */
export function encodeFrames(
  serialization: SupportedSerialization,
  value: unknown,
  nextMessageId: () => number,
): Frame[] {
  if (serialization !== 'binary') return [encodeValue(serialization, value)];
  const packed = encodeBinary(value);
  if (packed.length <= BINARY_CHUNK_BYTES) return [packed];
  const frames: Frame[] = [];
  for (const chunk of chunkMaps(packed, nextMessageId())) frames.push(encodeBinary(chunk));
  return frames;
}

function encodeBinary(value: unknown): Uint8Array {
  if (value === null || value === undefined) {
    throw new PeerError(PEER_ERROR.invalidMessage, 'binary serialization cannot send a top-level null');
  }
  const packed = packValue(value);
  if (!packed) {
    throw new PeerError(PEER_ERROR.invalidMessage, 'Blobs cannot be sent: send their bytes (arrayBuffer())');
  }
  if (packed.length > MAX_BINARY_MESSAGE_BYTES) {
    throw new PeerError(
      PEER_ERROR.messageTooBig,
      `binary messages are limited to ${MAX_BINARY_MESSAGE_BYTES} bytes`,
    );
  }
  return packed;
}

export function encodeValue(serialization: SupportedSerialization, value: unknown): Frame {
  if (serialization === 'binary') return encodeBinary(value);
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

/** `partial`: a chunk of a larger 'binary' message was taken in; nothing to deliver yet. */
export type Decoded =
  | { kind: 'value'; value: unknown }
  | { kind: 'close' }
  | { kind: 'partial' }
  | { kind: 'invalid' };

/**
 * Decodes one received frame; never throws (bad input from a peer is dropped by the caller).
 * `chunks` holds the connection's 'binary' reassemblies.
 */
export function decodeFrame(
  serialization: SupportedSerialization,
  data: unknown,
  chunks?: BinaryReassembler,
): Decoded {
  const bytes =
    data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : undefined;
  if (serialization === 'binary') return bytes && chunks ? decodeBinary(bytes, chunks) : { kind: 'invalid' };
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

function decodeBinary(bytes: Uint8Array, chunks: BinaryReassembler): Decoded {
  const unpacked = unpackValue(bytes);
  if (!unpacked) return { kind: 'invalid' };
  const control = peerData(unpacked.value);
  if (control === undefined) return { kind: 'value', value: unpacked.value };
  if (typeof control === 'object' && control !== null && (control as { type?: unknown }).type === 'close') {
    return { kind: 'close' };
  }
  const chunk = asChunk(unpacked.value);
  if (!chunk) return { kind: 'invalid' };
  const outcome = chunks.accept(chunk);
  if (outcome.kind !== 'complete') return outcome;
  const whole = unpackValue(outcome.packed);
  // Chunks are never chunked again, and a whole message is never a control message.
  if (!whole || peerData(whole.value) !== undefined) return { kind: 'invalid' };
  return { kind: 'value', value: whole.value };
}

/** peerjs's control field: any truthy `__peerData` marks a chunk or a control message, never data. */
function peerData(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('__peerData' in value)) return undefined;
  const pd = (value as { __peerData: unknown }).__peerData;
  return pd ? pd : undefined;
}

/** peerjs's in-band "close this connection" message in the connection's serialization. */
export function closeControlFrame(serialization: 'json' | 'binary'): Uint8Array {
  return serialization === 'json'
    ? encoder.encode(CLOSE_CONTROL)
    : (packValue({ __peerData: { type: 'close' } }) as Uint8Array);
}

export function frameSize(frame: Frame): number {
  return typeof frame === 'string' ? encoder.encode(frame).length : frame.byteLength;
}
