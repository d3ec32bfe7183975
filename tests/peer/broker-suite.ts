/**
 * The peer library's broker-facing suite, written once and run against each broker under test
 * (ours and the stock `peer` server): see suite-*.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DataConnection, isPeerError, PEER_ERROR, SignalingClient } from '@enkrypted/peer';
import type { BrokerUnderTest, StartOptions } from '../support/brokers.js';
import { collect, openPeer, peerOptions } from './support.js';

const MESSAGES = 10_000;

export function brokerSuite(name: string, start: (opts: StartOptions) => Promise<BrokerUnderTest>): void {
  describe(`peer library against ${name}`, () => {
    let broker: BrokerUnderTest;
    before(async () => {
      // A short expiry keeps the unknown-id test quick; the behaviour does not depend on it.
      broker = await start({ expireTimeoutMs: 1500 });
    });
    after(async () => {
      await broker.stop();
    });

    test(`Node↔Node: ${MESSAGES} ordered messages, none lost or duplicated, both directions`, async () => {
      const a = await openPeer(broker);
      const b = await openPeer(broker);
      try {
        const incoming = new Promise<DataConnection>((r) => b.on('connection', r));
        const ab = await a.connect(b.id, { serialization: 'json', metadata: { hello: 'b' } });
        const ba = await incoming;
        await ba.whenOpen();
        assert.deepEqual(ba.metadata, { hello: 'b' });
        assert.equal(ba.serialization, 'json');
        const atB = collect(ba, MESSAGES);
        const atA = collect(ab, MESSAGES);
        const sends: Promise<void>[] = [];
        for (let i = 0; i < MESSAGES; i++) {
          sends.push(ab.send({ i }));
          sends.push(ba.send({ i, from: 'b' }));
        }
        await Promise.all(sends);
        const gotB = (await atB) as { i: number }[];
        const gotA = (await atA) as { i: number }[];
        assert.deepEqual(
          gotB.map((m) => m.i),
          Array.from({ length: MESSAGES }, (_, i) => i),
        );
        assert.deepEqual(
          gotA.map((m) => m.i),
          Array.from({ length: MESSAGES }, (_, i) => i),
        );
      } finally {
        await a.close();
        await b.close();
      }
    });

    test('raw serialization carries text and bytes unchanged', async () => {
      const a = await openPeer(broker);
      const b = await openPeer(broker);
      try {
        const incoming = new Promise<DataConnection>((r) => b.on('connection', r));
        const ab = await a.connect(b.id);
        const ba = await incoming;
        await ba.whenOpen();
        const got = collect(ba, 2);
        await ab.send('héllo');
        await ab.send(new Uint8Array([0, 1, 255]));
        const [text, bytes] = await got;
        assert.equal(text, 'héllo');
        assert.deepEqual(bytes, new Uint8Array([0, 1, 255]));
      } finally {
        await a.close();
        await b.close();
      }
    });

    test('connect to an unknown id fails with PEER_UNAVAILABLE on the connection', async () => {
      const a = await openPeer(broker);
      try {
        await assert.rejects(a.connect('nobody-home-0123456789', { timeoutMs: 20_000 }), (err) =>
          isPeerError(err, PEER_ERROR.peerUnavailable),
        );
        assert.equal(a.connections.length, 0);
      } finally {
        await a.close();
      }
    });

    test('an id held by another token surfaces as ID_TAKEN', async () => {
      const a = await openPeer(broker);
      try {
        await assert.rejects(openPeer(broker, { id: a.id }), (err) => isPeerError(err, PEER_ERROR.idTaken));
      } finally {
        await a.close();
      }
    });

    test('a wrong key surfaces as INVALID_KEY', async () => {
      await assert.rejects(openPeer(broker, { key: 'not-the-key' }), (err) =>
        isPeerError(err, PEER_ERROR.invalidKey),
      );
    });

    test('signaling sent before registration is queued, not lost', async () => {
      const b = await openPeer(broker);
      const client = new SignalingClient(peerOptions(broker));
      try {
        const offers = new Promise<unknown>((resolve) => {
          // b sees the OFFER as an incoming connection attempt with our connectionId.
          b.on('connection', (conn) => resolve(conn.connectionId));
        });
        client.send({
          type: 'OFFER',
          dst: b.id,
          payload: {
            type: 'data',
            connectionId: 'dc_queuedbeforeopen',
            sdp: { type: 'offer', sdp: 'v=0\r\n' },
            serialization: 'raw',
            reliable: true,
          },
        });
        await client.open({ timeoutMs: 20_000 });
        assert.equal(await offers, 'dc_queuedbeforeopen');
      } finally {
        await client.close();
        await b.close();
      }
    });

    test('id from the broker (GET {key}/id) registers', async () => {
      const a = await openPeer(broker, { id: 'broker' });
      try {
        assert.match(a.id, /^[A-Za-z0-9-]+$/);
        assert.equal(a.signalingState, 'open');
      } finally {
        await a.close();
      }
    });

    test('broker restart mid-session: both peers re-register with the same ids and open new connections', async () => {
      const a = await openPeer(broker);
      const b = await openPeer(broker);
      const ids = [a.id, b.id];
      try {
        const incoming = new Promise<DataConnection>((r) => b.once('connection', r));
        const first = await a.connect(b.id);
        await (await incoming).whenOpen();
        const dropped = Promise.all([a, b].map((p) => new Promise<void>((r) => p.once('disconnected', r))));
        const back = Promise.all([a, b].map((p) => new Promise<void>((r) => p.once('reconnected', r))));
        await broker.restart();
        await dropped;
        await back;
        assert.deepEqual([a.id, b.id], ids);
        // The old data channel never depended on the broker.
        assert.equal(first.state, 'open');
        const incoming2 = new Promise<DataConnection>((r) => b.once('connection', r));
        const second = await a.connect(b.id, { timeoutMs: 20_000 });
        const atB = await incoming2;
        await atB.whenOpen();
        const got = collect(atB, 1);
        await second.send('after restart');
        assert.deepEqual(await got, ['after restart']);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
