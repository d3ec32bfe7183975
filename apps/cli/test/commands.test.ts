import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runToEnd, tempDir } from './support.js';

describe('enkrypted commands without a network', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await dir.remove();
  });

  it('creates the identity once: the id is stable across runs, folder 0700 and files 0600', async () => {
    const home = join(dir.path, 'me');
    const first = await runToEnd(['--home', home, '--json', 'id']);
    const second = await runToEnd(['--home', home, '--json', 'id']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.events[0]?.created, true);
    assert.equal(second.events[0]?.created, false);
    assert.match(String(first.events[0]?.id), /^[0-9a-f]{32}$/);
    assert.equal(second.events[0]?.id, first.events[0]?.id);
    assert.equal((await stat(home)).mode & 0o777, 0o700);
    assert.equal((await stat(join(home, 'identity.json'))).mode & 0o777, 0o600);
    const human = await runToEnd(['--home', home, 'id']);
    assert.equal(human.events[0]?.line, first.events[0]?.id); // plain mode prints just the id
    assert.doesNotMatch(await readFile(join(home, 'identity.json'), 'utf8'), /BEGIN|undefined/);
  });

  it('refuses a home folder or identity file that others can read', async () => {
    const home = join(dir.path, 'open');
    await runToEnd(['--home', home, 'id']);
    await chmod(join(home, 'identity.json'), 0o644);
    const file = await runToEnd(['--home', home, '--json', 'id']);
    assert.equal(file.code, 5);
    assert.equal(file.events[0]?.code, 'CLI_HOME_INSECURE');
    await chmod(join(home, 'identity.json'), 0o600);
    await chmod(home, 0o755);
    const folder = await runToEnd(['--home', home, '--json', 'id']);
    assert.equal(folder.events[0]?.code, 'CLI_HOME_INSECURE');
  });

  it('reports a corrupt identity file without a stack trace', async () => {
    const home = join(dir.path, 'corrupt');
    await mkdir(home, { mode: 0o700 });
    await writeFile(join(home, 'identity.json'), '{not json', { mode: 0o600 });
    const r = await runToEnd(['--home', home, 'id']);
    assert.equal(r.code, 5);
    assert.match(r.stderr, /CLI_HOME_CORRUPT/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('gives usage errors (exit 2) for malformed arguments', async () => {
    const home = ['--home', join(dir.path, 'me')];
    const own = String((await runToEnd([...home, '--json', 'id'])).events[0]?.id);
    const cases: [string[], string][] = [
      [['--json', 'chat'], 'CLI_USAGE'],
      [['--json', '--bogus', 'id'], 'CLI_USAGE'],
      [['--json', 'frobnicate'], 'CLI_USAGE'],
      [['--json'], 'CLI_USAGE'],
      [['--json', 'chat', 'bad!id'], 'CLI_INVALID_PEER_ID'],
      [['--json', 'chat', 'x'.repeat(65)], 'CLI_INVALID_PEER_ID'],
      [['--json', 'chat', own], 'CLI_OWN_PEER_ID'],
      [['--json', '--broker', 'not a url', 'chat', 'abc'], 'CLI_USAGE'],
      [['--json', '--broker', 'ftp://x/', 'chat', 'abc'], 'CLI_USAGE'],
      [['--json', '--turn', 'turn:127.0.0.1:3478', 'chat', 'abc'], 'CLI_USAGE'],
      [['--json', '--stun', 'http://x', 'chat', 'abc'], 'CLI_USAGE'],
    ];
    for (const [args, code] of cases) {
      const r = await runToEnd([...home, ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${JSON.stringify(r.events)} ${r.stderr}`);
      assert.equal(r.events.length, 1, args.join(' '));
      assert.equal(r.events[0]?.event, 'error');
      assert.equal(r.events[0]?.code, code, args.join(' '));
    }
  });

  it('refuses an unreadable file to send before connecting', async () => {
    const home = ['--home', join(dir.path, 'me'), '--json', '--broker', 'http://127.0.0.1:9/'];
    const missing = await runToEnd([...home, 'send', 'abc', join(dir.path, 'nope.bin')]);
    assert.equal(missing.code, 5);
    assert.equal(missing.events[0]?.code, 'CLI_FILE_UNREADABLE');
    const folder = await runToEnd([...home, 'send', 'abc', dir.path]);
    assert.equal(folder.events[0]?.code, 'CLI_FILE_UNREADABLE');
  });

  it('verify needs a pinned contact', async () => {
    const r = await runToEnd(['--home', join(dir.path, 'me'), '--json', 'verify', 'someone-else']);
    assert.equal(r.code, 4);
    assert.equal(r.events[0]?.code, 'CLI_NOT_PINNED');
  });
});
