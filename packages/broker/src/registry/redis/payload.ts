/**
 * What nodes publish to each other (built by the Lua scripts in scripts.ts, read here). Pure: a
 * payload that is not in one of the two shapes is reported as null and ignored by the caller, so a
 * stray PUBLISH on a node's channel cannot disturb it. A batch is read up to its first malformed
 * record; the records before it are kept.
 */

/** A frame for a connection of this node. */
export interface FrameRecord {
  dst: string;
  conn: string;
  src: string;
  queueable: boolean;
  hops: number;
  frame: string;
}

/** Frames for connections of this node, in the order they were sent. */
export interface BatchPayload {
  kind: 'batch';
  frames: FrameRecord[];
}

/** A connection of this node was replaced by a newer one (same id and token) on another node. */
export interface KickPayload {
  kind: 'kick';
  id: string;
  conn: string;
}

export type NodePayload = BatchPayload | KickPayload;

const NL = 0x0a;
const B = 0x42;
const K = 0x4b;
/** Longest id/conn/number field accepted: ids are at most a few dozen characters. */
const MAX_FIELD_BYTES = 256;

class Reader {
  at = 0;
  constructor(readonly buf: Buffer) {}
  /** The text up to the next newline (consumed), or null. */
  field(): string | null {
    const nl = this.buf.indexOf(NL, this.at);
    if (nl < 0 || nl - this.at > MAX_FIELD_BYTES) return null;
    const s = this.buf.toString('latin1', this.at, nl);
    this.at = nl + 1;
    return s;
  }
}

function readRecord(r: Reader): FrameRecord | null {
  const dst = r.field();
  const conn = r.field();
  const src = r.field();
  const queueable = r.field();
  const hops = Number(r.field() ?? Number.NaN);
  const len = Number(r.field() ?? Number.NaN);
  if (!dst || !conn || !src || (queueable !== '0' && queueable !== '1')) return null;
  if (!Number.isInteger(hops) || hops < 0 || !Number.isInteger(len) || len <= 0) return null;
  if (r.at + len > r.buf.length) return null;
  const frame = r.buf.toString('utf8', r.at, r.at + len);
  r.at += len;
  return { dst, conn, src, queueable: queueable === '1', hops, frame };
}

export function parsePayload(buf: Buffer): NodePayload | null {
  if (buf.length < 2 || buf[1] !== NL) return null;
  const r = new Reader(buf);
  r.at = 2;
  if (buf[0] === K) {
    const id = r.field();
    const conn = buf.toString('latin1', r.at);
    if (!id || conn === '' || conn.length > MAX_FIELD_BYTES) return null;
    return { kind: 'kick', id, conn };
  }
  if (buf[0] !== B) return null;
  const frames: FrameRecord[] = [];
  while (r.at < buf.length) {
    const rec = readRecord(r);
    if (rec === null) break;
    frames.push(rec);
  }
  return frames.length > 0 ? { kind: 'batch', frames } : null;
}
