/**
 * What nodes publish to each other (built by the Lua scripts in scripts.ts, read here). Pure: a
 * payload that is not in one of the two shapes is reported as null and ignored by the caller, so a
 * stray PUBLISH on a node's channel cannot disturb it.
 */

/** A frame for a connection of this node. */
export interface FramePayload {
  kind: 'frame';
  dst: string;
  conn: string;
  src: string;
  queueable: boolean;
  hops: number;
  frame: string;
}

/** A connection of this node was replaced by a newer one (same id and token) on another node. */
export interface KickPayload {
  kind: 'kick';
  id: string;
  conn: string;
}

export type NodePayload = FramePayload | KickPayload;

/** Splits off `count` newline-terminated fields; the rest (which may be empty) follows them. */
function fields(text: string, count: number): string[] | null {
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return null;
    out.push(text.slice(at, nl));
    at = nl + 1;
  }
  out.push(text.slice(at));
  return out;
}

export function parsePayload(text: string): NodePayload | null {
  if (text.startsWith('K\n')) {
    const f = fields(text, 2);
    if (!f || f[1] === '' || f[2] === '') return null;
    return { kind: 'kick', id: f[1]!, conn: f[2]! };
  }
  if (text.startsWith('F\n')) {
    const f = fields(text, 6);
    if (!f) return null;
    const [, dst, conn, src, queueable, hops, frame] = f as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const h = Number(hops);
    if (dst === '' || conn === '' || src === '' || frame === '' || !Number.isInteger(h) || h < 0) return null;
    if (queueable !== '0' && queueable !== '1') return null;
    return { kind: 'frame', dst, conn, src, queueable: queueable === '1', hops: h, frame };
  }
  return null;
}
