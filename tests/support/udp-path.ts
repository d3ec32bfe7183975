/**
 * A network path the test can cut: every UDP candidate a browser page learns from the other side is
 * rewritten to point at a forwarder on 127.0.0.1 that relays datagrams both ways to the real port.
 * `cut()` makes every forwarder (present and future) silently discard datagrams — a dead network,
 * not a closed connection: no DTLS close, no SCTP abort, the stacks must notice by themselves —
 * and `restore()` lets them through again.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { LOOPBACK } from './brokers.js';

interface Forwarder {
  socket: Socket;
  port: number;
}

export class CuttablePath {
  readonly #forwarders = new Map<number, Promise<Forwarder>>();
  #cut = false;
  /** Datagrams discarded while cut (the test asserts the cut really dropped traffic). */
  dropped = 0;

  /** The forwarder port to advertise instead of `targetPort` (one forwarder per target). */
  async portFor(targetPort: number): Promise<number> {
    let f = this.#forwarders.get(targetPort);
    if (!f) {
      f = this.#open(targetPort);
      this.#forwarders.set(targetPort, f);
    }
    return (await f).port;
  }

  cut(): void {
    this.#cut = true;
  }

  restore(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    const all = await Promise.all(this.#forwarders.values());
    this.#forwarders.clear();
    await Promise.all(all.map((f) => new Promise<void>((resolve) => f.socket.close(() => resolve()))));
  }

  async #open(targetPort: number): Promise<Forwarder> {
    const socket = createSocket('udp4');
    // The side that sent to the forwarder last: replies from the target go back there.
    let client: RemoteInfo | undefined;
    socket.on('message', (msg, from) => {
      if (this.#cut) {
        this.dropped++;
        return;
      }
      if (from.port === targetPort) {
        if (client) socket.send(msg, client.port, client.address);
      } else {
        client = from;
        socket.send(msg, targetPort, LOOPBACK);
      }
    });
    socket.on('error', () => undefined); // a vanished endpoint (ICMP unreachable) is part of a dead path
    await new Promise<void>((resolve) => socket.bind(0, LOOPBACK, resolve));
    return { socket, port: socket.address().port };
  }
}

/**
 * Page-side half (runs inside the page, after PAGE_INIT's loopback filter): rewrites the port of
 * every remote UDP loopback candidate through `window.__pathPort(port)`, exposed by the test.
 * TCP candidates are dropped so every path goes through a forwarder.
 */
export const PATH_INIT = `(() => {
  const rewrite = async (line) => {
    const parts = line.split(' ');
    // candidate:<foundation> <component> <protocol> <priority> <address> <port> typ <type> ...
    if (parts.length < 8 || parts[2].toLowerCase() !== 'udp') return null;
    if (parts[4] !== '127.0.0.1') return line; // PAGE_INIT's loopback filter drops it
    parts[5] = String(await window.__pathPort(Number(parts[5])));
    return parts.join(' ');
  };
  const P = RTCPeerConnection.prototype;
  const addIce = P.addIceCandidate;
  P.addIceCandidate = async function (c, ...rest) {
    if (c && typeof c === 'object' && c.candidate) {
      const line = await rewrite(c.candidate);
      if (line === null) return;
      c = { ...(typeof c.toJSON === 'function' ? c.toJSON() : c), candidate: line };
    }
    return addIce.call(this, c, ...rest);
  };
  const setRemote = P.setRemoteDescription;
  P.setRemoteDescription = async function (d, ...rest) {
    if (d && d.sdp) {
      const lines = [];
      for (const l of d.sdp.split('\\r\\n')) {
        if (!l.startsWith('a=candidate:')) { lines.push(l); continue; }
        const r = await rewrite(l.slice(2));
        if (r !== null) lines.push('a=' + r);
      }
      d = { type: d.type, sdp: lines.join('\\r\\n') };
    }
    return setRemote.call(this, d, ...rest);
  };
})();`;
