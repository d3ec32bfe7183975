/** TURN settings: secret from a file or the environment, bounds, URL syntax, flags. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseCli } from '../../src/cli-options.js';
import { isBrokerError } from '../../src/errors.js';
import { resolveOptions } from '../../src/options.js';
import { resolveTurnOptions, secretFromText } from '../../src/turn/config.js';
import { DEFAULT_TURN_TTL_SECONDS } from '../../src/turn/limits.js';

const SECRET = 'a'.repeat(64);
const URL = 'turn:127.0.0.1:3478?transport=udp';

describe('TURN options', () => {
  const dir = mkdtempSync(join(tmpdir(), 'turn-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('are off by default', () => {
    const o = resolveOptions({});
    assert.equal(o.turn.secret, undefined);
    assert.equal(o.turn.ttlSeconds, DEFAULT_TURN_TTL_SECONDS);
  });

  it('read the first secret line of a file, skipping comments, and forget the path', () => {
    const file = join(dir, 'secret');
    writeFileSync(file, `# coturn static-auth-secret\n\n${SECRET}\nsecond-line-ignored\n`);
    const o = resolveTurnOptions({ secretFile: file, urls: [URL] });
    assert.equal(o.secret, SECRET);
    assert.equal(o.secretFile, undefined);
    assert.equal(secretFromText('# only a comment\n'), undefined);
  });

  it('refuse bad secrets, lifetimes and URLs with BROKER_INVALID_OPTION and never echo the secret', () => {
    const cases: Parameters<typeof resolveTurnOptions>[0][] = [
      { secret: 'short', urls: [URL] },
      { secret: `${'b'.repeat(40)} x`, urls: [URL] },
      { secret: SECRET, urls: [] },
      { secret: SECRET, urls: ['stun:127.0.0.1:3478'] },
      { secret: SECRET, urls: [URL], ttlSeconds: 59 },
      { secret: SECRET, urls: [URL], ttlSeconds: 86401 },
      { urls: ['http://example.com'] },
      { urls: ['turn:user:pass@host:3478'] },
      { urls: Array.from({ length: 17 }, () => URL) },
      { secretFile: join(dir, 'missing') },
    ];
    for (const c of cases) {
      assert.throws(
        () => resolveTurnOptions(c),
        (err: unknown) =>
          isBrokerError(err, 'BROKER_INVALID_OPTION') &&
          !err.message.includes(SECRET) &&
          !err.message.includes('short'),
      );
    }
  });

  it('accept udp, tcp, tls and IPv6 URLs', () => {
    const urls = [
      'turn:turn.example:3478?transport=udp',
      'turn:turn.example:3478?transport=tcp',
      'turns:turn.example:5349',
      'stun:[::1]:3478',
    ];
    assert.deepEqual(resolveTurnOptions({ secret: SECRET, urls }).urls, urls);
  });

  it('come from flags and the environment', () => {
    const plan = parseCli(['--turn-url', URL, '--turn-url', 'turns:t.example:5349', '--turn-ttl', '600'], {
      ENKRYPTED_BROKER_TURN_SECRET: SECRET,
    });
    const o = resolveOptions(plan.options);
    assert.equal(o.turn.secret, SECRET);
    assert.deepEqual(o.turn.urls, [URL, 'turns:t.example:5349']);
    assert.equal(o.turn.ttlSeconds, 600);
  });
});
