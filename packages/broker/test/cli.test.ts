/**
 * The `enkrypted-broker` process end to end: TLS, API tokens, the insecure-bind refusal, health
 * and metrics, graceful shutdown.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { REPO_ROOT, startOurBroker } from '../../../tests/support/brokers.js';
import { WireClient } from '../../../tests/support/wire-client.js';
import { signApiToken } from '../src/auth/api-token.js';

const CLI = ['--conditions=source', '--import', 'tsx', join('packages', 'broker', 'src', 'cli.ts')];

function runCli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [...CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('enkrypted-broker CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'broker-test-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('--help documents every flag', () => {
    const r = runCli(['--help']);
    assert.equal(r.status, 0);
    for (const flag of [
      '--host',
      '--port',
      '--path',
      '--key',
      '--alive-timeout',
      '--expire-timeout',
      '--concurrent-limit',
      '--allow-discovery',
      '--tls-cert',
      '--tls-key',
      '--insecure',
      '--per-ip-limit',
      '--rate-limit',
      '--api-secret-file',
    ]) {
      assert.ok(r.stdout.includes(flag), flag);
    }
  });

  it('refuses a non-loopback address without TLS (exit 2, BROKER_INSECURE_BIND) and bad flags', () => {
    const r = runCli(['--host', '0.0.0.0', '--port', '0']);
    assert.equal(r.status, 2);
    assert.match(r.stdout + r.stderr, /BROKER_INSECURE_BIND/);
    const bad = runCli(['--port', 'nope']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /port must be a whole number/);
  });

  it('serves WSS and HTTPS with --tls-cert/--tls-key', async () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    const ca = readFileSync(cert);
    const b = await startOurBroker({ args: ['--tls-cert', cert, '--tls-key', key] });
    try {
      assert.match(b.output(), /"tls":true/);
      const ws = new WebSocket(`wss://127.0.0.1:${b.port}/peerjs?key=peerjs&id=tls1&token=t`, { ca });
      const first = await new Promise<string>((resolve, reject) => {
        ws.once('message', (d) => resolve(d.toString()));
        ws.once('error', reject);
      });
      assert.equal(first, '{"type":"OPEN"}');
      ws.close();
      const body = await new Promise<string>((resolve, reject) => {
        httpsGet(`https://127.0.0.1:${b.port}/peerjs/id`, { ca }, (res) => {
          let text = '';
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      assert.match(body, /^[0-9a-f-]{36}$/);
      // Plain ws to a TLS port does not get a WebSocket.
      const plain = await WireClient.connect(b.wsUrl('plain', 't'));
      assert.equal(plain.isOpen, false);
    } finally {
      await b.stop();
    }
  });

  it('requires a valid API token as the key when secrets are configured', async () => {
    const secretHex = 'a1'.repeat(32);
    const secretFile = join(dir, 'secrets');
    writeFileSync(secretFile, `# rotate: newest first\n${secretHex}\n`);
    const minted = runCli(['--mint-token', '600', '--api-secret-file', secretFile]);
    assert.equal(minted.status, 0, minted.stderr);
    const token = minted.stdout.trim();
    assert.match(token, /^v1\.\d+\.[A-Za-z0-9_-]{43}$/);
    const b = await startOurBroker({ args: ['--api-secret-file', secretFile] });
    try {
      const ok = await WireClient.register(b.wsUrl('withtoken', 't', token));
      await ok.close();
      const secret = Buffer.from(secretHex, 'hex');
      const expired = signApiToken(secret, Math.floor(Date.now() / 1000) - 1);
      const forged = signApiToken(Buffer.alloc(32, 1), Math.floor(Date.now() / 1000) + 600);
      for (const key of ['peerjs', expired, forged]) {
        const c = await WireClient.connect(b.wsUrl('notoken', 't', key));
        const f = await c.next();
        assert.equal(f.type, 'ERROR');
        assert.equal((f.payload as { msg: string }).msg, 'Invalid key provided');
        assert.equal((await c.closed).code, 4401);
      }
      const id = await fetch(b.httpUrl(`/${token}/id`));
      assert.equal(id.status, 200);
      await id.text();
      const denied = await fetch(b.httpUrl('/peerjs/id'));
      assert.equal(denied.status, 401);
      await denied.text();
      // Secrets never reach the logs.
      assert.ok(!b.output().includes(secretHex));
      assert.ok(!b.output().includes(token));
    } finally {
      await b.stop();
    }
  });

  it('reports health and metrics, and shuts down gracefully on SIGTERM (1001, exit 0)', async () => {
    const b = await startOurBroker({ env: { ENKRYPTED_BROKER_LOG_LEVEL: 'info' } });
    const a = await WireClient.register(b.wsUrl('mA', 'secret-token-a'));
    const c = await WireClient.register(b.wsUrl('mB', 't'));
    a.send({ type: 'OFFER', dst: 'mB', payload: { sdp: 'v=0 secret-sdp' } });
    await c.next((f) => f.type === 'OFFER');
    const health = await fetch(b.httpUrl('/healthz'));
    assert.deepEqual(await health.json(), { status: 'ok', peers: 2 });
    const metrics = await (await fetch(b.httpUrl('/metrics'))).text();
    assert.match(metrics, /^broker_peers_registered 2$/m);
    assert.match(metrics, /^broker_frames_relayed_total\{outcome="delivered"\} 1$/m);
    assert.match(metrics, /^broker_connections_accepted_total 2$/m);
    await b.stop();
    assert.equal((await a.closed).code, 1001);
    assert.equal((await c.closed).code, 1001);
    assert.equal(b.exitCode(), 0);
    assert.match(b.output(), /"msg":"shutting down"/);
    for (const secret of ['secret-token-a', 'secret-sdp']) assert.ok(!b.output().includes(secret), secret);
  });
});
