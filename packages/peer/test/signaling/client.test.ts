/**
 * SignalingClient against a scripted WebSocket server on loopback, for behaviours a real broker only
 * shows under conditions that are hard to provoke: a re-attach the stock server does not confirm with
 * OPEN (peerjs-protocol.md §1.9), heartbeat cadence, reconnect keeping id and token, error mapping.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { type WebSocket, WebSocketServer } from 'ws';
import { isPeerError, PEER_ERROR } from '../../src/errors.js';
import { SignalingClient } from '../../src/signaling/client.js';

interface Seen {
  query: URLSearchParams;
  socket: WebSocket;
  frames: string[];
}

let server: WebSocketServer;
let port: number;
const seen: Seen[] = [];
let onConnect: (s: Seen) => void = () => {};

before(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/peerjs' });
  await new Promise((r) => server.once('listening', r));
  port = (server.address() as AddressInfo).port;
  server.on('connection', (socket, req) => {
    const s: Seen = { query: new URL(req.url ?? '', 'http://x').searchParams, socket, frames: [] };
    socket.on('message', (d) => s.frames.push(d.toString()));
    seen.push(s);
    onConnect(s);
  });
});

after(async () => {
  for (const c of server.clients) c.terminate();
  await new Promise((r) => server.close(r));
});

function client(extra: Record<string, unknown> = {}) {
  return new SignalingClient({
    host: '127.0.0.1',
    port,
    pingIntervalMs: 40,
    backoff: { initialDelayMs: 20, maxDelayMs: 100 },
    ...extra,
  });
}

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
};

test('reconnects with the same id and token, and treats a silent re-attach as registered', async () => {
  seen.length = 0;
  onConnect = (s) => {
    if (seen.length === 1) s.socket.send('{"type":"OPEN"}');
    // Second connection: stay silent like the stock server on a same-token re-attach.
  };
  const c = client();
  await c.open({ timeoutMs: 5000 });
  await until(() => seen[0]!.frames.includes('{"type":"HEARTBEAT"}'), 'heartbeats are sent');
  const disconnected = new Promise<void>((r) => c.once('disconnected', r));
  seen[0]!.socket.terminate();
  await disconnected;
  assert.equal(c.state, 'reconnecting');
  c.send({ type: 'OFFER', dst: 'bob', payload: { connectionId: 'dc_1' } });
  await c.whenOpen({ timeoutMs: 5000 });
  assert.equal(seen.length, 2);
  assert.equal(seen[1]!.query.get('id'), seen[0]!.query.get('id'));
  assert.equal(seen[1]!.query.get('token'), seen[0]!.query.get('token'));
  await until(
    () => seen[1]!.frames.some((f) => f.includes('"OFFER"')),
    'queued OFFER flushed after re-attach',
  );
  const offer = JSON.parse(seen[1]!.frames.find((f) => f.includes('"OFFER"'))!);
  assert.deepEqual(offer, { type: 'OFFER', payload: { connectionId: 'dc_1' }, dst: 'bob' });
  await c.close();
  assert.equal(c.state, 'closed');
  assert.throws(
    () => c.send({ type: 'OFFER', dst: 'bob', payload: {} }),
    (e) => isPeerError(e, PEER_ERROR.closed),
  );
});

test('broker errors map to stable codes and stop reconnecting', async () => {
  const cases: [string, string][] = [
    ['{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}', PEER_ERROR.idTaken],
    ['{"type":"INVALID-KEY","payload":{"msg":"x"}}', PEER_ERROR.invalidKey],
    ['{"type":"ERROR","payload":{"msg":"Invalid key provided"}}', PEER_ERROR.invalidKey],
    [
      '{"type":"ERROR","payload":{"msg":"Server has reached its concurrent user limit"}}',
      PEER_ERROR.serverError,
    ],
  ];
  for (const [frame, code] of cases) {
    seen.length = 0;
    onConnect = (s) => {
      s.socket.send(frame);
      s.socket.close();
    };
    const c = client();
    await assert.rejects(c.open({ timeoutMs: 5000 }), (e) => isPeerError(e, code as never));
    assert.equal(c.state, 'closed');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(seen.length, 1, 'no reconnect after a fatal error');
    await c.close();
  }
});

test('garbage frames are dropped without effect; relayed messages are delivered', async () => {
  seen.length = 0;
  onConnect = (s) => {
    s.socket.send('{"type":"OPEN"}');
    s.socket.send('not json');
    s.socket.send('{"type":"NOPE"}');
    s.socket.send('{"type":"OFFER","payload":{"x":1}}');
    s.socket.send('{"type":"EXPIRE","src":"carol","dst":"me"}');
  };
  const c = client();
  const got: unknown[] = [];
  c.on('message', (m) => got.push(m));
  await c.open({ timeoutMs: 5000 });
  await until(() => got.length === 1, 'EXPIRE delivered');
  assert.deepEqual(got, [{ type: 'EXPIRE', src: 'carol', payload: undefined }]);
  assert.equal(c.droppedFrames, 3);
  await c.close();
});

test('an invalid own id is refused before connecting; open times out with TIMEOUT when nothing answers', async () => {
  assert.throws(
    () => client({ id: 'bad id!' }),
    (e) => isPeerError(e, PEER_ERROR.invalidId),
  );
  seen.length = 0;
  onConnect = () => {};
  const c = client();
  await assert.rejects(c.open({ timeoutMs: 300 }), (e) => isPeerError(e, PEER_ERROR.timeout));
  await c.close();
  const d = client();
  await assert.rejects(d.open({ signal: AbortSignal.abort() }), (e) => isPeerError(e, PEER_ERROR.aborted));
  await d.close();
});
