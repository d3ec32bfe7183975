/**
 * End-to-end helpers: a handshake channel over a real DataConnection (frames from its `data` events,
 * in order, bounded), and the DTLS fingerprints each side reads from its own SDP view.
 */
import type { HandshakeFrame as Frame, HandshakeChannelLike } from '@enkrypted/crypto';
import type { DataConnection } from '@enkrypted/peer';

/** Frames one side may have waiting before the test reads them; a flood fails the test loudly. */
const MAX_INBOX_FRAMES = 8192;

export interface FrameChannel extends HandshakeChannelLike {
  /** Stops listening (the test is done with this connection). */
  detach(): void;
}

export function frameChannel(conn: DataConnection): FrameChannel {
  const inbox: Frame[] = [];
  let waiter: ((f: Frame) => void) | undefined;
  const off = conn.on('data', (value) => {
    const frame = value as Frame;
    if (waiter) {
      const w = waiter;
      waiter = undefined;
      w(frame);
    } else if (inbox.length < MAX_INBOX_FRAMES) inbox.push(frame);
    else throw new Error('e2e inbox overflow');
  });
  return {
    send: (frame) => conn.send(frame),
    receive: (options = {}) => {
      const next = inbox.shift();
      if (next !== undefined) return Promise.resolve(next);
      return new Promise<Frame>((resolve, reject) => {
        const signal = options.signal;
        if (signal?.aborted) return reject(new Error('aborted'));
        const onAbort = () => {
          waiter = undefined;
          reject(new Error('aborted'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiter = (f) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(f);
        };
      });
    },
    detach: off,
  };
}

/** `a=fingerprint:` of an SDP (the first one; all media sections share the DTLS certificate). */
export function sdpFingerprint(sdp: string | undefined): string {
  const m = /a=fingerprint:(\S+) (\S+)/i.exec(sdp ?? '');
  if (m === null) throw new Error('no DTLS fingerprint in the SDP');
  return `${m[1]} ${m[2]}`;
}

export function fingerprints(conn: DataConnection): { local: string; remote: string } {
  const pc = conn.peerConnection;
  return {
    local: sdpFingerprint(pc?.localDescription?.sdp),
    remote: sdpFingerprint(pc?.remoteDescription?.sdp),
  };
}
