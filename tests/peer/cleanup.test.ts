/**
 * close() releases everything: sockets, timers, peer connections. Checked two ways: the resources
 * the process reports after close, and a child process that must exit by itself.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { type DataConnection, isPeerError, PEER_ERROR } from '@enkrypted/peer';
import { type BrokerUnderTest, REPO_ROOT, startOurBroker } from '../support/brokers.js';
import { openPeer } from './support.js';

/** Counts active resources by kind. */
function census(): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

describe('cleanup', () => {
  let broker: BrokerUnderTest;
  before(async () => {
    broker = await startOurBroker();
  });
  after(async () => {
    await broker.stop();
  });

  test('after close(), no socket or timer of ours is left in this process', async () => {
    await new Promise((r) => setTimeout(r, 50));
    const baseline = census();
    const a = await openPeer(broker, { pingIntervalMs: 1000 });
    const b = await openPeer(broker, { pingIntervalMs: 1000 });
    const incoming = new Promise<DataConnection>((r) => b.once('connection', r));
    const conn = await a.connect(b.id);
    await (await incoming).whenOpen();
    assert.ok(
      (census().get('TCPSocketWrap') ?? 0) > (baseline.get('TCPSocketWrap') ?? 0),
      'sockets were open',
    );
    await a.close();
    await b.close();
    await assert.rejects(conn.send('x'), (err) => isPeerError(err, PEER_ERROR.closed));
    await assert.rejects(a.connect(b.id), (err) => isPeerError(err, PEER_ERROR.closed));
    // Socket handles disappear once their close callbacks ran.
    await new Promise((r) => setTimeout(r, 100));
    const now = census();
    for (const kind of ['TCPSocketWrap', 'TCPWrap', 'UDPWrap', 'Timeout']) {
      assert.ok(
        (now.get(kind) ?? 0) <= (baseline.get(kind) ?? 0),
        `${kind} left behind: ${JSON.stringify([...now])}`,
      );
    }
  });

  test('a process that opened peers and a connection exits by itself after close()', async () => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        'tests/peer/fixtures/open-close.ts',
        broker.host,
        String(broker.port),
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 30_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    assert.equal(exited, 0, `child did not exit by itself: ${out}`);
    assert.match(out, /closed/);
  });
});
