/**
 * Coalesces the frames written to one socket within one tick into a single write. A burst of
 * CANDIDATEs arrives in one TCP read and is relayed synchronously; without this each frame would
 * cost its own write syscall. Sockets are corked on their first write of the tick and uncorked
 * together on the next tick (Node counts nested cork/uncork, so ws's own corking still works).
 */
import type { Socket } from 'node:net';

const corked: Socket[] = [];
let scheduled = false;

function flush(): void {
  scheduled = false;
  for (let i = 0; i < corked.length; i++) corked[i]!.uncork();
  corked.length = 0;
}

/** Call before writing to `socket`; the write is flushed at the end of this tick. */
export function batchWrites(socket: Socket): void {
  if (socket.writableCorked > 0) return;
  socket.cork();
  corked.push(socket);
  if (!scheduled) {
    scheduled = true;
    process.nextTick(flush);
  }
}
