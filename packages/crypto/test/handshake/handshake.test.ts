import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CRYPTO_WIRE_ERROR,
  decodePdu,
  encodePdu,
  HANDSHAKE_PDU_TYPES,
  isWireErrorCode,
  PDU_ERROR,
  PDU_TYPE,
  SESSION_ERROR,
} from '@enkrypted/protocol';
import fc from 'fast-check';
import { type HandshakeError, isHandshakeError } from '../../src/handshake/errors.js';
import type { Frame } from '../../src/handshake/run-handshake.js';
import type { SecureChannel } from '../../src/secure-channel/secure-channel.js';
import {
  FP_A,
  FP_B,
  FP_EVIL,
  handshakePair,
  manualTimers,
  type PairResult,
  party,
  runSide,
} from './fixtures.js';
import { loopback } from './loopback.js';

const text = (s: string) => new TextEncoder().encode(s);
const handshakeTypes = new Set<string>(HANDSHAKE_PDU_TYPES);

function typeOf(frame: Frame): string {
  return (JSON.parse(typeof frame === 'string' ? frame : new TextDecoder().decode(frame)) as { type: string })
    .type;
}

function ready(r: PromiseSettledResult<SecureChannel>): SecureChannel {
  if (r.status === 'rejected') throw r.reason;
  return r.value;
}

function rejection(r: PromiseSettledResult<SecureChannel>): HandshakeError {
  assert.equal(r.status, 'rejected', 'expected the handshake to fail');
  const reason = (r as PromiseRejectedResult).reason;
  assert.ok(isHandshakeError(reason), `a HandshakeError, got ${String(reason)}`);
  assert.ok(isWireErrorCode(reason.code));
  return reason;
}

async function exchange(a: SecureChannel, b: SecureChannel): Promise<void> {
  const ab = await a.seal(text('ping'));
  assert.deepEqual(await b.open(ab[0] as string), text('ping'));
  const ba = await b.seal(text('pong'));
  assert.deepEqual(await a.open(ba[0] as string), text('pong'));
}

