import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ContactPins,
  createHandshake,
  generateIdentity,
  type HandshakeOptions,
  runHandshake,
  type SecureChannel,
  webCryptoRandom,
} from '@enkrypted/crypto';
import type { DataConnection, HandshakeHook, Peer } from '@enkrypted/peer';
import { openPeer } from '../peer/support.js';
import { type BrokerUnderTest, startOurBroker } from '../support/brokers.js';
import { type FrameChannel, fingerprints, frameChannel } from './support.js';

const text = (s: string) => new TextEncoder().encode(s);

/**
 * Type-level check: our hook takes exactly the (channel, ctx) the peer package's HandshakeHook is
 * given; only the resolved value differs (a SecureChannel, whose seal yields several frames).
 */
export function asPeerHookShape(
  options: HandshakeOptions,
): (...args: Parameters<HandshakeHook>) => Promise<SecureChannel> {
  return createHandshake(options);
}

async function sendAll(channel: FrameChannel, frames: string[]): Promise<void> {
  // One at a time: the connection's queue is bounded and applies the P8.1 back-pressure.
  for (const f of frames) await channel.send(f);
}

/** Reads frames until one completes a message. */
async function receiveMessage(channel: FrameChannel, secure: SecureChannel): Promise<Uint8Array> {
  for (;;) {
    const out = await secure.open(await channel.receive());
    if (out !== null) return out;
  }
}

describe('end to end: two Node peers, a real broker, a real data channel, the full cascade', () => {
  let broker: BrokerUnderTest;
  let a: Peer;
  let b: Peer;
  let connA: DataConnection;
  let connB: DataConnection;
  let chA: FrameChannel;
  let chB: FrameChannel;
  let secureA: SecureChannel;
  let secureB: SecureChannel;

  before(async () => {
    broker = await startOurBroker();
    a = await openPeer(broker);
    b = await openPeer(broker);
    const accepted = new Promise<DataConnection>((resolve) => b.once('connection', resolve));
    connA = await a.connect(b.id, { timeoutMs: 20_000 });
    connB = await accepted;
    await connB.whenOpen({ timeoutMs: 20_000 });
    chA = frameChannel(connA);
    chB = frameChannel(connB);
  });

  after(async () => {
    chA?.detach();
    chB?.detach();
    await a?.close();
    await b?.close();
    await broker?.stop();
  });

  test('the P3 handshake over the DataConnection reaches Ready on both sides, bound to the real DTLS fingerprints', async () => {
    const fa = fingerprints(connA);
    const fb = fingerprints(connB);
    // Each side read the other's certificate fingerprint from the SDP it received.
    assert.equal(fa.remote, fb.local);
    assert.equal(fb.remote, fa.local);
    const aliceId = generateIdentity(webCryptoRandom);
    const bobId = generateIdentity(webCryptoRandom);
    const signal = new AbortController().signal;
    [secureA, secureB] = await Promise.all([
      runHandshake(
        chA,
        { role: connA.role, remoteId: b.id, signal },
        {
          identity: aliceId,
          pins: new ContactPins(),
          localFingerprint: fa.local,
          remoteFingerprint: fa.remote,
        },
      ),
      createHandshake({
        identity: bobId,
        pins: new ContactPins(),
        localFingerprint: fb.local,
        remoteFingerprint: fb.remote,
      })(chB, { role: connB.role, remoteId: a.id, signal }),
    ]);
    assert.equal(secureA.sessionId, secureB.sessionId);
    assert.equal(secureA.safetyNumber('alice', 'bob').digits, secureB.safetyNumber('bob', 'alice').digits);
  });

  test('text both ways through MLS → Signal → ML-KEM → AES', async () => {
    await sendAll(chA, await secureA.seal(text('hello bob')));
    assert.deepEqual(await receiveMessage(chB, secureB), text('hello bob'));
    await sendAll(chB, await secureB.seal(text('hello alice')));
    assert.deepEqual(await receiveMessage(chA, secureA), text('hello alice'));
  });

  test('a 10 MiB payload is chunked, crosses the data channel and is reassembled exactly', async () => {
    const payload = webCryptoRandom(10 * 1024 * 1024);
    const frames = await secureA.seal(payload);
    assert.ok(frames.length > 1280, 'sent as __mls_chunk__ PDUs');
    const [received] = await Promise.all([receiveMessage(chB, secureB), sendAll(chA, frames)]);
    assert.equal(received.length, payload.length);
    assert.ok(Buffer.from(received).equals(Buffer.from(payload)));
    // And back the other way, so both directions carried a chunked message.
    const back = await secureB.seal(payload.subarray(0, 3 * 1024 * 1024));
    const [echo] = await Promise.all([receiveMessage(chA, secureA), sendAll(chB, back)]);
    assert.ok(Buffer.from(echo).equals(Buffer.from(payload.subarray(0, 3 * 1024 * 1024))));
  });
});
