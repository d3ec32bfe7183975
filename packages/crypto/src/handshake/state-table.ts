/**
 * The P3 crypto handshake as an explicit state machine (P7.2), pure: `step(state, event)` returns
 * the next state and the actions the driver must perform, and never touches keys or the channel.
 *
 * The handshake runs four tracks side by side (P7.2 allows parallel sub-states): MLS, Signal,
 * ML-KEM and the channel binding. Each track is a short chain of states; TRANSITIONS below is the
 * whole table, per role. A transition is taken when a PDU of its type arrives in its `from` state
 * (and its guard holds); it moves the track to `to` and asks the driver to run `task`, which does
 * the cryptography and sends the answering PDUs. A task that fails raises the `error` event.
 *
 * Rules outside the table, in this order:
 * - `failed` and `ready` are terminal: every later event is ignored (P8.2: SHOULD ignore handshake
 *   PDUs after a fatal error).
 * - A PDU the role can never receive, or a second, different PDU of a type already consumed, is
 *   fatal (HANDSHAKE_UNEXPECTED_PDU). The byte-identical duplicate of a consumed PDU is ignored.
 * - A PDU that a later state of its track accepts (or whose guard does not hold yet) is buffered,
 *   at most MAX_EARLY_HANDSHAKE_PDUS of them, and retried after every transition: this is how
 *   interleaved and reordered handshake PDUs are tolerated (P3.2 MUST).
 * - When the three layer tracks are `done`, the binding track sends `handshake-finished`; when the
 *   peer's `handshake-finished` verifies, the handshake is Ready (P3.3, P7.2: every enabled layer).
 * - `message`, `__mls_chunk__` and `rotation-timestamp-broadcast` before Ready are refused with a
 *   non-fatal MESSAGE_BEFORE_READY; a fatal `protocol-error` from the peer ends the handshake.
 */
import {
  HANDSHAKE_PDU_TYPES,
  type HandshakePduType,
  SESSION_ERROR,
  type WireErrorCode,
} from '@enkrypted/protocol';
import { MAX_EARLY_HANDSHAKE_PDUS } from './constants.js';

export type HandshakeRole = 'initiator' | 'responder';
export type Track = 'mls' | 'signal' | 'mlkem' | 'binding';
export const TRACKS: readonly Track[] = ['mls', 'signal', 'mlkem', 'binding'];
export const LAYER_TRACKS: readonly Track[] = ['mls', 'signal', 'mlkem'];

/** Work the driver does for a transition: cryptography plus the PDUs it sends. */
export type HandshakeTask =
  | 'mls-request-key-package'
  | 'mls-send-key-package'
  | 'mls-create-group'
  | 'mls-store-commit'
  | 'mls-join'
  | 'mls-verify-welcome-ack'
  | 'mls-answer-sync'
  | 'mls-verify-sync'
  | 'signal-request'
  | 'signal-respond'
  | 'signal-initiate'
  | 'signal-accept'
  | 'mlkem-offer'
  | 'mlkem-offer-and-answer'
  | 'mlkem-answer'
  | 'mlkem-finish'
  | 'binding-send'
  | 'binding-verify';

/**
 * `start` is the data channel opening; `layers-done` is raised by step itself; `binding-verify:done`
 * is the driver reporting that the peer's signature verified (Ready is never entered optimistically,
 * before the last check has actually passed).
 */
export type Trigger = HandshakePduType | 'start' | 'layers-done' | 'binding-verify:done';

export interface Transition {
  readonly track: Track;
  readonly from: string;
  readonly on: Trigger;
  readonly to: string;
  readonly task?: HandshakeTask;
  /** The transition waits (the PDU stays buffered) until the MLS track is in one of these states. */
  readonly requiresMls?: readonly string[];
}

const T = (
  track: Track,
  from: string,
  on: Trigger,
  to: string,
  task?: HandshakeTask,
  requiresMls?: readonly string[],
): Transition => ({
  track,
  from,
  on,
  to,
  ...(task ? { task } : {}),
  ...(requiresMls ? { requiresMls } : {}),
});

