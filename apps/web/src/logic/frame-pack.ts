/**
 * Packs the several data-channel frames that one sealed message may need (the crypto SecureChannel
 * returns a header and chunks, as text or bytes) into the single frame the peer Session carries,
 * and back. Layout: u16be count, then per frame: 1 type byte (0 text, 1 bytes), u32be length, data.
 * Pure; bounded by the Session's own frame limit on the way in.
 */
import { WEB_ERROR, WebError } from './errors.js';

/** A message of our app is at most a few chunks; more means a broken or hostile peer. */
export const MAX_PACKED_FRAMES = 64;
const TEXT = 0;
const BYTES = 1;

export function packFrames(frames: readonly (string | Uint8Array)[]): Uint8Array {
  if (frames.length === 0 || frames.length > MAX_PACKED_FRAMES)
    throw new WebError(WEB_ERROR.tooLarge, 'too many frames');
  const parts = frames.map((f) =>
    typeof f === 'string' ? { t: TEXT, b: new TextEncoder().encode(f) } : { t: BYTES, b: f },
  );
  const out = new Uint8Array(2 + parts.reduce((n, p) => n + 5 + p.b.length, 0));
  const view = new DataView(out.buffer);
  view.setUint16(0, parts.length);
  let off = 2;
  for (const p of parts) {
    out[off] = p.t;
    view.setUint32(off + 1, p.b.length);
    out.set(p.b, off + 5);
    off += 5 + p.b.length;
  }
  return out;
}

export function unpackFrames(packed: Uint8Array): (string | Uint8Array)[] {
  const bad = () => new WebError(WEB_ERROR.malformedFrame, 'Malformed frame from the peer: packing.');
  if (packed.length < 2) throw bad();
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const count = view.getUint16(0);
  if (count === 0 || count > MAX_PACKED_FRAMES) throw bad();
  const out: (string | Uint8Array)[] = [];
  let off = 2;
  const text = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < count; i++) {
    if (off + 5 > packed.length) throw bad();
    const type = packed[off];
    const len = view.getUint32(off + 1);
    const end = off + 5 + len;
    if (end > packed.length || (type !== TEXT && type !== BYTES)) throw bad();
    const body = packed.subarray(off + 5, end);
    try {
      out.push(type === TEXT ? text.decode(body) : body.slice());
    } catch {
      throw bad();
    }
    off = end;
  }
  if (off !== packed.length) throw bad();
  return out;
}

/** `a=fingerprint:` of an SDP, normalised as the crypto package expects ("sha-256 AB:CD:…"). */
export function sdpFingerprint(sdp: string | undefined): string | undefined {
  const m = sdp?.match(/^a=fingerprint:(\S+) ([0-9A-Fa-f:]+)\s*$/m);
  return m ? `${m[1]!.toLowerCase()} ${m[2]!.toUpperCase()}` : undefined;
}
