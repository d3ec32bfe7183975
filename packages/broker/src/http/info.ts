/** `GET {path}`: the server's self-description, same keys as the stock server's app.json. */
import type { ServerResponse } from 'node:http';
import { sendJson } from './respond.js';

export const BROKER_INFO = Object.freeze({
  name: 'Enkrypted broker',
  description:
    'A PeerJS-compatible signaling broker: relays WebRTC offers, answers and ICE candidates between peers.',
  website: 'https://peerjs.com/',
});

export function serveInfo(res: ServerResponse): void {
  sendJson(res, 200, BROKER_INFO);
}