/*
 * No transition of this profile carries a guard any more: each Signal PDU carries its sender's
 * identity binding, so X3DH no longer waits for the MLS credential. `requiresMls` stays in the
 * machine for a future cross-track dependency.
 */

/** The whole table. Every track starts in `idle`; layer tracks end in `done`, binding in `verified`. */
export const TRANSITIONS: Readonly<Record<HandshakeRole, readonly Transition[]>> = {
  initiator: [
    T('mls', 'idle', 'start', 'await-key-package', 'mls-request-key-package'),
    T('mls', 'await-key-package', 'mls-key-package', 'await-welcome-ack', 'mls-create-group'),
    T('mls', 'await-welcome-ack', 'mls-welcome-ack', 'await-sync-response', 'mls-verify-welcome-ack'),
    T('mls', 'await-sync-response', 'mls-encryption-sync-response', 'done', 'mls-verify-sync'),
    T('signal', 'idle', 'start', 'await-response', 'signal-request'),
    T('signal', 'await-response', 'signal-key-exchange-response', 'done', 'signal-initiate'),
    T('mlkem', 'idle', 'start', 'await-key', 'mlkem-offer'),
    T('mlkem', 'await-key', 'mlkem-key-exchange', 'await-response', 'mlkem-answer'),
    T('mlkem', 'await-response', 'mlkem-key-exchange-response', 'done', 'mlkem-finish'),
    T('binding', 'idle', 'start', 'waiting'),
    T('binding', 'waiting', 'layers-done', 'await-finished', 'binding-send'),
    T('binding', 'await-finished', 'handshake-finished', 'verifying', 'binding-verify'),
    T('binding', 'verifying', 'binding-verify:done', 'verified'),
  ],
  responder: [
    T('mls', 'idle', 'start', 'await-key-package-request'),
    T('mls', 'await-key-package-request', 'mls-key-package-request', 'await-commit', 'mls-send-key-package'),
    T('mls', 'await-commit', 'mls-commit', 'await-welcome', 'mls-store-commit'),
    T('mls', 'await-welcome', 'mls-welcome', 'await-sync-request', 'mls-join'),
    T('mls', 'await-sync-request', 'mls-encryption-sync-request', 'done', 'mls-answer-sync'),
    T('signal', 'idle', 'start', 'await-request'),
    T('signal', 'await-request', 'signal-key-exchange-request', 'await-complete', 'signal-respond'),
    T('signal', 'await-complete', 'signal-session-complete', 'done', 'signal-accept'),
    T('mlkem', 'idle', 'start', 'await-key'),
    T('mlkem', 'await-key', 'mlkem-key-exchange', 'await-response', 'mlkem-offer-and-answer'),
    T('mlkem', 'await-response', 'mlkem-key-exchange-response', 'done', 'mlkem-finish'),
    T('binding', 'idle', 'start', 'waiting'),
    T('binding', 'waiting', 'layers-done', 'await-finished', 'binding-send'),
    T('binding', 'await-finished', 'handshake-finished', 'verifying', 'binding-verify'),
    T('binding', 'verifying', 'binding-verify:done', 'verified'),
  ],
};

const FINAL_STATE: Readonly<Record<Track, string>> = {
  mls: 'done',
  signal: 'done',
  mlkem: 'done',
  binding: 'verified',
};

export type Phase = 'handshaking' | 'ready' | 'failed';

/** A received handshake PDU as the machine sees it: its type plus opaque payload and canonical text. */
export interface ReceivedPdu<P = unknown> {
  readonly type: HandshakePduType;
  /** Canonical encoding: byte-identical duplicates are recognised by it. */
  readonly canonical: string;
  readonly pdu: P;
}

export interface HandshakeState<P = unknown> {
  readonly role: HandshakeRole;
  readonly phase: Phase;
  readonly tracks: Readonly<Record<Track, string>>;
  /** Early PDUs, oldest first. */
  readonly buffered: readonly ReceivedPdu<P>[];
  /** Canonical text of each consumed PDU type. */
  readonly consumed: Readonly<Partial<Record<HandshakePduType, string>>>;
  readonly failure?: { readonly code: WireErrorCode; readonly reason: string };
}

