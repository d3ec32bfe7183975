import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCli, parseSecrets } from '../src/cli-options.js';
import { BROKER_ERROR, isBrokerError } from '../src/errors.js';
import { DEFAULT_OPTIONS, isLoopbackHost, normalizePath, resolveOptions } from '../src/options.js';

describe('CLI options', () => {
  it('gives the documented defaults', () => {
    const plan = parseCli([], {});
    assert.equal(plan.kind, 'serve');
    const o = resolveOptions(plan.options);
    assert.equal(o.host, '127.0.0.1');
    assert.equal(o.port, 9000);
    assert.equal(o.path, '/');
    assert.equal(o.key, 'peerjs');
    assert.equal(o.allowDiscovery, false);
    assert.equal(o.aliveTimeoutMs, DEFAULT_OPTIONS.aliveTimeoutMs);
    assert.equal(o.metrics, true);
  });

  it('reads flags, and environment variables when a flag is absent', () => {
    const plan = parseCli(
      ['--port', '0', '--alive-timeout', '1500', '--allow-discovery', '--cors', 'https://a,https://b'],
      {
        ENKRYPTED_BROKER_EXPIRE_TIMEOUT: '700',
        ENKRYPTED_BROKER_PORT: '1234',
        ENKRYPTED_BROKER_PER_IP_LIMIT: '9',
      },
    );
    assert.equal(plan.options.port, 0);
    assert.equal(plan.options.aliveTimeoutMs, 1500);
    assert.equal(plan.options.expireTimeoutMs, 700);
    assert.equal(plan.options.perIpLimit, 9);
    assert.equal(plan.options.allowDiscovery, true);
    assert.deepEqual(plan.options.corsOrigins, ['https://a', 'https://b']);
  });

  it('rejects malformed numbers and unknown flags with BROKER_INVALID_OPTION', () => {
    for (const argv of [
      ['--port', 'abc'],
      ['--port', '70000'],
      ['--rate-limit', '-1'],
      ['--bogus'],
      ['--log-level', 'loud'],
    ]) {
      assert.throws(
        () => resolveOptions(parseCli(argv, {}).options),
        (err) => isBrokerError(err, BROKER_ERROR.invalidOption),
        argv.join(' '),
      );
    }
  });

  it('needs both TLS files', () => {
    assert.throws(
      () => parseCli(['--tls-cert', 'c.pem'], {}),
      (err) => isBrokerError(err, BROKER_ERROR.tlsFiles),
    );
  });

  it('refuses a non-loopback bind without TLS unless --insecure', () => {
    assert.throws(
      () => resolveOptions(parseCli(['--host', '0.0.0.0'], {}).options),
      (err) => isBrokerError(err, BROKER_ERROR.insecureBind),
    );
    assert.equal(resolveOptions(parseCli(['--host', '0.0.0.0', '--insecure'], {}).options).insecure, true);
    assert.equal(resolveOptions({ host: '0.0.0.0', tls: { cert: 'c', key: 'k' } }).host, '0.0.0.0');
  });

  it('mints tokens only with a ttl', () => {
    const plan = parseCli(['--mint-token', '3600'], { ENKRYPTED_BROKER_API_SECRET: 'ab'.repeat(32) });
    assert.equal(plan.kind, 'mint-token');
    assert.equal(plan.tokenTtlSeconds, 3600);
    assert.equal(plan.apiSecretEnv, 'ab'.repeat(32));
  });

  it('parses secret files: hex or base64, comments and blanks ignored; short secrets refused', () => {
    const secrets = parseSecrets(
      `# current\n${'0f'.repeat(32)}\n\n${Buffer.alloc(32, 7).toString('base64')}\n`,
    );
    assert.equal(secrets.length, 2);
    assert.equal(secrets[0]!.length, 32);
    assert.deepEqual([...secrets[1]!], Array(32).fill(7));
    assert.throws(
      () => resolveOptions({ apiSecrets: parseSecrets('abcd') }),
      (err) => isBrokerError(err, BROKER_ERROR.apiSecret),
    );
    assert.throws(
      () => parseSecrets('not a secret!'),
      (err) => isBrokerError(err, BROKER_ERROR.apiSecret),
    );
  });

  it('normalises paths and recognises loopback hosts', () => {
    assert.equal(normalizePath('myapp'), '/myapp/');
    assert.equal(normalizePath('/a/b/'), '/a/b/');
    assert.equal(isLoopbackHost('127.0.0.1'), true);
    assert.equal(isLoopbackHost('127.1.2.3'), true);
    assert.equal(isLoopbackHost('::1'), true);
    assert.equal(isLoopbackHost('localhost'), true);
    assert.equal(isLoopbackHost('0.0.0.0'), false);
    assert.equal(isLoopbackHost('10.0.0.1'), false);
  });
});
