/**
 * `POST {path}{key}/turn-credentials`: credentials only for a peer registered with that id and
 * token, in the TURN REST format, bounded, rate-limited, with CORS like every route, and no secret,
 * token or password in the logs.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { WebSocket } from 'ws';
import { signApiToken } from '../../src/auth/api-token.js';
import type { TurnCredentialsResponse } from '../../src/http/turn-credentials.js';
import { createBroker } from '../../src/server.js';
import { turnPassword } from '../../src/turn/credentials.js';
import { TURN_RATE_BURST } from '../../src/turn/limits.js';

const SECRET = 'f'.repeat(64);
const URLS = ['turn:127.0.0.1:3478?transport=udp', 'turns:127.0.0.1:5349'];
const TOKEN = 'tok-0123456789';

async function register(port: number, id: string, token: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/peerjs?key=peerjs&id=${id}&token=${token}`);
  const [data] = (await once(ws, 'message')) as [Buffer];
  assert.equal(JSON.parse(data.toString()).type, 'OPEN');
  return ws;
}

describe('TURN credentials endpoint', () => {
  const logLines: string[] = [];
  const logger = pino(
    { level: 'trace' },
    new Writable({
      write(chunk, _enc, cb) {
        logLines.push(String(chunk));
        cb();
      },
    }),
  );
  let broker: ReturnType<typeof createBroker>;
  let url: string;
  let ws: WebSocket;

  before(async () => {
    broker = createBroker({
      port: 0,
      logger,
      turn: { secret: SECRET, secretFile: undefined, urls: URLS, ttlSeconds: 600 },
    });
    await broker.start();
    url = `http://127.0.0.1:${broker.port}/peerjs/turn-credentials`;
    ws = await register(broker.port, 'alice', TOKEN);
  });
  after(async () => {
    ws.close();
    await broker.stop();
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  it('issues coturn REST credentials for a registered peer', async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await post(JSON.stringify({ id: 'alice', token: TOKEN }), { origin: 'https://app.example' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const body = (await r.json()) as TurnCredentialsResponse;
    assert.match(body.username, /^\d+:alice$/);
    const expiry = Number(body.username.split(':')[0]);
    assert.equal(body.expiresAt, expiry);
    assert.ok(expiry >= before + 600 && expiry <= Math.floor(Date.now() / 1000) + 600);
    assert.equal(body.ttl, 600);
    assert.equal(body.password, turnPassword(SECRET, body.username));
    assert.deepEqual(body.uris, URLS);
  });

  it('answers the CORS preflight', async () => {
    const r = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(r.status, 204);
    assert.match(r.headers.get('access-control-allow-methods') ?? '', /POST/);
  });

  it('refuses unknown ids, malformed bodies, other methods and oversized bodies', async () => {
    assert.equal((await post(JSON.stringify({ id: 'bob', token: TOKEN }))).status, 403);
    for (const bad of [
      '',
      'null',
      '[]',
      '{"id":"alice"}',
      '{"id":"a:b","token":"t"}',
      '{"id":"alice","token":"a b"}',
      'x'.repeat(100),
    ]) {
      assert.equal((await post(bad)).status, 400, bad);
    }
    assert.equal((await fetch(url)).status, 405);
    assert.equal((await post('x'.repeat(4096))).status, 413);
  });

  it('refuses a registered id presented with another token', async () => {
    assert.equal((await post(JSON.stringify({ id: 'alice', token: 'not-the-token' }))).status, 403);
  });

  it('counts relayed candidates by type without recording addresses', async () => {
    const text = await (await fetch(`http://127.0.0.1:${broker.port}/metrics`)).text();
    assert.match(text, /broker_relayed_candidates_total\{type="host"\} 0/);
  });

  it('rate-limits per address (after the burst)', async () => {
    let limited = false;
    for (let i = 0; i < TURN_RATE_BURST + 2 && !limited; i++) {
      limited = (await post(JSON.stringify({ id: 'alice', token: TOKEN }))).status === 429;
    }
    assert.ok(limited);
  });

  it('never logs the secret, the token or a password', () => {
    const all = logLines.join('');
    assert.ok(all.length > 0);
    assert.ok(!all.includes(SECRET));
    assert.ok(!all.includes(TOKEN));
    assert.doesNotMatch(all, /"password"/);
  });
});

describe('TURN credentials endpoint, off and behind API tokens', () => {
  it('is 404 without a TURN secret', async () => {
    const broker = createBroker({ port: 0 });
    await broker.start();
    try {
      const r = await fetch(`http://127.0.0.1:${broker.port}/peerjs/turn-credentials`, {
        method: 'POST',
        body: '{}',
      });
      assert.equal(r.status, 404);
    } finally {
      await broker.stop();
    }
  });

  it('needs a valid API token as key when API tokens are on', async () => {
    const apiSecret = new Uint8Array(32).fill(7);
    const broker = createBroker({
      port: 0,
      apiSecrets: [apiSecret],
      turn: { secret: SECRET, secretFile: undefined, urls: URLS, ttlSeconds: 600 },
    });
    await broker.start();
    const key = signApiToken(apiSecret, Math.floor(Date.now() / 1000) + 600);
    const ws = new WebSocket(`ws://127.0.0.1:${broker.port}/peerjs?key=${key}&id=carol&token=${TOKEN}`);
    await once(ws, 'message');
    try {
      const body = JSON.stringify({ id: 'carol', token: TOKEN });
      const base = `http://127.0.0.1:${broker.port}`;
      assert.equal((await fetch(`${base}/peerjs/turn-credentials`, { method: 'POST', body })).status, 401);
      assert.equal((await fetch(`${base}/${key}/turn-credentials`, { method: 'POST', body })).status, 200);
    } finally {
      ws.close();
      await broker.stop();
    }
  });
});
