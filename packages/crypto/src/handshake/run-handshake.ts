/**
 * The async driver of the handshake: reads frames from the open data channel, turns them into
 * events for the pure state machine (state-table.ts), performs the actions it returns (tasks.ts
 * does the cryptography, this module sends the PDUs) and resolves to a SecureChannel at Ready.
 *
 * Its signature matches the peer package's HandshakeHook structurally: `(channel, ctx)` with
 * `channel.send(frame)` / `channel.receive({signal})` and `ctx = {role, remoteId, signal}`, plus our
 * options (identity, pins, DTLS fingerprints). `createHandshake(options)` returns such a hook.
 *
 * Any failure ends in a HandshakeError with a wire code, after a best-effort fatal `protocol-error`
 * to the peer (unless the peer reported it); the channel is never left half-ready.
 */
import {
  decodePdu,
  encodePdu,
  type HandshakePdu,
  isHandshakePdu,
  isProtocolError,
  PDU_ERROR,
  PDU_TYPE,
  type Pdu,
  pduTextToBytes,
  SESSION_ERROR,
  type WireErrorCode,
} from '@enkrypted/protocol';
import type { CiphersuiteImpl } from 'ts-mls';
import type { ContactPins } from '../identity/contact-pins.js';
import type { IdentityKeyPair } from '../identity/identity-keys.js';
import { makeMlsCiphersuite } from '../mls/provider.js';
import { type RandomBytes, webCryptoRandom } from '../random.js';
import { SecureChannel, type SecureChannelOptions } from '../secure-channel/secure-channel.js';
import { HANDSHAKE_TIMEOUT_MS, MAX_STRAY_FRAMES_DURING_HANDSHAKE } from './constants.js';
import { HandshakeError, wireCodeOf } from './errors.js';
import {
  type HandshakeAction,
  type HandshakeEvent,
  type HandshakeRole,
  type HandshakeState,
  initialState,
  type ReceivedPdu,
  step,
} from './state-table.js';
import { HandshakeCrypto } from './tasks.js';

export type Frame = string | Uint8Array;

/** The open data channel, as the peer package's HandshakeChannel. */
export interface HandshakeChannelLike {
  send(frame: Frame): Promise<void>;
  receive(options?: { signal?: AbortSignal | undefined }): Promise<Frame>;
}

/** As the peer package's HandshakeContext. */
export interface HandshakeContextLike {
  role: HandshakeRole;
  remoteId: string;
  signal: AbortSignal;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface HandshakeOptions {
  readonly identity: IdentityKeyPair;
  readonly pins: ContactPins;
  /** DTLS fingerprint of our own certificate, as in our SDP ("sha-256 AB:CD:…"). */
  readonly localFingerprint: string;
  /** DTLS fingerprint of the peer's certificate, as in the SDP we received. */
  readonly remoteFingerprint: string;
  /** Handle under which the peer's identity is pinned; default ctx.remoteId. */
  readonly contactId?: string;
  readonly random?: RandomBytes;
  readonly now?: () => number;
  readonly timeoutMs?: number;
  /** Timer functions (tests inject their own to fire the timeout). */
  readonly timers?: Timers;
  /** A ready MLS cipher suite implementation (it is built once per process otherwise). */
  readonly mlsSuite?: CiphersuiteImpl;
  /** Passed to the SecureChannel. */
  readonly channel?: Omit<SecureChannelOptions, 'random' | 'now'>;
  /** Observes every state the machine enters (diagnostics, tests). */
  readonly onState?: (state: HandshakeState) => void;
}

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

let sharedSuite: Promise<CiphersuiteImpl> | undefined;

/** The MLS suite with WebCrypto randomness, built once per process (it probes WebCrypto). */
function defaultSuite(): Promise<CiphersuiteImpl> {
  if (sharedSuite === undefined) sharedSuite = makeMlsCiphersuite(webCryptoRandom);
  return sharedSuite;
}

/** Returns a HandshakeHook-shaped function bound to `options`. */
export function createHandshake(
  options: HandshakeOptions,
): (channel: HandshakeChannelLike, ctx: HandshakeContextLike) => Promise<SecureChannel> {
  return (channel, ctx) => runHandshake(channel, ctx, options);
}

/** Classifies one inbound frame into a machine event (or a drop). */
function toEvent(
  frame: Frame,
  crypto: HandshakeCrypto,
): { event?: HandshakeEvent<HandshakePdu>; stray?: true } {
  let pdu: Pdu;
  try {
    pdu = decodePdu(frame);
  } catch (err) {
    // P8.2: unknown types are dropped. Anything else malformed during the handshake is fatal: the
    // handshake cannot complete without that PDU, so failing now beats a 300 s stall.
    if (isProtocolError(err, PDU_ERROR.unknownType)) return { stray: true };
    return { event: { kind: 'error', code: wireCodeOf(err), reason: 'invalid handshake frame' } };
  }
  if (isHandshakePdu(pdu)) {
    try {
      crypto.checkSession(pdu.sessionId);
    } catch (err) {
      return { event: { kind: 'error', code: wireCodeOf(err), reason: 'handshake PDU of another session' } };
    }
    const canonical = encodePdu(pdu);
    return { event: { kind: 'pdu', received: { type: pdu.type, canonical, pdu } } };
  }
  if (pdu.type === PDU_TYPE.protocolError)
    return { event: { kind: 'peer-error', code: pdu.code, fatal: pdu.fatal } };
  return { event: { kind: 'application-pdu' }, stray: true };
}

async function sendProtocolError(
  channel: HandshakeChannelLike,
  code: WireErrorCode,
  fatal: boolean,
): Promise<void> {
  try {
    await channel.send(encodePdu({ type: PDU_TYPE.protocolError, code, fatal }));
  } catch {
    // Best effort: the channel may already be gone, and the local error is what matters.
  }
}

export async function runHandshake(
  channel: HandshakeChannelLike,
  ctx: HandshakeContextLike,
  options: HandshakeOptions,
): Promise<SecureChannel> {
  const random = options.random ?? webCryptoRandom;
  const now = options.now ?? Date.now;
  const timers = options.timers ?? defaultTimers;
  const mlsSuite =
    options.mlsSuite ??
    (options.random === undefined ? await defaultSuite() : await makeMlsCiphersuite(random));
  const crypto = new HandshakeCrypto({
    role: ctx.role,
    identity: options.identity,
    pins: options.pins,
    contactId: options.contactId ?? ctx.remoteId,
    localFingerprint: options.localFingerprint,
    remoteFingerprint: options.remoteFingerprint,
    random,
    now,
    mlsSuite,
  });
  const peerRole: HandshakeRole = ctx.role === 'initiator' ? 'responder' : 'initiator';

  const stop = new AbortController();
  let timedOut = false;
  const timer = timers.setTimeout(() => {
    timedOut = true;
    stop.abort();
  }, options.timeoutMs ?? HANDSHAKE_TIMEOUT_MS);
  const onAbort = () => stop.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal.aborted) stop.abort();