/** Deterministic PRNG for delivery schedules. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe('handshake over a loopback pair', () => {
  test('both sides reach Ready with the same session, identities and safety number; messages flow both ways', async () => {
    const alice = party();
    const bob = party();
    const r = await handshakePair({ a: alice, b: bob });
    const a = ready(r.a);
    const b = ready(r.b);
    assert.equal(a.sessionId, b.sessionId);
    assert.deepEqual(a.remoteIdentity.signingKey, bob.identity.publicIdentity.signingKey);
    assert.deepEqual(b.remoteIdentity.dhKey, alice.identity.publicIdentity.dhKey);
    assert.equal(a.pin?.status, 'pinned-first-use');
    assert.equal(b.pin?.status, 'pinned-first-use');
    assert.equal(a.safetyNumber('alice', 'bob').digits, b.safetyNumber('bob', 'alice').digits);
    await exchange(a, b);
    // Only handshake PDUs crossed before Ready, and all twelve P3.2 types plus handshake-finished were used.
    const types = new Set([...r.ends.initiator.sent, ...r.ends.responder.sent].map(typeOf));
    assert.deepEqual([...types].sort(), [...HANDSHAKE_PDU_TYPES].sort());
    // A second handshake with the same contacts matches the pins.
    const again = await handshakePair({ a: alice, b: bob });
    assert.equal(ready(again.a).pin?.status, 'matches');
    assert.equal(ready(again.b).pin?.status, 'matches');
  });

  for (const seed of [1, 2, 3]) {
    test(`reordered and interleaved delivery (schedule ${seed}) still reaches Ready`, async () => {
      const rnd = lcg(seed);
      const timers = new Set<ReturnType<typeof setTimeout>>();
      const r = await handshakePair({
        intercept: (frame, _direction, _index, later) => {
          // Deliver each frame after a random delay: later frames often overtake earlier ones.
          const t = setTimeout(
            () => {
              timers.delete(t);
              later(frame);
            },
            Math.floor(rnd() * 15),
          );
          timers.add(t);
          return [];
        },
      });
      for (const t of timers) clearTimeout(t);
      await exchange(ready(r.a), ready(r.b));
    });
  }

  test('property: random delays and duplicates on the real driver always reach Ready', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(8), fc.boolean()), { minLength: 16, maxLength: 16 }),
        async (plan) => {
          const timers = new Set<ReturnType<typeof setTimeout>>();
          let n = 0;
          const r = await handshakePair({
            intercept: (frame, _dir, _index, later) => {
              const [delay, dup] = plan[n++ % plan.length] as [number, boolean];
              for (let i = 0; i < (dup ? 2 : 1); i++) {
                const t = setTimeout(() => {
                  timers.delete(t);
                  later(frame);
                }, delay);
                timers.add(t);
              }
              return [];
            },
          });
          for (const t of timers) clearTimeout(t);
          await exchange(ready(r.a), ready(r.b));
        },
      ),
      { numRuns: 8 },
    );
  });

  test('each flight delivered in reverse order still reaches Ready', async () => {
    // Frames are held and released in reverse each time the sender has sent a burst (next tick).
    const held: Record<'i2r' | 'r2i', Frame[]> = { i2r: [], r2i: [] };
    const r = await handshakePair({
      intercept: (frame, direction, _index, later) => {
        const q = held[direction];
        q.push(frame);
        if (q.length === 1) {
          setTimeout(() => {
            for (const f of q.splice(0).reverse()) later(f);
          }, 5);
        }
        return [];
      },
    });
    await exchange(ready(r.a), ready(r.b));
  });

  test('duplicated handshake PDUs are ignored', async () => {
    const r = await handshakePair({ intercept: (f) => (handshakeTypes.has(typeOf(f)) ? [f, f] : [f]) });
    await exchange(ready(r.a), ready(r.b));
  });

  test('tampering with any handshake PDU never yields Ready on the receiving side', async () => {
    // Count the handshake frames of an honest run, then tamper with each one in turn.
    const honest = await handshakePair();
    ready(honest.a);
    const total = honest.ends.initiator.sent.length + honest.ends.responder.sent.length;
    assert.equal(total, 16);
    for (let k = 0; k < total; k++) {
      let n = 0;
      let target = '';
      let direction: 'i2r' | 'r2i' = 'i2r';
      const r: PairResult = await handshakePair({
        intercept: (frame, dir) => {
          if (n++ !== k) return [frame];
          const obj = JSON.parse(frame as string) as Record<string, unknown>;
          target = obj.type as string;
          direction = dir;
          // Flip one character in the middle of the longest value (key material, MLS objects, MACs).
          const longest = Object.entries(obj)
            .filter(
              ([name, v]) => typeof v === 'string' && !['type', 'specVersion', 'sessionId'].includes(name),
            )
            .sort((x, y) => (y[1] as string).length - (x[1] as string).length)[0];
          if (longest === undefined) {
            // mls-key-package-request has no bytes: ask for another cipher suite instead.
            obj.cipherSuite = 2;
          } else {
            const [key, value] = longest as [string, string];
            const at = Math.floor(value.length / 2);
            const c = value[at] === 'A' ? 'B' : 'A';
            obj[key] = value.slice(0, at) + c + value.slice(at + 1);
          }
          return [JSON.stringify(obj)];
        },
      });
      const receiver = direction === 'i2r' ? r.b : r.a;
      const err = rejection(receiver);
      assert.notEqual(err.code, SESSION_ERROR.handshakeTimeout, `${target}: detected, not timed out`);
      if (target === PDU_TYPE.handshakeFinished) {
        // handshake-finished is each side's last flight: the other side may already be Ready (it
        // verified our finished), and is told with a fatal protocol-error that the peer refused.
        const refuser = direction === 'i2r' ? r.ends.responder : r.ends.initiator;
        const reports = refuser.sent
          .map((f) => decodePdu(f))
          .filter((p) => p.type === PDU_TYPE.protocolError);
        assert.deepEqual(
          reports.map((p) => p.type === PDU_TYPE.protocolError && [p.code, p.fatal]),
          [[SESSION_ERROR.channelBindingFailed, true]],
        );
      } else {
        const other = rejection(direction === 'i2r' ? r.a : r.b);
        assert.ok(other.reportedByPeer || other.code === err.code);
      }
    }
  });

  test('a raw byte flipped in a handshake frame (broken JSON or field) is fatal, not silently waited on', async () => {
    const r = await handshakePair({
      intercept: (frame, dir, index) => {
        if (dir !== 'r2i' || index !== 0) return [frame];
        const s = frame as string;
        return [`${s.slice(0, 20)}\u0000${s.slice(21)}`];
      },
    });
    rejection(r.a);
    rejection(r.b);
  });

  test('identityBinding in the Signal PDUs: an invalid binding is fatal CRYPTO_BAD_SIGNATURE, a missing one PDU_BAD_FIELD', async () => {
    const other = party().identity.publicIdentity;
    const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
    /** Rewrites the first Signal key-exchange PDU of `dir`. */
    const rewrite = (dir: 'i2r' | 'r2i', change: (obj: Record<string, unknown>) => void) =>
      handshakePair({
        intercept: (frame, d) => {
          const type = d === 'i2r' ? PDU_TYPE.signalKeyExchangeRequest : PDU_TYPE.signalKeyExchangeResponse;
          if (d !== dir || typeOf(frame) !== type) return [frame];
          const obj = JSON.parse(frame as string) as Record<string, unknown>;
          change(obj);
          return [JSON.stringify(obj)];
        },
      });
    const flipped = (obj: Record<string, unknown>) => {
      const sig = Buffer.from(obj.identityBinding as string, 'base64');
      sig[10] = (sig[10] as number) ^ 1;
      obj.identityBinding = sig.toString('base64');
    };
    // Flipped signature; another identity's genuine binding; another DH key under the true binding.
    for (const [dir, change] of [
      ['r2i', flipped],
      ['i2r', flipped],
      ['r2i', (o: Record<string, unknown>) => (o.identityBinding = b64(other.binding))],
      ['i2r', (o: Record<string, unknown>) => (o.identityDhKey = b64(other.dhKey))],
    ] as const) {
      const r = await rewrite(dir, change);
      const receiver = dir === 'r2i' ? r.a : r.b;
      assert.equal(rejection(receiver).code, CRYPTO_WIRE_ERROR.badSignature);
      assert.equal((dir === 'r2i' ? r.b : r.a).status, 'rejected');
    }
    const missing = await rewrite('r2i', (o) => delete o.identityBinding);
    assert.equal(rejection(missing.a).code, PDU_ERROR.badField);
  });

  test('a PDU of another session is fatal HANDSHAKE_UNEXPECTED_PDU', async () => {
    const r = await handshakePair({
      intercept: (frame, dir, index) => {
        if (dir !== 'r2i' || index !== 1) return [frame];
        const obj = JSON.parse(frame as string) as Record<string, unknown>;
        obj.sessionId = 'AAAAAAAAAAAAAAAAAAAAAA';
        return [JSON.stringify(obj)];
      },
    });
    assert.equal(rejection(r.a).code, SESSION_ERROR.handshakeUnexpected);
    assert.equal(rejection(r.b).code, SESSION_ERROR.handshakeUnexpected);
  });

  test('a DTLS fingerprint substituted in the SDP (broker MITM) is detected: CHANNEL_BINDING_FAILED on both sides', async () => {
    const alice = party();
    const r = await handshakePair({ a: alice, aSees: { local: FP_A, remote: FP_EVIL } });
    // A failed first contact pins nothing: an impostor's attempt cannot plant its key.
    assert.equal(await alice.pins.get('bob'), undefined);
    const a = rejection(r.a);
    const b = rejection(r.b);
    assert.equal(a.code, SESSION_ERROR.channelBindingFailed);
    assert.equal(b.code, SESSION_ERROR.channelBindingFailed);
  });

  test('a relay with its own keys: blocked on a pinned contact (key changed), visible in safety numbers on first contact', async () => {
    const alice = party();
    const bob = party();
    const mallory = party();
    // First contact through the relay: both sides reach Ready, but with Mallory, and the numbers differ.
    const leg1 = loopback();
    const leg2 = loopback();
    const [a1, m1, m2, b2] = await Promise.all([
      runSide(leg1.initiator, {
        role: 'initiator',
        party: alice,
        remoteId: 'bob',
        local: FP_A,
        remote: FP_B,
      }),
      runSide(leg1.responder, {
        role: 'responder',
        party: mallory,
        remoteId: 'alice',
        local: FP_B,
        remote: FP_A,
      }),
      runSide(leg2.initiator, {
        role: 'initiator',
        party: mallory,
        remoteId: 'bob',
        local: FP_A,
        remote: FP_B,
      }),
      runSide(leg2.responder, {
        role: 'responder',
        party: bob,
        remoteId: 'alice',
        local: FP_B,
        remote: FP_A,
      }),
    ]);
    void m1;
    void m2;
    assert.notEqual(a1.safetyNumber('alice', 'bob').digits, b2.safetyNumber('bob', 'alice').digits);
    assert.equal(a1.pin?.status, 'pinned-first-use');

    // Now Alice and Bob pin each other's genuine keys in a direct handshake (after forgetting the relay's).
    await alice.pins.forget('bob');
    await bob.pins.forget('alice');
    const direct = await handshakePair({ a: alice, b: bob });
    assert.equal(
      ready(direct.a).safetyNumber('alice', 'bob').digits,
      ready(direct.b).safetyNumber('bob', 'alice').digits,
    );

    // The relay again: each pinned side refuses with the blocking key-changed error.
    const leg3 = loopback();
    const leg4 = loopback();
    const results = await Promise.allSettled([
      runSide(leg3.initiator, {
        role: 'initiator',
        party: alice,
        remoteId: 'bob',
        local: FP_A,
        remote: FP_B,
      }),
      runSide(leg3.responder, {
        role: 'responder',
        party: mallory,
        remoteId: 'alice',
        local: FP_B,
        remote: FP_A,
      }),
      runSide(leg4.initiator, {
        role: 'initiator',
        party: mallory,
        remoteId: 'bob',
        local: FP_A,
        remote: FP_B,
      }),
      runSide(leg4.responder, {
        role: 'responder',
        party: bob,
        remoteId: 'alice',
        local: FP_B,
        remote: FP_A,
      }),
    ]);
    assert.equal(
      rejection(results[0] as PromiseSettledResult<SecureChannel>).code,
      CRYPTO_WIRE_ERROR.identityKeyChanged,
    );
    assert.equal(
      rejection(results[3] as PromiseSettledResult<SecureChannel>).code,
      CRYPTO_WIRE_ERROR.identityKeyChanged,
    );
    // The key-changed side tells the relay why (fatal protocol-error), and the pin is unchanged.
    const pinned = await alice.pins.get('bob');
    assert.ok(pinned);
  });

  test('a message before Ready is refused (non-fatal MESSAGE_BEFORE_READY) and the handshake completes', async () => {
    const early = encodePdu({
      type: PDU_TYPE.message,
      messageId: 'BBBBBBBBBBBBBBBBBBBBBA',
      encryptedMessage: {
        encrypted: true,
        cascaded: true,
        cascadedPayload: {
          finalCiphertext: new Uint8Array([1, 2, 3]),
          layers: [{ algorithm: 'AES-GCM-256', version: '3.0.0' }],
          layerParameters: [{}],
          originalSize: 1,
          finalSize: 3,
        },
      },
    });
    const r = await handshakePair({
      intercept: (frame, dir, index) => (dir === 'i2r' && index === 0 ? [early, frame] : [frame]),
    });
    const b = ready(r.b);
    await exchange(ready(r.a), b);
    const refusal = decodePdu(r.ends.responder.sent[0] as string);
    assert.deepEqual(refusal, {
      type: PDU_TYPE.protocolError,
      code: SESSION_ERROR.messageBeforeReady,
      fatal: false,
    });
  });

  test('a cleartext message claiming encryption is off is refused (downgrade) and ends the handshake', async () => {
    const cleartext = JSON.stringify({
      type: 'message',
      specVersion: 'EnkryptedChat-Profile-v0',
      messageId: 'BBBBBBBBBBBBBBBBBBBBBB',
      encryptedMessage: { encrypted: false, message: 'hi' },
    });
    const r = await handshakePair({
      intercept: (frame, dir, index) => (dir === 'i2r' && index === 0 ? [cleartext, frame] : [frame]),
    });
    rejection(r.b);
    rejection(r.a);
  });

  test('a peer that omits a layer (no ML-KEM) never gets to Ready: HANDSHAKE_TIMEOUT', async () => {
    const clockA = manualTimers();
    const clockB = manualTimers();
    let pending = 0;
    const r = handshakePair({
      intercept: (frame, dir) => {
        pending++;
        return dir === 'r2i' && typeOf(frame).startsWith('mlkem') ? [] : [frame];
      },
      extraA: { timers: clockA.timers },
      extraB: { timers: clockB.timers },
    });
    // Let the honest part of the exchange run out, then let 300 s "pass".
    for (let settled = -1; settled !== pending; ) {
      settled = pending;
      await new Promise((res) => setTimeout(res, 100));
    }
    clockA.fire();
    clockB.fire();
    const done = await r;
    assert.equal(rejection(done.a).code, SESSION_ERROR.handshakeTimeout);
    const b = rejection(done.b);
    assert.ok(b.code === SESSION_ERROR.handshakeTimeout || b.reportedByPeer);
  });

  test('a flood of unknown-type frames during the handshake ends it (bounded), after dropping the first ones', async () => {
    const junk = Array.from(
      { length: 65 },
      (_, i) => `{"type":"typing-${i}","specVersion":"EnkryptedChat-Profile-v0"}`,
    );
    const few = await handshakePair({
      intercept: (frame, dir, index) =>
        dir === 'i2r' && index === 0 ? [...junk.slice(0, 10), frame] : [frame],
    });
    await exchange(ready(few.a), ready(few.b));
    const flood = await handshakePair({
      intercept: (frame, dir, index) => (dir === 'i2r' && index === 0 ? [...junk, frame] : [frame]),
    });
    assert.equal(rejection(flood.b).code, SESSION_ERROR.handshakeFailed);
    rejection(flood.a);
  });

  test('aborting through ctx.signal ends the handshake with HANDSHAKE_FAILED', async () => {
    const ends = loopback((f, dir) => (dir === 'i2r' ? [] : [f]));
    const controller = new AbortController();
    const p = runSide(ends.initiator, {
      role: 'initiator',
      party: party(),
      remoteId: 'bob',
      local: FP_A,
      remote: FP_B,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    const [r] = await Promise.allSettled([p]);
    assert.equal(rejection(r as PromiseSettledResult<SecureChannel>).code, SESSION_ERROR.handshakeFailed);
    // A signal aborted before the handshake starts ends it at once too.
    const [again] = await Promise.allSettled([
      runSide(loopback().initiator, {
        role: 'initiator',
        party: party(),
        remoteId: 'bob',
        local: FP_A,
        remote: FP_B,
        signal: controller.signal,
      }),
    ]);
    assert.equal(rejection(again as PromiseSettledResult<SecureChannel>).code, SESSION_ERROR.handshakeFailed);
  });
});
