/**
 * The CLI end to end in relay-only mode: two `enkrypted chat` processes with `--turn-from-broker
 * --relay-only` reach Ready (cascade handshake, channel binding over the DTLS fingerprints of the
 * relayed transport) and exchange a message through a real coturn; only relay candidates cross the
 * broker.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Running, runCli, runToEnd, tempDir } from '../../apps/cli/test/support.js';
import type { BrokerUnderTest } from '../support/brokers.js';
import { COTURN_MISSING, type Coturn, startCoturn } from './coturn.js';
import { relayedCandidateCounts, startTurnBroker } from './support.js';

describe('CLI chat in relay-only mode through coturn', { skip: COTURN_MISSING }, () => {
  let coturn: Coturn;
  let broker: BrokerUnderTest;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const running: Running[] = [];

  before(async () => {
    dir = await tempDir();
    coturn = await startCoturn();
    broker = await startTurnBroker(coturn, dir.path);
  });
  after(async () => {
    for (const r of running) r.kill();
    await broker?.stop();
    await coturn?.stop();
    await dir?.remove();
  });

  it('two relay-only CLIs reach Ready and chat; the broker relays relay candidates only', async () => {
    const home = (who: string) => ['--home', join(dir.path, who)];
    const aliceId = String((await runToEnd([...home('alice'), '--json', 'id'])).events[0]?.id);
    const bobId = String((await runToEnd([...home('bob'), '--json', 'id'])).events[0]?.id);
    const common = [
      '--json',
      '--broker',
      `http://127.0.0.1:${broker.port}${broker.path}`,
      '--bind',
      '127.0.0.1',
      '--turn-from-broker',
      '--relay-only',
    ];
    const before = await relayedCandidateCounts(broker);
    const bob = runCli([...home('bob'), ...common, 'chat', aliceId, '--wait']);
    running.push(bob);
    await bob.waitFor((e) => e.event === 'listening', 'bob registered');
    const alice = runCli([...home('alice'), ...common, 'chat', bobId]);
    running.push(alice);
    const aliceReady = await alice.waitFor((e) => e.event === 'ready', 'alice ready');
    const bobReady = await bob.waitFor((e) => e.event === 'ready', 'bob ready');
    assert.equal(aliceReady.encrypted, true);
    assert.equal(aliceReady.safetyNumber, bobReady.safetyNumber);
    alice.send('through the relay');
    const atBob = await bob.waitFor((e) => e.event === 'message', 'message at bob');
    assert.equal(atBob.text, 'through the relay');
    alice.endInput();
    assert.equal(await alice.exited, 0);
    bob.endInput();
    await bob.exited;
    const after = await relayedCandidateCounts(broker);
    assert.ok((after.relay ?? 0) > (before.relay ?? 0));
    for (const type of ['host', 'srflx', 'prflx']) assert.equal(after[type], before[type], type);
  });
});
