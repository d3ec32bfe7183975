/**
 * `--static`: the broker serves a built web app on its own port next to the PeerJS routes (the
 * product command), with the build's security headers, and never lets a request path reach the
 * file system.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { isBrokerError, loadStaticSite } from '../../src/index.js';
import { createBroker } from '../../src/server.js';

const CSP = "default-src 'self'; script-src 'self'";

function makeSite(): string {
  const dir = mkdtempSync(join(tmpdir(), 'static-site-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(dir, 'security-headers.json'), JSON.stringify({ 'Content-Security-Policy': CSP }));
  return dir;
}

describe('static site next to the broker', () => {
  let dir: string;
  let outside: string;
  let broker: ReturnType<typeof createBroker>;
  let base: string;

  before(async () => {
    dir = makeSite();
    outside = mkdtempSync(join(tmpdir(), 'outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'do not serve');
    broker = createBroker({ port: 0, staticSite: loadStaticSite(dir) });
    await broker.start();
    base = `http://127.0.0.1:${broker.port}`;
  });
  after(async () => {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('serves index.html at / with the build security headers', async () => {
    const r = await fetch(`${base}/`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(r.headers.get('content-security-policy'), CSP);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    assert.equal(await r.text(), '<!doctype html><title>app</title>');
  });

  it('serves hashed assets as immutable with the right type', async () => {
    const r = await fetch(`${base}/assets/index-abc.js`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(r.headers.get('cache-control') ?? '', /immutable/);
  });

  it('falls back to index.html for client-side routes, 404 for missing files', async () => {
    assert.equal((await fetch(`${base}/chat/some-contact`)).status, 200);
    assert.equal((await fetch(`${base}/assets/missing.js`)).status, 404);
  });

  it('never serves the headers file or anything outside the folder', async () => {
    assert.equal((await fetch(`${base}/security-headers.json`)).status, 404);
    for (const p of [
      '/../outside/secret.txt',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2fetc%2fpasswd.js',
    ]) {
      const r = await fetch(`${base}${p}`);
      assert.notEqual(await r.text(), 'do not serve');
      assert.ok(r.status === 404 || r.status === 200, `unexpected ${r.status} for ${p}`);
      if (r.status === 200)
        assert.equal(await (await fetch(`${base}/`)).text(), '<!doctype html><title>app</title>');
    }
  });

  it('keeps the PeerJS routes working on the same port', async () => {
    const id = await (await fetch(`${base}/peerjs/id`)).text();
    assert.match(id, /^[0-9a-f-]{36}$/);
    const ws = new WebSocket(`ws://127.0.0.1:${broker.port}/peerjs?key=peerjs&id=${id}&token=tok123`);
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (d) => resolve(String(d)));
      ws.once('error', reject);
    });
    assert.deepEqual(JSON.parse(first), { type: 'OPEN' });
    ws.close();
  });

  it('refuses a folder without index.html or that does not exist', () => {
    const empty = mkdtempSync(join(tmpdir(), 'empty-site-'));
    try {
      assert.throws(
        () => loadStaticSite(empty),
        (e: unknown) => isBrokerError(e),
      );
      assert.throws(
        () => loadStaticSite(join(empty, 'nope')),
        (e: unknown) => isBrokerError(e),
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses a security-headers.json that could inject headers', () => {
    const bad = makeSite();
    try {
      writeFileSync(join(bad, 'security-headers.json'), JSON.stringify({ 'X-A': 'ok\r\nSet-Cookie: x=1' }));
      assert.throws(
        () => loadStaticSite(bad),
        (e: unknown) => isBrokerError(e),
      );
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});
