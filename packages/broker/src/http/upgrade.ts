/** Refusing a WebSocket upgrade with a plain HTTP answer, before any WebSocket state exists. */
import type { Duplex } from 'node:stream';

export function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
    () => socket.destroy(),
  );
}

/** The client address: the socket peer, or the last X-Forwarded-For hop behind a trusted proxy. */
export function clientAddress(
  remote: string | undefined,
  forwarded: string | string[] | undefined,
  trustProxy: boolean,
): string {
  if (trustProxy && forwarded !== undefined) {
    const header = Array.isArray(forwarded) ? forwarded[forwarded.length - 1] : forwarded;
    const last = header?.split(',').pop()?.trim();
    if (last) return last.slice(0, 64);
  }
  const addr = remote ?? 'unknown';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}