export type HandshakeEvent<P = unknown> =
  | { readonly kind: 'start' }
  | { readonly kind: 'pdu'; readonly received: ReceivedPdu<P> }
  /** A task whose completion the table waits for finished successfully (binding-verify). */
  | { readonly kind: 'task-done'; readonly task: HandshakeTask }
  /** `message`, `__mls_chunk__` or `rotation-timestamp-broadcast` before Ready. */
  | { readonly kind: 'application-pdu' }
  /** A `protocol-error` from the peer. */
  | { readonly kind: 'peer-error'; readonly code: WireErrorCode; readonly fatal: boolean }
  | { readonly kind: 'timeout' }
  /** A task failed, a frame was invalid, or the channel went away. */
  | { readonly kind: 'error'; readonly code: WireErrorCode; readonly reason: string };

export type HandshakeAction<P = unknown> =
  | { readonly kind: 'run'; readonly task: HandshakeTask; readonly received?: ReceivedPdu<P> }
  /** Non-fatal `protocol-error` to the peer (the handshake goes on). */
  | { readonly kind: 'notify'; readonly code: WireErrorCode }
  /** Fatal: tell the peer (unless it told us) and stop; never Ready. */
  | {
      readonly kind: 'fail';
      readonly code: WireErrorCode;
      readonly reason: string;
      readonly tellPeer: boolean;
    }
  | { readonly kind: 'ready' };

export interface StepResult<P = unknown> {
  readonly state: HandshakeState<P>;
  readonly actions: readonly HandshakeAction<P>[];
}

export function initialState<P = unknown>(role: HandshakeRole): HandshakeState<P> {
  return {
    role,
    phase: 'handshaking',
    tracks: { mls: 'idle', signal: 'idle', mlkem: 'idle', binding: 'idle' },
    buffered: [],
    consumed: {},
  };
}

/** Handshake PDU types a role can receive at all (the `on` of its table). */
export function receivableTypes(role: HandshakeRole): ReadonlySet<HandshakePduType> {
  const set = new Set<HandshakePduType>();
  for (const t of TRANSITIONS[role]) {
    if ((HANDSHAKE_PDU_TYPES as readonly string[]).includes(t.on)) set.add(t.on as HandshakePduType);
  }
  return set;
}

function trackOf(role: HandshakeRole, type: HandshakePduType): Track | undefined {
  return TRANSITIONS[role].find((t) => t.on === type)?.track;
}

function fail<P>(
  state: HandshakeState<P>,
  code: WireErrorCode,
  reason: string,
  tellPeer: boolean,
): StepResult<P> {
  return {
    state: { ...state, phase: 'failed', buffered: [], failure: { code, reason } },
    actions: [{ kind: 'fail', code, reason, tellPeer }],
  };
}

/** The transition a trigger takes from the current state, if its guard holds. */
function enabled(state: HandshakeState, on: Trigger): Transition | undefined {
  return TRANSITIONS[state.role].find(
    (t) =>
      t.on === on &&
      state.tracks[t.track] === t.from &&
      (t.requiresMls === undefined || t.requiresMls.includes(state.tracks.mls)),
  );
}

/** True when a later state of the PDU's track (or a pending guard) will accept it. */
function acceptsLater(state: HandshakeState, type: HandshakePduType): boolean {
  const t = TRANSITIONS[state.role].find((x) => x.on === type);
  if (t === undefined) return false;
  const chain = TRANSITIONS[state.role].filter((x) => x.track === t.track);
  const here = chain.findIndex((x) => x.from === state.tracks[t.track]);
  const at = chain.indexOf(t);
  return here !== -1 && at >= here;
}