  let state: HandshakeState<HandshakePdu> = initialState(ctx.role);
  let strays = 0;

  /** Feeds one event and performs its actions; returns the channel at Ready. */
  const feed = async (event: HandshakeEvent<HandshakePdu>): Promise<SecureChannel | undefined> => {
    const pending: HandshakeEvent<HandshakePdu>[] = [event];
    while (pending.length > 0) {
      const result = step(state, pending.shift() as HandshakeEvent<HandshakePdu>);
      state = result.state;
      options.onState?.(state);
      for (const action of result.actions) {
        const next = await perform(action);
        if (next instanceof SecureChannel) return next;
        if (next?.kind === 'task-done') {
          pending.push(next);
        } else if (next !== undefined) {
          // A task failed: the machine fails; later actions of this step are not performed.
          pending.length = 0;
          pending.push(next);
          break;
        }
      }
    }
    return undefined;
  };

  const perform = async (
    action: HandshakeAction<HandshakePdu>,
  ): Promise<SecureChannel | HandshakeEvent<HandshakePdu> | undefined> => {
    switch (action.kind) {
      case 'run': {
        try {
          const r: ReceivedPdu<HandshakePdu> | undefined = action.received;
          if (r !== undefined) crypto.record(peerRole, r.type, pduTextToBytes(r.canonical));
          const out = await crypto.run(action.task, r?.pdu);
          for (const pdu of out) {
            const text = encodePdu(pdu);
            crypto.record(ctx.role, pdu.type as HandshakePdu['type'], pduTextToBytes(text));
            await channel.send(text);
          }
          return action.task === 'binding-verify' ? { kind: 'task-done', task: action.task } : undefined;
        } catch (err) {
          return { kind: 'error', code: wireCodeOf(err), reason: `${action.task} failed` };
        }
      }
      case 'notify':
        sendProtocolError(channel, action.code, false);
        return undefined;
      case 'fail':
        if (action.tellPeer) sendProtocolError(channel, action.code, true);
        throw new HandshakeError(action.code, action.reason, !action.tellPeer);
      case 'ready': {
        const o = crypto.outcome();
        return new SecureChannel(
          {
            sessionId: o.sessionId,
            role: o.role,
            layers: { mls: o.mls, signal: o.signal, mlkem: o.mlkem, aes: o.aes },
            localIdentity: options.identity.publicIdentity,
            remoteIdentity: o.remoteIdentity,
            pin: o.pin,
          },
          { ...options.channel, random, now },
        );
      }
    }
  };

  try {
    const started = await feed({ kind: 'start' });
    if (started) return started;
    for (;;) {
      let frame: Frame;
      try {
        frame = await channel.receive({ signal: stop.signal });
      } catch {
        const event: HandshakeEvent<HandshakePdu> = timedOut
          ? { kind: 'timeout' }
          : {
              kind: 'error',
              code: SESSION_ERROR.handshakeFailed,
              reason: 'channel closed or handshake aborted',
            };
        await feed(event);
        throw new HandshakeError(SESSION_ERROR.handshakeFailed, 'handshake stopped');
      }
      const { event, stray } = toEvent(frame, crypto);
      if (stray && ++strays > MAX_STRAY_FRAMES_DURING_HANDSHAKE) {
        await feed({ kind: 'error', code: SESSION_ERROR.handshakeFailed, reason: 'too many stray frames' });
      }
      if (event === undefined) continue;
      const done = await feed(event);
      if (done) return done;
      if (timedOut) await feed({ kind: 'timeout' });
    }
  } finally {
    timers.clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}
