/**
 * Relay-only through a real coturn with broker-issued credentials (issue 7): two Node peers connect
 * and exchange data with a relay↔relay pair on both sides (from getStats), and no host or srflx
 * candidate crosses the broker; expired or forged credentials fail with RELAY_UNAVAILABLE at once;
 * without relay-only the same peers connect directly (host pair).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mintTurnCredentials, turnPassword } from '@enkrypted/broker';
import { isPeerError, PEER_ERROR, Peer } from '@enkrypted/peer';
import { collect } from '../peer/support.js';
import type { BrokerUnderTest } from '../support/brokers.js';
import { COTURN_MISSING, type Coturn, startCoturn } from './coturn.js';
import {
  CONNECT_TIMEOUT_MS,
  connectPair,
  relayedCandidateCounts,
  selectedPairTypes,
  startTurnBroker,
  turnPeerOptions,
} from './support.js';

const OPEN = { timeoutMs: 20_000 };

describe('TURN relay through coturn', { skip: COTURN_MISSING }, () => {
  let coturn: Coturn;
  let broker: BrokerUnderTest;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'turn-relay-'));
    coturn = await startCoturn();
    broker = await startTurnBroker(coturn, dir);
  });
  after(async () => {
    await broker?.stop();
    await coturn?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('relay-only peers with broker-issued credentials connect relay↔relay, and only relay candidates cross the broker', async () => {
    const before = await relayedCandidateCounts(broker);
    const options = turnPeerOptions(broker, { turn: 'broker', iceTransportPolicy: 'relay' });
    const a = await Peer.open(options, OPEN);
    const b = await Peer.open(options, OPEN);
    try {
      const { ab, ba } = await connectPair(a, b);
      const atB = collect(ba, 3);
      const atA = collect(ab, 1);
      for (const m of ['one', 'two', 'three']) await ab.send(m);
      await ba.send('back');
      assert.deepEqual(await atB, ['one', 'two', 'three']);
      assert.deepEqual(await atA, ['back']);
      assert.deepEqual(await selectedPairTypes(ab.peerConnection), { local: 'relay', remote: 'relay' });
      assert.deepEqual(await selectedPairTypes(ba.peerConnection), { local: 'relay', remote: 'relay' });
      const after = await relayedCandidateCounts(broker);
      assert.ok((after.relay ?? 0) > (before.relay ?? 0), 'relay candidates were signaled');
      for (const type of ['host', 'srflx', 'prflx']) {
        assert.equal(after[type], before[type], `no ${type} candidate crossed the broker`);
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('without relay-only the same peers connect directly (host pair)', async () => {
    const options = turnPeerOptions(broker, { turn: 'broker' });
    const a = await Peer.open(options, OPEN);
    const b = await Peer.open(options, OPEN);
    try {
      const { ab, ba } = await connectPair(a, b);
      const got = collect(ba, 1);
      await ab.send('direct');
      assert.deepEqual(await got, ['direct']);
      const pair = await selectedPairTypes(ab.peerConnection);
      assert.equal(pair.local, 'host');
      assert.notEqual(pair.remote, 'relay');
    } finally {
      await a.close();
      await b.close();
    }
  });

  for (const [name, credentials] of [
    [
      'expired',
      (id: string) => {
        const c = mintTurnCredentials(coturn.secret, id, Math.floor(Date.now() / 1000) - 60);
        return { username: c.username, credential: c.password };
      },
    ],
    [
      'forged',
      (id: string) => {
        const username = `${Math.floor(Date.now() / 1000) + 600}:${id}`;
        return { username, credential: turnPassword('not-the-coturn-secret-0123456789abcdef', username) };
      },
    ],
  ] as const) {
    it(`relay-only with ${name} credentials fails with RELAY_UNAVAILABLE`, async () => {
      const peers: Peer[] = [];
      try {
        for (let i = 0; i < 2; i++) {
          const id = `turn-${name}-${i}-${Date.now()}`;
          const iceServers = [{ urls: coturn.urls, ...credentials(id) }];
          peers.push(
            await Peer.open(turnPeerOptions(broker, { id, iceServers, iceTransportPolicy: 'relay' }), OPEN),
          );
        }
        const [a, b] = peers as [Peer, Peer];
        await assert.rejects(a.connect(b.id, { timeoutMs: CONNECT_TIMEOUT_MS }), (err: unknown) =>
          isPeerError(err, PEER_ERROR.relayUnavailable),
        );
      } finally {
        for (const p of peers) await p.close();
      }
    });
  }

  it('a Peer asking a broker without TURN for credentials fails to open with SERVER_ERROR', async () => {
    const { startOurBroker } = await import('../support/brokers.js');
    const plain = await startOurBroker();
    try {
      await assert.rejects(Peer.open(turnPeerOptions(plain, { turn: 'broker' }), OPEN), (err: unknown) =>
        isPeerError(err, PEER_ERROR.serverError),
      );
    } finally {
      await plain.stop();
    }
  });
});
