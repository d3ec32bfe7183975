/**
 * Coalesces the frames relayed to one socket within one tick into a single WebSocket-framed buffer
 * and a single write. A burst of CANDIDATEs arrives in one TCP read and is relayed synchronously;
 * through `ws.send` each frame would cost a header buffer, a payload buffer and two entries in the
 * socket's write queue. Here a socket with frames waiting is listed once per tick and flushed on
 * the next tick with one buffer (header + payload per frame, exactly the bytes `ws.send` would
 * produce for an unmasked, uncompressed text message).
 */

/** Who owns an outbox: frames queued this tick, and how to write them out. */
export interface OutboxOwner {
  outbox: string[] | undefined;
  /** Writes `outbox` (if any) and clears it; called at the end of the tick, or earlier by the owner. */
  flushOutbox(): void;
}

const dirty: OutboxOwner[] = [];
let scheduled = false;

function flushAll(): void {
  scheduled = false;
  // Owners queued while flushing (none in practice) are flushed by this same loop.
  for (let i = 0; i < dirty.length; i++) dirty[i]!.flushOutbox();
  dirty.length = 0;
}

/** Queues `frame` for `owner`; written at the end of this tick together with the owner's others. */
export function queueFrame(owner: OutboxOwner, frame: string): void {
  const box = owner.outbox;
  if (box !== undefined) {
    box.push(frame);
    return;
  }
  owner.outbox = [frame];
  dirty.push(owner);
  if (!scheduled) {
    scheduled = true;
    process.nextTick(flushAll);
  }
}

/** FIN + text opcode: every frame is a whole text message. */
const FIN_TEXT = 0x81;
/** RFC 6455 §5.2: payload lengths up to 125 fit the first length byte; 126 and 127 announce 16 and 64 bits. */
const MAX_SHORT_LENGTH = 125;
const MAX_16BIT_LENGTH = 0xffff;
const LENGTH_16 = 126;
const LENGTH_64 = 127;
/** Reused between calls (synchronous, never re-entered): UTF-8 length of each frame. */
const lengths: number[] = [];

function headerSize(len: number): number {
  return len <= MAX_SHORT_LENGTH ? 2 : len <= MAX_16BIT_LENGTH ? 4 : 10;
}

/** The server-to-client WebSocket frames (unmasked text messages) for `frames`, back to back. */
export function encodeTextFrames(frames: readonly string[]): Buffer {
  let total = 0;
  for (let i = 0; i < frames.length; i++) {
    const len = Buffer.byteLength(frames[i]!, 'utf8');
    lengths[i] = len;
    total += headerSize(len) + len;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < frames.length; i++) {
    const len = lengths[i]!;
    out[at] = FIN_TEXT;
    if (len <= MAX_SHORT_LENGTH) {
      out[at + 1] = len;
      at += 2;
    } else if (len <= MAX_16BIT_LENGTH) {
      out[at + 1] = LENGTH_16;
      out.writeUInt16BE(len, at + 2);
      at += 4;
    } else {
      out[at + 1] = LENGTH_64;
      out.writeUInt32BE(Math.floor(len / 2 ** 32), at + 2);
      out.writeUInt32BE(len >>> 0, at + 6);
      at += 10;
    }
    at += out.write(frames[i]!, at, len, 'utf8');
  }
  lengths.length = 0;
  return out;
}