function apply<P>(
  state: HandshakeState<P>,
  t: Transition,
  received: ReceivedPdu<P> | undefined,
  actions: HandshakeAction<P>[],
): HandshakeState<P> {
  const next: HandshakeState<P> = {
    ...state,
    tracks: { ...state.tracks, [t.track]: t.to },
    consumed: received ? { ...state.consumed, [received.type]: received.canonical } : state.consumed,
  };
  if (t.task)
    actions.push(received ? { kind: 'run', task: t.task, received } : { kind: 'run', task: t.task });
  return next;
}

/** Retries buffered PDUs and raises `layers-done` / Ready until nothing more moves. */
function settle<P>(state: HandshakeState<P>, actions: HandshakeAction<P>[]): HandshakeState<P> {
  let s = state;
  for (let progressed = true; progressed; ) {
    progressed = false;
    for (const b of s.buffered) {
      const t = enabled(s, b.type);
      if (t) {
        s = apply({ ...s, buffered: s.buffered.filter((x) => x !== b) }, t, b, actions);
        progressed = true;
        break;
      }
    }
    if (!progressed && LAYER_TRACKS.every((k) => s.tracks[k] === FINAL_STATE[k])) {
      const t = enabled(s, 'layers-done');
      if (t) {
        s = apply(s, t, undefined, actions);
        progressed = true;
      }
    }
  }
  if (TRACKS.every((k) => s.tracks[k] === FINAL_STATE[k])) {
    s = { ...s, phase: 'ready' };
    actions.push({ kind: 'ready' });
  }
  return s;
}

export function step<P>(state: HandshakeState<P>, event: HandshakeEvent<P>): StepResult<P> {
  if (state.phase !== 'handshaking') return { state, actions: [] };
  const actions: HandshakeAction<P>[] = [];
  switch (event.kind) {
    case 'start': {
      if (Object.values(state.tracks).some((s) => s !== 'idle')) {
        return fail(state, SESSION_ERROR.handshakeFailed, 'handshake started twice', false);
      }
      let s = state;
      for (const t of TRANSITIONS[state.role].filter((x) => x.on === 'start')) {
        s = apply(s, t, undefined, actions);
      }
      return { state: settle(s, actions), actions };
    }
    case 'pdu': {
      const r = event.received;
      if (trackOf(state.role, r.type) === undefined) {
        return fail(
          state,
          SESSION_ERROR.handshakeUnexpected,
          `${r.type} is never sent to the ${state.role}`,
          true,
        );
      }
      const seen = state.consumed[r.type];
      if (seen !== undefined) {
        if (seen === r.canonical) return { state, actions };
        return fail(state, SESSION_ERROR.handshakeUnexpected, `a second, different ${r.type}`, true);
      }
      if (state.buffered.some((b) => b.type === r.type)) {
        if (state.buffered.some((b) => b.canonical === r.canonical)) return { state, actions };
        return fail(state, SESSION_ERROR.handshakeUnexpected, `a second, different ${r.type}`, true);
      }
      const t = enabled(state, r.type);
      if (t) return { state: settle(apply(state, t, r, actions), actions), actions };
      if (!acceptsLater(state, r.type)) {
        return fail(state, SESSION_ERROR.handshakeUnexpected, `${r.type} out of order`, true);
      }
      if (state.buffered.length >= MAX_EARLY_HANDSHAKE_PDUS) {
        return fail(state, SESSION_ERROR.handshakeUnexpected, 'too many early handshake PDUs', true);
      }
      return { state: { ...state, buffered: [...state.buffered, r] }, actions };
    }
    case 'task-done': {
      const t = enabled(state, `${event.task}:done` as Trigger);
      if (t === undefined) return { state, actions };
      return { state: settle(apply(state, t, undefined, actions), actions), actions };
    }
    case 'application-pdu':
      return { state, actions: [{ kind: 'notify', code: SESSION_ERROR.messageBeforeReady }] };
    case 'peer-error':
      if (!event.fatal) return { state, actions };
      return fail(state, event.code, 'the peer ended the handshake', false);
    case 'timeout':
      return fail(state, SESSION_ERROR.handshakeTimeout, 'no Ready within the handshake timeout', true);
    case 'error':
      return fail(state, event.code, event.reason, true);
  }
}
