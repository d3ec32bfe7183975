/**
 * Network fault: the WebRTC path between two sessions is torn down underneath them (the real
 * RTCPeerConnection of one side is closed, as when an interface or NAT binding dies). Nobody calls
 * any API afterwards: the sessions must go Ready → Disconnected → DataChannelOpen → Ready (P7.4, crypto
 * intact, no second handshake) by themselves, and messages sent during the outage must arrive after
 * recovery, in order — or be rejected to the caller when recovery is impossible.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DataConnection, isPeerError, PEER_ERROR, Session, type SessionOptions } from '@enkrypted/peer';
import { type BrokerUnderTest, startOurBroker } from '../support/brokers.js';
import { fixtureHandshake } from './fixture-handshake.js';
import { collect, openPeer, within } from './support.js';

const dec = new TextDecoder();
const text = (v: unknown) => dec.decode(v as Uint8Array);

function waitState(s: Session, state: string): Promise<void> {
  return new Promise((resolve) => {
    if (s.state === state) resolve();
    const off = s.on('state', (st) => {
      if (st === state) {
        off();
        resolve();
      }
    });
  });
}

async function readyPair(broker: BrokerUnderTest, options: SessionOptions, extra = {}) {
  const a = await openPeer(broker, extra);
  const b = await openPeer(broker, extra);
  const statesA: string[] = [];
  const statesB: string[] = [];
  const accepted = new Promise<Session>((resolve) =>
    b.once('connection', (conn: DataConnection) => resolve(Session.accept(conn, options))),
  );
  const sa = Session.dial(a, b.id, options);
  const failed = new Promise<never>((_, reject) =>
    sa.on('close', (reason) =>
      reject(new Error(`dial failed: ${reason?.code ?? 'closed'} ${reason?.message ?? ''}`)),
    ),
  );
  // Only the race observes `failed`; later closes of sa must not surface as unhandled rejections.
  failed.catch(() => undefined);
  const sb = await within(Promise.race([accepted, failed]), 40_000, 'the incoming connection');
  await Promise.all([sa.ready({ timeoutMs: 20_000 }), sb.ready({ timeoutMs: 20_000 })]);
  sa.on('state', (s) => statesA.push(s));
  sb.on('state', (s) => statesB.push(s));
  return { a, b, sa, sb, statesA, statesB };
}

describe('network fault and recovery', () => {
  let broker: BrokerUnderTest;
  before(async () => {
    broker = await startOurBroker();
  });
  after(async () => {
    await broker.stop();
  });

  for (const cut of ['responder', 'initiator'] as const) {
    test(`path cut on the ${cut} side: sessions recover by themselves, outage messages delivered in order`, async () => {
      const stats = { handshakes: 0 };
      const { a, b, sa, sb, statesA, statesB } = await readyPair(broker, {
        handshake: fixtureHandshake(stats),
      });
      try {
        const atB = collect(sb, 6, 'message', 15_000);
        const atA = collect(sa, 3, 'message');
        await sa.send('before-1');
        await sa.send('before-2');
        const down = Promise.all([waitState(sa, 'Disconnected'), waitState(sb, 'Disconnected')]);
        const victim = (cut === 'responder' ? sb : sa).connection!.peerConnection!;
        victim.close();
        await down;
        // Sent while the path is down: queued by the session, not lost.
        const during = [sa.send('during-1'), sa.send('during-2'), sb.send('b-during-1')];
        await Promise.all([waitState(sa, 'Ready'), waitState(sb, 'Ready')]);
        await Promise.all(during);
        await sa.send('after-1');
        await sa.send('after-2');
        await sb.send('b-after-1');
        await sb.send('b-after-2');
        assert.deepEqual((await atB).map(text), [
          'before-1',
          'before-2',
          'during-1',
          'during-2',
          'after-1',
          'after-2',
        ]);
        assert.deepEqual((await atA).map(text), ['b-during-1', 'b-after-1', 'b-after-2']);
        for (const states of [statesA, statesB]) {
          assert.deepEqual(states, ['Disconnected', 'DataChannelOpen', 'Ready']);
        }
        assert.equal(stats.handshakes, 2, 'crypto state was intact: no second handshake');
      } finally {
        await a.close();
        await b.close();
      }
    });
  }

  test('when the path cannot be restored, queued messages are rejected with RECOVERY_FAILED', async () => {
    const { a, b, sa, sb } = await readyPair(
      broker,
      { handshake: fixtureHandshake() },
      { recoveryTimeoutMs: 3_000 },
    );
    try {
      // The remote vanishes abruptly: its transport dies and it leaves the broker without a word.
      sb.on('state', (s) => {
        if (s === 'Disconnected') void b.close();
      });
      const down = waitState(sa, 'Disconnected');
      sb.connection!.peerConnection!.close();
      await down;
      const queued = [sa.send('lost-1'), sa.send('lost-2')];
      for (const p of queued) {
        await assert.rejects(p, (err) => isPeerError(err, PEER_ERROR.recoveryFailed));
      }
      await assert.rejects(sa.send('after'), (err) => isPeerError(err, PEER_ERROR.recoveryFailed));
    } finally {
      await a.close();
      await b.close();
    }
  });
});
