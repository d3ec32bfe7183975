/**
 * Sessions with the real P3 cascade handshake (`cascadeHandshake`): two Node peers, our broker as a
 * real process, real node-datachannel on 127.0.0.1. The hook reads the DTLS fingerprints from each
 * connection's own SDP; application data goes through MLS → Signal → ML-KEM → AES frame by frame.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ContactPins,
  generateIdentity,
  type IdentityKeyPair,
  type PublicIdentity,
  type SecureChannel,
  webCryptoRandom,
} from '@enkrypted/crypto';
import {
  cascadeHandshake,
  type DataConnection,
  isIdentityKeyChanged,
  isPeerError,
  PEER_ERROR,
  type Peer,
  PeerError,
  Session,
  type SessionOptions,
} from '@enkrypted/peer';
import { type BrokerUnderTest, startOurBroker } from '../support/brokers.js';
import { collect, openPeer, within } from './support.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const text = (v: unknown) => dec.decode(v as Uint8Array);

interface Side {
  identity: IdentityKeyPair;
  pins: ContactPins;
  channels: SecureChannel[];
  options: SessionOptions;
}

/** One user: an identity, its pins, and the session options with the cascade hook. */
function side(name: string, identity = generateIdentity(webCryptoRandom), pins = new ContactPins()): Side {
  const channels: SecureChannel[] = [];
  const other = name === 'alice' ? 'bob' : 'alice';
  return {
    identity,
    pins,
    channels,
    options: {
      handshake: cascadeHandshake({
        identity,
        pins,
        contactId: () => other,
        onSecureChannel: (c) => channels.push(c),
      }),
      handshakeTimeoutMs: 60_000,
    },
  };
}

function waitState(s: Session, state: string, timeoutMs = 60_000): Promise<void> {
  return within(
    new Promise((resolve) => {
      if (s.state === state) return resolve();
      const off = s.on('state', (st) => {
        if (st === state) {
          off();
          resolve();
        }
      });
    }),
    timeoutMs,
    `state ${state}`,
  );
}

/** Dials alice → bob and resolves both sessions (not waiting for Ready). */
async function dialPair(a: Peer, b: Peer, alice: Side, bob: Side) {
  const accepted = new Promise<Session>((resolve) =>
    b.once('connection', (conn: DataConnection) => resolve(Session.accept(conn, bob.options))),
  );
  const sa = Session.dial(a, b.id, alice.options);
  const failed = new Promise<never>((_, reject) =>
    sa.on('close', (reason) =>
      reject(new Error(`dial failed: ${reason?.code ?? 'closed'} ${reason?.message}`)),
    ),
  );
  failed.catch(() => undefined);
  const sb = await within(Promise.race([accepted, failed]), 40_000, 'the incoming connection');
  return { sa, sb };
}

function sameIdentity(x: unknown, y: PublicIdentity): boolean {
  const p = x as PublicIdentity;
  return (
    Buffer.from(p.signingKey).equals(Buffer.from(y.signingKey)) &&
    Buffer.from(p.dhKey).equals(Buffer.from(y.dhKey))
  );
}

