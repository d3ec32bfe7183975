/**
 * A restarted remote: the peer at the other end of a Ready session is SIGKILLed and comes back under
 * the same id and token (a crashed tab or CLI started again). Nobody touches the survivor: its
 * connection must notice the loss, dial the new process with a recovery offer, learn from the
 * session-resume exchange that the remote lost its crypto state, run a new handshake and carry
 * messages again — including the ones written while the remote was gone. And a remote that only
 * freezes (SIGSTOP, as a suspended laptop) and thaws resumes its session without a new handshake.
 */
import assert from 'node:assert/strict';
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generatePeerId, generateToken, type Peer, Session } from '@enkrypted/peer';
import { type BrokerUnderTest, startOurBroker } from '../support/brokers.js';
import { type FixtureStats, fixtureHandshake } from './fixture-handshake.js';
import { collect, openPeer, within } from './support.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dec = new TextDecoder();
const text = (v: unknown) => (typeof v === 'string' ? v : dec.decode(v as Uint8Array));

type Child = ChildProcessByStdio<null, Readable, Readable>;

/** Starts the echoing remote and resolves once it is registered on the broker. */
async function startRemote(broker: BrokerUnderTest, id: string, token: string) {
  const child: Child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      'tests/peer/fixtures/restartable-peer.ts',
      broker.host,
      String(broker.port),
      id,
      token,
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const events: string[] = [];
  let log = '';
  const waiters: Array<{ event: string; resolve: () => void }> = [];
  child.stderr.on('data', (d: Buffer) => {
    log += d.toString();
  });
  let partial = '';
  child.stdout.on('data', (d: Buffer) => {
    partial += d.toString();
    for (let nl = partial.indexOf('\n'); nl >= 0; nl = partial.indexOf('\n')) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      if (!line.startsWith('{"event"')) continue; // not ours (diagnostics of the libraries)
      const event = (JSON.parse(line) as { event: string }).event;
      events.push(event);
      for (const w of waiters.filter((x) => x.event === event)) w.resolve();
    }
  });
  const next = (event: string, count = 1) =>
    within(
      new Promise<void>((resolve) => {
        const check = () => events.filter((e) => e === event).length >= count;
        if (check()) return resolve();
        waiters.push({ event, resolve: () => check() && resolve() });
      }),
      40_000,
      `remote event ${event} #${count} (stderr: ${log.slice(-500)})`,
    );
  await next('registered');
  return {
    child,
    next,
    kill: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
    freeze: () => child.kill('SIGSTOP'),
    thaw: () => child.kill('SIGCONT'),
  };
}

function whenState(session: Session, state: string, what: string): Promise<void> {
  return within(
    new Promise<void>((resolve) => {
      if (session.state === state) return resolve();
      const off = session.on('state', (s) => {
        if (s === state) {
          off();
          resolve();
        }
      });
    }),
    60_000,
    what,
  );
}

describe('recovery across a restart of the remote process', () => {
  let broker: BrokerUnderTest;
  let survivor: Peer;
  const remotes: Child[] = [];
  before(async () => {
    broker = await startOurBroker();
    survivor = await openPeer(broker);
  });
  after(async () => {
    for (const c of remotes) c.kill('SIGKILL');
    await survivor.close();
    await broker.stop();
  });

  test('the survivor re-handshakes with the restarted remote and outage messages arrive', async () => {
    const id = generatePeerId();
    const token = generateToken();
    const first = await startRemote(broker, id, token);
    remotes.push(first.child);
    const stats: FixtureStats = { handshakes: 0 };
    const session = Session.dial(survivor, id, {
      handshake: fixtureHandshake(stats),
      handshakeTimeoutMs: 30_000,
    });
    const states: string[] = [];
    session.on('state', (s) => states.push(s));
    await session.ready({ timeoutMs: 30_000 });
    const before = collect(session, 1, 'message');
    await session.send('before');
    assert.deepEqual((await before).map(text), ['echo:before']);

    await first.kill();
    await whenState(session, 'Disconnected', 'the survivor to notice the loss');
    // Written while nobody is at the other end: held until the new handshake, then delivered in order.
    const during = collect(session, 3, 'message', 90_000);
    const sends = ['one', 'two', 'three'].map((m) => session.send(m));

    const second = await startRemote(broker, id, token);
    remotes.push(second.child);
    await second.next('ready');
    await Promise.all(sends);
    assert.deepEqual((await during).map(text), ['echo:one', 'echo:two', 'echo:three']);
    assert.equal(stats.handshakes, 2, 'a fresh handshake, not a resume of lost state');
    assert.equal(session.state, 'Ready');
    assert.ok(states.includes('CryptoHandshaking'), `states: ${states.join(' → ')}`);
    await session.close();
  });

  test('a remote that freezes (SIGSTOP) is noticed by the keep-alive; after it thaws the session resumes', async (t) => {
    const id = generatePeerId();
    const remote = await startRemote(broker, id, generateToken());
    remotes.push(remote.child);
    const stats: FixtureStats = { handshakes: 0 };
    const session = Session.dial(survivor, id, {
      handshake: fixtureHandshake(stats),
      handshakeTimeoutMs: 30_000,
    });
    await session.ready({ timeoutMs: 30_000 });
    const first = collect(session, 1, 'message');
    await session.send('awake');
    assert.deepEqual((await first).map(text), ['echo:awake']);

    // A frozen process answers nothing (no ICE, no DTLS, no SCTP) yet closes nothing either: only
    // silence tells, and the keep-alive turns it into a lost path long before ICE consent expires.
    const frozenAt = Date.now();
    remote.freeze();
    await whenState(session, 'Disconnected', 'the survivor to notice the silence');
    t.diagnostic(`silence noticed after ${Date.now() - frozenAt} ms`);
    const during = collect(session, 2, 'message', 90_000);
    const sends = ['while frozen 1', 'while frozen 2'].map((m) => session.send(m));
    remote.thaw();
    await Promise.all(sends);
    assert.deepEqual((await during).map(text), ['echo:while frozen 1', 'echo:while frozen 2']);
    assert.equal(session.state, 'Ready');
    assert.equal(stats.handshakes, 1, 'resumed with the crypto state both sides kept');
    await session.close();
  });
});
