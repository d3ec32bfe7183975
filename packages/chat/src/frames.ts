/**
 * App-level frames carried inside the secure session (so receipts, typing and file metadata are as
 * protected as the messages). Byte 0 is the kind: CONTROL (UTF-8 JSON, one tagged union) or CHUNK
 * (binary file data: 16-byte transfer id ‖ u32be offset ‖ bytes).
 *
 * Parsing goes size, then kind, then structure, then field semantics; anything off is a
 * CHAT_MALFORMED_FRAME, which the caller drops without disturbing the chat.
 */
import type { PublicIdentityJson } from '@enkrypted/crypto';
import { bytesToHex, hexToBytes } from '@enkrypted/protocol';
import { CHAT_ERROR, ChatError } from './errors.js';
import {
  FILE_CHUNK_BYTES,
  MAX_APP_FRAME_BYTES,
  MAX_DISPLAY_NAME_CHARS,
  MAX_FILE_BYTES,
  MAX_FILE_NAME_CHARS,
  MAX_IDS_PER_RECEIPT,
  MAX_MIME_CHARS,
  MAX_TEXT_CHARS,
  MESSAGE_ID_PATTERN,
} from './limits.js';

export const FRAME_KIND = { control: 0x01, chunk: 0x02 } as const;
const TRANSFER_ID_BYTES = 16;
const CHUNK_HEADER_BYTES = 1 + TRANSFER_ID_BYTES + 4;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export type ControlFrame =
  | { t: 'hello'; name: string; identity: PublicIdentityJson }
  | { t: 'msg'; id: string; text: string; sentAt: number }
  | { t: 'receipt'; kind: 'delivered' | 'read'; ids: string[] }
  | { t: 'typing'; on: boolean }
  | {
      t: 'file-offer';
      id: string;
      name: string;
      size: number;
      mime: string;
      sha256: string;
      fastPath: boolean;
      sentAt: number;
    }
  | { t: 'file-cancel'; id: string };

export interface ChunkFrame {
  transferId: string;
  offset: number;
  data: Uint8Array;
}

export type AppFrame = { kind: 'control'; frame: ControlFrame } | { kind: 'chunk'; chunk: ChunkFrame };

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

export function encodeControl(frame: ControlFrame): Uint8Array {
  const body = utf8.encode(JSON.stringify(frame));
  const out = new Uint8Array(1 + body.length);
  out[0] = FRAME_KIND.control;
  out.set(body, 1);
  if (out.length > MAX_APP_FRAME_BYTES) throw new ChatError(CHAT_ERROR.tooLarge, 'Message too large.');
  return out;
}

export function encodeChunk(chunk: ChunkFrame): Uint8Array {
  if (chunk.data.length > FILE_CHUNK_BYTES) throw new ChatError(CHAT_ERROR.tooLarge, 'chunk too large');
  const out = new Uint8Array(CHUNK_HEADER_BYTES + chunk.data.length);
  out[0] = FRAME_KIND.chunk;
  out.set(hexToBytes(chunk.transferId), 1);
  new DataView(out.buffer).setUint32(1 + TRANSFER_ID_BYTES, chunk.offset);
  out.set(chunk.data, CHUNK_HEADER_BYTES);
  return out;
}

function malformed(why: string): ChatError {
  return new ChatError(CHAT_ERROR.malformedFrame, `Malformed frame from the peer: ${why}.`);
}

export function decodeFrame(bytes: Uint8Array | string): AppFrame {
  if (typeof bytes === 'string') throw malformed('text frame');
  if (bytes.length > MAX_APP_FRAME_BYTES) throw malformed('oversized');
  if (bytes.length < 1) throw malformed('empty');
  if (bytes[0] === FRAME_KIND.chunk) {
    if (bytes.length < CHUNK_HEADER_BYTES + 1 || bytes.length > CHUNK_HEADER_BYTES + FILE_CHUNK_BYTES) {
      throw malformed('chunk size');
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return {
      kind: 'chunk',
      chunk: {
        transferId: bytesToHex(bytes.subarray(1, 1 + TRANSFER_ID_BYTES)),
        offset: view.getUint32(1 + TRANSFER_ID_BYTES),
        data: bytes.slice(CHUNK_HEADER_BYTES),
      },
    };
  }
  if (bytes[0] !== FRAME_KIND.control) throw malformed('unknown kind');
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8.decode(bytes.subarray(1)));
  } catch {
    throw malformed('not JSON');
  }
  return { kind: 'control', frame: validateControl(value) };
}

const isId = (v: unknown): v is string => typeof v === 'string' && MESSAGE_ID_PATTERN.test(v);
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isStr = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;

function validateControl(value: unknown): ControlFrame {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed('not an object');
  const f = value as Record<string, unknown>;
  switch (f.t) {
    case 'hello': {
      const id = f.identity as Record<string, unknown> | null;
      if (!isStr(f.name, MAX_DISPLAY_NAME_CHARS) || typeof id !== 'object' || id === null)
        throw malformed('hello');
      if (!isStr(id.signingKey, 64) || !isStr(id.dhKey, 64) || !isStr(id.binding, 128))
        throw malformed('hello');
      return {
        t: 'hello',
        name: f.name,
        identity: { signingKey: id.signingKey, dhKey: id.dhKey, binding: id.binding },
      };
    }
    case 'msg':
      if (!isId(f.id) || !isStr(f.text, MAX_TEXT_CHARS) || !isTime(f.sentAt)) throw malformed('msg');
      return { t: 'msg', id: f.id, text: f.text, sentAt: f.sentAt };
    case 'receipt':
      if (
        (f.kind !== 'delivered' && f.kind !== 'read') ||
        !Array.isArray(f.ids) ||
        f.ids.length === 0 ||
        f.ids.length > MAX_IDS_PER_RECEIPT ||
        !f.ids.every(isId)
      ) {
        throw malformed('receipt');
      }
      return { t: 'receipt', kind: f.kind, ids: f.ids as string[] };
    case 'typing':
      if (typeof f.on !== 'boolean') throw malformed('typing');
      return { t: 'typing', on: f.on };
    case 'file-offer':
      if (
        !isId(f.id) ||
        !isStr(f.name, MAX_FILE_NAME_CHARS) ||
        f.name.length === 0 ||
        typeof f.size !== 'number' ||
        !Number.isSafeInteger(f.size) ||
        f.size < 0 ||
        f.size > MAX_FILE_BYTES ||
        !isStr(f.mime, MAX_MIME_CHARS) ||
        typeof f.sha256 !== 'string' ||
        !SHA256_HEX.test(f.sha256) ||
        typeof f.fastPath !== 'boolean' ||
        !isTime(f.sentAt)
      ) {
        throw malformed('file offer');
      }
      return {
        t: 'file-offer',
        id: f.id,
        name: f.name,
        size: f.size,
        mime: f.mime,
        sha256: f.sha256,
        fastPath: f.fastPath,
        sentAt: f.sentAt,
      };
    case 'file-cancel':
      if (!isId(f.id)) throw malformed('file cancel');
      return { t: 'file-cancel', id: f.id };
    default:
      throw malformed('unknown type');
  }
}

/** 128 random bits as 32 hex characters: message and transfer ids. */
export function randomId(): string {
  return bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(16)));
}
