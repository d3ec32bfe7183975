import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HANDSHAKE_PDU_TYPES, type HandshakePduType, SESSION_ERROR } from '@enkrypted/protocol';
import fc from 'fast-check';
import { MAX_EARLY_HANDSHAKE_PDUS } from '../../src/handshake/constants.js';
import {
  type HandshakeAction,
  type HandshakeEvent,
  type HandshakeRole,
  type HandshakeState,
  initialState,
  type ReceivedPdu,
  receivableTypes,
  step,
  TRANSITIONS,
  type Track,
} from '../../src/handshake/state-table.js';

const ROLES: HandshakeRole[] = ['initiator', 'responder'];

function pdu(type: HandshakePduType, variant = 1): { kind: 'pdu'; received: ReceivedPdu } {
  return { kind: 'pdu', received: { type, canonical: `${type}#${variant}`, pdu: null } };
}

function tasks(actions: readonly HandshakeAction[]): string[] {
  return actions.filter((a) => a.kind === 'run').map((a) => (a.kind === 'run' ? a.task : ''));
}

/** The PDUs a role receives on the happy path, in the order the profile sends them. */
const HAPPY: Record<HandshakeRole, HandshakePduType[]> = {
  initiator: [
    'mlkem-key-exchange',
    'mls-key-package',
    'signal-key-exchange-response',
    'mlkem-key-exchange-response',
    'mls-welcome-ack',
    'mls-encryption-sync-response',
    'handshake-finished',
  ],
  responder: [
    'mls-key-package-request',
    'signal-key-exchange-request',
    'mlkem-key-exchange',
    'mls-commit',
    'mls-welcome',
    'signal-session-complete',
    'mlkem-key-exchange-response',
    'mls-encryption-sync-request',
    'handshake-finished',
  ],
};

/** One event, then `task-done` for a successful binding-verify, as the driver does. */
function drive(
  state: HandshakeState,
  event: HandshakeEvent,
): { state: HandshakeState; actions: HandshakeAction[] } {
  const r = step(state, event);
  const actions = [...r.actions];
  if (tasks(r.actions).includes('binding-verify')) {
    const done = step(r.state, { kind: 'task-done', task: 'binding-verify' });
    actions.push(...done.actions);
    return { state: done.state, actions };
  }
  return { state: r.state, actions };
}

function runAll(
  role: HandshakeRole,
  types: HandshakePduType[],
): { state: HandshakeState; actions: HandshakeAction[] } {
  let r = drive(initialState(role), { kind: 'start' });
  const actions: HandshakeAction[] = [...r.actions];
  for (const t of types) {
    r = drive(r.state, pdu(t));
    actions.push(...r.actions);
  }
  return { state: r.state, actions };
}

function failure(actions: readonly HandshakeAction[]): HandshakeAction | undefined {
  return actions.find((a) => a.kind === 'fail');
}

