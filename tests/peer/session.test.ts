import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type DataConnection,
  isPeerError,
  PEER_ERROR,
  type Peer,
  Session,
  type SessionOptions,
} from '@enkrypted/peer';
import { type BrokerUnderTest, startOurBroker } from '../support/brokers.js';
import { fixtureHandshake } from './fixture-handshake.js';
import { collect, openPeer, within } from './support.js';

const dec = new TextDecoder();

async function pair(
  broker: BrokerUnderTest,
  options: SessionOptions,
): Promise<{ a: Peer; b: Peer; sa: Session; sb: Session; statesA: string[]; statesB: string[] }> {
  const a = await openPeer(broker);
  const b = await openPeer(broker);
  const statesA: string[] = [];
  const statesB: string[] = [];
  const accepted = new Promise<Session>((resolve) =>
    b.once('connection', (conn: DataConnection) => {
      const s = Session.accept(conn, options);
      s.on('state', (st) => statesB.push(st));
      resolve(s);
    }),
  );
  const sa = Session.dial(a, b.id, options);
  sa.on('state', (st) => statesA.push(st));
  const failed = new Promise<never>((_, reject) =>
    sa.on('close', (reason) =>
      reject(new Error(`dial failed: ${reason?.code ?? 'closed'} ${reason?.message ?? ''}`)),
    ),
  );
  // Only the race observes `failed`; later closes of sa must not surface as unhandled rejections.
  failed.catch(() => undefined);
  const sb = await within(Promise.race([accepted, failed]), 40_000, 'the incoming connection');
  return { a, b, sa, sb, statesA, statesB };
}

describe('Session (P7) over real WebRTC through our broker', () => {
  let broker: BrokerUnderTest;
  before(async () => {
    broker = await startOurBroker();
  });
  after(async () => {
    await broker.stop();
  });

  test('with a handshake hook: Idle → … → CryptoHandshaking → Ready, frames sealed on the wire', async () => {
    const { a, b, sa, sb, statesA, statesB } = await pair(broker, { handshake: fixtureHandshake() });
    try {
      await assert.rejects(sa.send('too early'), (err) => isPeerError(err, PEER_ERROR.notReady));
      await Promise.all([sa.ready({ timeoutMs: 20_000 }), sb.ready({ timeoutMs: 20_000 })]);
      assert.deepEqual(statesA, [
        'SignalingRegistered',
        'WebRTCConnecting',
        'DataChannelOpen',
        'CryptoHandshaking',
        'Ready',
      ]);
      assert.deepEqual(statesB, [
        'SignalingRegistered',
        'WebRTCConnecting',
        'DataChannelOpen',
        'CryptoHandshaking',
        'Ready',
      ]);
      const wire = collect(sb.connection!, 1);
      const got = collect(sb, 1, 'message');
      const back = collect(sa, 1, 'message');
      await sa.send('secret hello');
      const [onWire] = (await wire) as Uint8Array[];
      assert.ok(onWire instanceof Uint8Array);
      assert.ok(
        !dec.decode(onWire).includes('secret hello'),
        'application plaintext must not travel in clear',
      );
      assert.equal(dec.decode((await got)[0] as Uint8Array), 'secret hello');
      await sb.send(new Uint8Array([9, 8, 7]));
      assert.deepEqual(await back, [new Uint8Array([9, 8, 7])]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('without a hook and without the debug option, application data is refused', async () => {
    const { a, b, sa, sb } = await pair(broker, {});
    try {
      await assert.rejects(sa.ready({ timeoutMs: 20_000 }), (err) =>
        isPeerError(err, PEER_ERROR.encryptionRequired),
      );
      assert.equal(sa.state, 'DataChannelOpen');
      await assert.rejects(sa.send('x'), (err) => isPeerError(err, PEER_ERROR.encryptionRequired));
      await assert.rejects(sb.send('x'), (err) => isPeerError(err, PEER_ERROR.encryptionRequired));
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("encryption: 'disabled-for-debugging' goes DataChannelOpen → Ready and says so loudly", async () => {
    const warnings: string[] = [];
    const options: SessionOptions = {
      encryption: 'disabled-for-debugging',
      onWarning: (w) => warnings.push(w),
    };
    const { a, b, sa, sb, statesA } = await pair(broker, options);
    try {
      await Promise.all([sa.ready({ timeoutMs: 20_000 }), sb.ready({ timeoutMs: 20_000 })]);
      assert.deepEqual(statesA.slice(-2), ['DataChannelOpen', 'Ready']);
      assert.ok(!statesA.includes('CryptoHandshaking'));
      assert.equal(sa.encrypted, false);
      assert.equal(warnings.length, 2);
      assert.match(warnings[0]!, /WITHOUT end-to-end encryption/);
      const got = collect(sb, 1, 'message');
      await sa.send('plain');
      assert.deepEqual(await got, ['plain']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a failing handshake closes the session with HANDSHAKE_FAILED', async () => {
    const { a, b, sa, sb } = await pair(broker, {
      handshake: async () => {
        throw new Error('refused by test');
      },
    });
    try {
      await assert.rejects(sa.ready({ timeoutMs: 20_000 }), (err) =>
        isPeerError(err, PEER_ERROR.handshakeFailed),
      );
      await assert.rejects(sb.ready({ timeoutMs: 20_000 }), (err) => isPeerError(err));
      assert.equal(sa.state, 'Disconnected');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
