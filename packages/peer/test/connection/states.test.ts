import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  allowsApplicationData,
  CONNECTION_EVENTS,
  CONNECTION_STATES,
  type ConnectionEvent,
  type ConnectionState,
  TRANSITIONS,
  transition,
} from '../../src/connection/states.js';
import { isPeerError, PEER_ERROR } from '../../src/errors.js';

/** The expected table, written independently of the implementation as (from, event, to) triples. */
const EXPECTED: [ConnectionState, ConnectionEvent, ConnectionState][] = [
  ['Idle', 'SIGNALING_REGISTERED', 'SignalingRegistered'],
  ['SignalingRegistered', 'NEGOTIATION_STARTED', 'WebRTCConnecting'],
  ['WebRTCConnecting', 'CHANNEL_OPEN', 'DataChannelOpen'],
  ['WebRTCConnecting', 'NEGOTIATION_FAILED', 'Disconnected'],
  ['WebRTCConnecting', 'TRANSPORT_LOST', 'Disconnected'],
  ['DataChannelOpen', 'HANDSHAKE_STARTED', 'CryptoHandshaking'],
  ['DataChannelOpen', 'ENCRYPTION_SKIPPED', 'Ready'],
  ['DataChannelOpen', 'CRYPTO_RESUMED', 'Ready'],
  ['DataChannelOpen', 'TRANSPORT_LOST', 'Disconnected'],
  ['CryptoHandshaking', 'HANDSHAKE_COMPLETED', 'Ready'],
  ['CryptoHandshaking', 'HANDSHAKE_FAILED', 'Disconnected'],
  ['CryptoHandshaking', 'TRANSPORT_LOST', 'Disconnected'],
  ['Ready', 'TRANSPORT_LOST', 'Disconnected'],
  ['Ready', 'SESSION_CORRUPT', 'CryptoHandshaking'],
  ['Disconnected', 'TRANSPORT_RESTORED', 'DataChannelOpen'],
  ...CONNECTION_STATES.map((s): [ConnectionState, ConnectionEvent, ConnectionState] => [
    s,
    'CLOSED',
    'Disconnected',
  ]),
];

test('every (state, event) pair: allowed pairs lead to the expected state, all others throw INVALID_TRANSITION', () => {
  let allowed = 0;
  let refused = 0;
  for (const state of CONNECTION_STATES) {
    for (const event of CONNECTION_EVENTS) {
      const expected = EXPECTED.find(([s, e]) => s === state && e === event);
      if (expected) {
        assert.equal(transition(state, event), expected[2], `${state} --${event}-->`);
        allowed++;
      } else {
        assert.throws(
          () => transition(state, event),
          (err) => isPeerError(err, PEER_ERROR.invalidTransition),
          `${state} --${event}--> must be refused`,
        );
        refused++;
      }
    }
  }
  assert.equal(allowed, EXPECTED.length);
  assert.equal(allowed + refused, CONNECTION_STATES.length * CONNECTION_EVENTS.length);
});

test('the table has no entry outside the expected triples', () => {
  for (const [state, row] of Object.entries(TRANSITIONS)) {
    for (const [event, to] of Object.entries(row)) {
      assert.ok(
        EXPECTED.some(([s, e, t]) => s === state && e === event && t === to),
        `unexpected ${state} --${event}--> ${to}`,
      );
    }
  }
});

test('P7.1: only Ready allows application data', () => {
  for (const state of CONNECTION_STATES) assert.equal(allowsApplicationData(state), state === 'Ready');
});

test('P7.4 reconnection path: Ready → Disconnected → DataChannelOpen → Ready with crypto intact', () => {
  let s: ConnectionState = 'Ready';
  s = transition(s, 'TRANSPORT_LOST');
  assert.equal(s, 'Disconnected');
  s = transition(s, 'TRANSPORT_RESTORED');
  assert.equal(s, 'DataChannelOpen');
  assert.equal(transition(s, 'CRYPTO_RESUMED'), 'Ready');
  assert.equal(transition(s, 'HANDSHAKE_STARTED'), 'CryptoHandshaking');
});

test('sending before Ready is impossible by construction: no path skips the handshake except ENCRYPTION_SKIPPED', () => {
  const intoReady = EXPECTED.filter(([, , to]) => to === 'Ready')
    .map(([, e]) => e)
    .sort();
  assert.deepEqual(intoReady, ['CRYPTO_RESUMED', 'ENCRYPTION_SKIPPED', 'HANDSHAKE_COMPLETED']);
});