describe('handshake state table', () => {
  for (const role of ROLES) {
    test(`${role}: the happy path reaches Ready once, running every task of its table exactly once`, () => {
      const { state, actions } = runAll(role, HAPPY[role]);
      assert.equal(state.phase, 'ready');
      assert.equal(actions.filter((a) => a.kind === 'ready').length, 1);
      const expected = TRANSITIONS[role].flatMap((t) => (t.task ? [t.task] : [])).sort();
      assert.deepEqual(tasks(actions).sort(), expected);
      assert.equal(failure(actions), undefined);
    });

    test(`${role}: every transition of the table fires from its state and goes to its target`, () => {
      for (const t of TRANSITIONS[role]) {
        // Bring the machine to `t.from` on t.track (with its guard satisfied) along the happy path.
        const ready = (s: HandshakeState) =>
          s.tracks[t.track] === t.from &&
          (t.requiresMls === undefined || t.requiresMls.includes(s.tracks.mls));
        let r = step(initialState(role), { kind: 'start' });
        for (const type of HAPPY[role]) {
          if (ready(r.state)) break;
          if (type !== t.on) r = step(r.state, pdu(type));
        }
        if (t.on === 'start') {
          const s = step(initialState(role), { kind: 'start' });
          assert.equal(s.state.tracks[t.track], t.to);
          if (t.task) assert.ok(tasks(s.actions).includes(t.task));
          continue;
        }
        if (t.on === 'binding-verify:done') {
          const verifying = step(r.state, pdu('handshake-finished'));
          assert.equal(verifying.state.tracks.binding, 'verifying');
          assert.equal(verifying.state.phase, 'handshaking', 'never Ready before the signature verified');
          const done = step(verifying.state, { kind: 'task-done', task: 'binding-verify' });
          assert.equal(done.state.tracks.binding, t.to);
          assert.equal(done.state.phase, 'ready');
          continue;
        }
        if (t.on === 'layers-done') {
          // Raised by step itself once the layer tracks are done: checked by the happy path.
          assert.equal(r.state.tracks[t.track], t.from);
          continue;
        }
        assert.equal(r.state.tracks[t.track], t.from, `${t.track} reaches ${t.from}`);
        const next = step(r.state, pdu(t.on));
        assert.equal(next.state.tracks[t.track], t.to, `${t.track}: ${t.from} --${t.on}--> ${t.to}`);
        if (t.task) assert.ok(tasks(next.actions).includes(t.task));
      }
    });

    test(`${role}: a PDU type the role never receives is fatal HANDSHAKE_UNEXPECTED_PDU`, () => {
      const receivable = receivableTypes(role);
      const never = HANDSHAKE_PDU_TYPES.filter((t) => !receivable.has(t));
      assert.ok(never.length > 0);
      for (const type of never) {
        const started = step(initialState(role), { kind: 'start' }).state;
        const r = step(started, pdu(type));
        assert.equal(r.state.phase, 'failed');
        assert.deepEqual(failure(r.actions), {
          kind: 'fail',
          code: SESSION_ERROR.handshakeUnexpected,
          reason: r.state.failure?.reason,
          tellPeer: true,
        });
      }
    });

    test(`${role}: byte-identical duplicates are ignored, a different PDU of a consumed type is fatal`, () => {
      const first = HAPPY[role][0] as HandshakePduType;
      const started = step(initialState(role), { kind: 'start' }).state;
      const once = step(started, pdu(first)).state;
      const dup = step(once, pdu(first));
      assert.equal(dup.state, once);
      assert.deepEqual(dup.actions, []);
      const other = step(once, pdu(first, 2));
      assert.equal(other.state.phase, 'failed');
      assert.equal(other.state.failure?.code, SESSION_ERROR.handshakeUnexpected);
    });

    test(`${role}: any permutation-like reordering (reverse order) still reaches Ready`, () => {
      const { state } = runAll(role, [...HAPPY[role]].reverse());
      assert.equal(state.phase, 'ready');
    });

    test(`${role}: timeout, task error and fatal peer error end in failed; later events are ignored`, () => {
      const started = step(initialState(role), { kind: 'start' }).state;
      const t = step(started, { kind: 'timeout' });
      assert.equal(t.state.failure?.code, SESSION_ERROR.handshakeTimeout);
      assert.equal((failure(t.actions) as { tellPeer: boolean }).tellPeer, true);
      const e = step(started, { kind: 'error', code: 'CRYPTO_BAD_SIGNATURE', reason: 'x' });
      assert.equal(e.state.failure?.code, 'CRYPTO_BAD_SIGNATURE');
      const p = step(started, { kind: 'peer-error', code: SESSION_ERROR.channelBindingFailed, fatal: true });
      assert.equal(p.state.failure?.code, SESSION_ERROR.channelBindingFailed);
      assert.equal((failure(p.actions) as { tellPeer: boolean }).tellPeer, false);
      for (const failed of [t.state, e.state, p.state]) {
        for (const ev of [
          pdu(HAPPY[role][0] as HandshakePduType),
          { kind: 'timeout' } as const,
          { kind: 'start' } as const,
        ]) {
          const after = step(failed, ev);
          assert.equal(after.state, failed);
          assert.deepEqual(after.actions, []);
        }
      }
    });

    test(`${role}: a non-fatal peer error changes nothing; a message before Ready is refused, not fatal`, () => {
      const started = step(initialState(role), { kind: 'start' }).state;
      const p = step(started, { kind: 'peer-error', code: SESSION_ERROR.messageBeforeReady, fatal: false });
      assert.equal(p.state, started);
      const m = step(started, { kind: 'application-pdu' });
      assert.equal(m.state, started);
      assert.deepEqual(m.actions, [{ kind: 'notify', code: SESSION_ERROR.messageBeforeReady }]);
    });

    test(`${role}: Ready needs the peer's handshake-finished, and it is buffered until ours is sent`, () => {
      const withoutFinished = HAPPY[role].filter((t) => t !== 'handshake-finished');
      const { state } = runAll(role, withoutFinished);
      assert.equal(state.phase, 'handshaking');
      assert.equal(state.tracks.binding, 'await-finished');
      // Finished first, everything else after: still exactly one Ready, binding-send before verify.
      const early = runAll(role, ['handshake-finished', ...withoutFinished]);
      assert.equal(early.state.phase, 'ready');
      const order = tasks(early.actions);
      assert.ok(order.indexOf('binding-send') < order.indexOf('binding-verify'));
    });

    test(`${role}: a failing binding-verify (error event while verifying) never becomes Ready`, () => {
      const withoutFinished = HAPPY[role].filter((t) => t !== 'handshake-finished');
      const { state } = runAll(role, withoutFinished);
      const verifying = step(state, pdu('handshake-finished')).state;
      const failed = step(verifying, {
        kind: 'error',
        code: SESSION_ERROR.channelBindingFailed,
        reason: 'x',
      });
      assert.equal(failed.state.phase, 'failed');
      assert.ok(!failed.actions.some((a) => a.kind === 'ready'));
      assert.deepEqual(step(failed.state, { kind: 'task-done', task: 'binding-verify' }).actions, []);
    });

    test(`${role}: starting twice is an error`, () => {
      const started = step(initialState(role), { kind: 'start' }).state;
      assert.equal(step(started, { kind: 'start' }).state.phase, 'failed');
    });
  }

  test('property: any delivery order, with any identical duplicates, reaches Ready exactly once', () => {
    for (const role of ROLES) {
      const pdus = HAPPY[role];
      fc.assert(
        fc.property(
          fc.shuffledSubarray(pdus, { minLength: pdus.length, maxLength: pdus.length }),
          fc.array(fc.nat(pdus.length - 1), { maxLength: 6 }),
          (order, dups) => {
            const withDups = [...order];
            for (const d of dups) withDups.splice(d, 0, order[d] as HandshakePduType);
            const { state, actions } = runAll(role, withDups);
            assert.equal(state.phase, 'ready');
            assert.equal(actions.filter((a) => a.kind === 'ready').length, 1);
            assert.equal(failure(actions), undefined);
          },
        ),
        { numRuns: 300 },
      );
    }
  });

  test('initiator: the Signal response runs at once, before any MLS PDU (its identity travels in it)', () => {
    let r = step(initialState('initiator'), { kind: 'start' });
    r = step(r.state, pdu('signal-key-exchange-response'));
    assert.equal(r.state.buffered.length, 0);
    assert.deepEqual(tasks(r.actions), ['signal-initiate']);
    assert.equal(r.state.tracks.signal, 'done');
    assert.equal(r.state.tracks.mls, 'await-key-package');
  });

  test('responder: signal-session-complete is accepted before the Welcome', () => {
    let r = step(initialState('responder'), { kind: 'start' });
    for (const t of [
      'mls-key-package-request',
      'signal-key-exchange-request',
      'signal-session-complete',
    ] as const) {
      r = step(r.state, pdu(t));
    }
    assert.equal(r.state.tracks.signal, 'done');
    assert.equal(r.state.tracks.mls, 'await-commit');
    assert.equal(r.state.buffered.length, 0);
  });

  test('the early-PDU buffer is bounded', () => {
    const started = step(initialState('responder'), { kind: 'start' }).state;
    // mls-welcome waits for mls-commit; fill the buffer with distinct early PDUs via unique canonicals.
    let s: HandshakeState = { ...started, buffered: [] };
    const filler: ReceivedPdu[] = Array.from({ length: MAX_EARLY_HANDSHAKE_PDUS }, (_, i) => ({
      type: 'handshake-finished' as HandshakePduType,
      canonical: `filler-${i}`,
      pdu: null,
    }));
    s = { ...s, buffered: filler };
    const r = step(s, pdu('mls-welcome'));
    assert.equal(r.state.phase, 'failed');
    assert.equal(r.state.failure?.code, SESSION_ERROR.handshakeUnexpected);
  });

  test('every handshake PDU type appears in exactly one role as something received, except none', () => {
    const all = new Set<string>([...receivableTypes('initiator'), ...receivableTypes('responder')]);
    assert.deepEqual([...all].sort(), [...HANDSHAKE_PDU_TYPES].sort());
    const tracks: Track[] = ['mls', 'signal', 'mlkem', 'binding'];
    for (const role of ROLES) for (const t of TRANSITIONS[role]) assert.ok(tracks.includes(t.track));
  });
});