describe('Session with the cascade handshake', () => {
  let broker: BrokerUnderTest;
  before(async () => {
    broker = await startOurBroker();
  });
  after(async () => {
    await broker.stop();
  });

  describe('a ready pair', () => {
    let a: Peer;
    let b: Peer;
    let sa: Session;
    let sb: Session;
    const alice = side('alice');
    const bob = side('bob');

    before(async () => {
      a = await openPeer(broker);
      b = await openPeer(broker);
      ({ sa, sb } = await dialPair(a, b, alice, bob));
      // P7.1: nothing before Ready (the handshake is still running at this point at the latest).
      if (sa.state !== 'Ready') {
        await assert.rejects(sa.send('too early'), (e) => isPeerError(e, PEER_ERROR.notReady));
      }
      await Promise.all([sa.ready({ timeoutMs: 60_000 }), sb.ready({ timeoutMs: 60_000 })]);
    });
    after(async () => {
      await a?.close();
      await b?.close();
    });

    test('both reach Ready with the authenticated identities of the other side', () => {
      assert.ok(sameIdentity(sa.remoteIdentity, bob.identity.publicIdentity));
      assert.ok(sameIdentity(sb.remoteIdentity, alice.identity.publicIdentity));
      const [ca] = alice.channels;
      const [cb] = bob.channels;
      assert.ok(ca && cb);
      assert.equal(ca.sessionId, cb.sessionId);
      assert.equal(ca.safetyNumber('alice', 'bob').digits, cb.safetyNumber('bob', 'alice').digits);
    });

    test('text both ways', async () => {
      const atB = collect(sb, 2, 'message');
      await sa.send('hello bob');
      await sa.send(enc.encode('second'));
      assert.deepEqual((await atB).map(text), ['hello bob', 'second']);
      const atA = collect(sa, 1, 'message');
      await sb.send('hello alice');
      assert.deepEqual((await atA).map(text), ['hello alice']);
    });

    test('a 10 MiB payload is sealed into chunk frames, sent in order and reassembled exactly', async () => {
      const payload = webCryptoRandom(10 * 1024 * 1024);
      const frames: number[] = [];
      const offData = sb.connection!.on('data', () => frames.push(1));
      const [received] = await Promise.all([collect(sb, 1, 'message', 120_000), sa.send(payload)]);
      offData();
      assert.ok(frames.length > 1000, `chunked into ${frames.length} frames`);
      assert.ok(Buffer.from(received[0] as Uint8Array).equals(Buffer.from(payload)));
    });

    test('a tampered frame is dropped with an error event, nothing delivered, and the session goes on', async () => {
      const [ca] = alice.channels;
      assert.ok(ca);
      const [frame] = await ca.seal(enc.encode('tampered'));
      assert.ok(frame);
      // Flip one character inside the ciphertext (the cascaded payload), keeping valid JSON.
      const at = frame.indexOf('"ciphertext":"');
      const i = at >= 0 ? at + 14 : frame.length - 40;
      const flipped = frame.slice(0, i) + (frame[i] === 'A' ? 'B' : 'A') + frame.slice(i + 1);
      const errors: PeerError[] = [];
      const messages: unknown[] = [];
      const offE = sb.on('error', (e) => errors.push(e));
      const offM = sb.on('message', (m) => messages.push(m));
      const gotError = new Promise<void>((resolve) => sb.once('error', () => resolve()));
      await sa.connection!.send(flipped);
      await within(gotError, 20_000, 'the error event');
      const next = collect(sb, 1, 'message');
      await sa.send('after the tampered one');
      assert.deepEqual((await next).map(text), ['after the tampered one']);
      offE();
      offM();
      assert.equal(errors.length, 1);
      assert.ok(errors[0] instanceof PeerError);
      assert.ok(!messages.some((m) => text(m) === 'tampered'), 'never delivered');
      assert.equal(sb.state, 'Ready');
    });
  });

  test('transport cut and restored with state intact: crypto resumes without a handshake, outage messages arrive in order', async () => {
    const a = await openPeer(broker);
    const b = await openPeer(broker);
    try {
      const alice = side('alice');
      const bob = side('bob');
      const { sa, sb } = await dialPair(a, b, alice, bob);
      await Promise.all([sa.ready({ timeoutMs: 60_000 }), sb.ready({ timeoutMs: 60_000 })]);
      const statesA: string[] = [];
      sa.on('state', (s) => statesA.push(s));
      const atB = collect(sb, 3, 'message', 90_000);
      await sa.send('before');
      sb.connection!.peerConnection!.close();
      await waitState(sa, 'Disconnected');
      const queued = [sa.send('during 1'), sa.send('during 2')];
      await waitState(sa, 'Ready', 90_000);
      await Promise.all(queued);
      assert.deepEqual((await atB).map(text), ['before', 'during 1', 'during 2']);
      assert.deepEqual(statesA, ['Disconnected', 'DataChannelOpen', 'Ready']);
      assert.equal(alice.channels.length, 1, 'no second handshake');
      assert.equal(bob.channels.length, 1, 'no second handshake');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a large message sent the moment one side is Ready reaches a peer that is still finishing its handshake', async () => {
    // Bob is a slow device: his handshake completes, then his hook takes another second to return,
    // so everything Alice sends once she is Ready lands in Bob's pre-Ready inbox (a whole chunked
    // message, far more frames than the handshake itself).
    const alice = side('alice');
    const bob = side('bob');
    const realHook = bob.options.handshake!;
    bob.options.handshake = async (channel, context) => {
      const secure = await realHook(channel, context);
      await new Promise((r) => setTimeout(r, 1_000));
      return secure;
    };
    const a = await openPeer(broker);
    const b = await openPeer(broker);
    try {
      const { sa, sb } = await dialPair(a, b, alice, bob);
      await sa.ready({ timeoutMs: 60_000 });
      assert.notEqual(sb.state, 'Ready');
      const payload = webCryptoRandom(3 * 1024 * 1024);
      const errors: PeerError[] = [];
      const offE = sb.on('error', (e) => errors.push(e));
      const [received] = await Promise.all([collect(sb, 1, 'message', 120_000), sa.send(payload)]);
      offE();
      assert.deepEqual(errors, []);
      assert.ok(Buffer.from(received[0] as Uint8Array).equals(Buffer.from(payload)));
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a pinned contact presenting another identity key is refused with the typed key-changed error', async () => {
    const a = await openPeer(broker);
    const b = await openPeer(broker);
    try {
      const bob = side('bob');
      // Bob pinned alice's old key; alice comes back with a new one.
      await bob.pins.check('alice', generateIdentity(webCryptoRandom).publicIdentity);
      const alice = side('alice');
      const { sa, sb } = await dialPair(a, b, alice, bob);
      const closed = new Promise<PeerError | undefined>((resolve) => sb.once('close', resolve));
      await assert.rejects(sb.ready({ timeoutMs: 60_000 }), (e) =>
        isPeerError(e, PEER_ERROR.handshakeFailed),
      );
      const reason = await closed;
      assert.ok(isIdentityKeyChanged(reason), 'bob sees the key change');
      await assert.rejects(sa.ready({ timeoutMs: 60_000 }));
      assert.equal(sb.remoteIdentity, undefined, 'no identity authenticated');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
