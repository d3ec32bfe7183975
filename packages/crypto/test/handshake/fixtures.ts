/** Identities, pins and a handshake pair over the loopback channels. */

import {
  type HandshakeChannelLike,
  type HandshakeOptions,
  runHandshake,
} from '../../src/handshake/run-handshake.js';
import { ContactPins } from '../../src/identity/contact-pins.js';
import { generateIdentity, type IdentityKeyPair } from '../../src/identity/identity-keys.js';
import { makeMlsCiphersuite } from '../../src/mls/provider.js';
import { webCryptoRandom } from '../../src/random.js';
import type { SecureChannel } from '../../src/secure-channel/secure-channel.js';
import { type Interceptor, loopback } from './loopback.js';

export const FP_A = `sha-256 ${Array.from({ length: 32 }, (_, i) => (i + 0x10).toString(16).toUpperCase()).join(':')}`;
export const FP_B = `sha-256 ${Array.from({ length: 32 }, (_, i) => (i + 0xa0).toString(16).toUpperCase()).join(':')}`;
export const FP_EVIL = `sha-256 ${Array.from({ length: 32 }, () => 'EE').join(':')}`;

export interface Party {
  identity: IdentityKeyPair;
  pins: ContactPins;
}

export function party(): Party {
  return { identity: generateIdentity(webCryptoRandom), pins: new ContactPins() };
}

const suite = makeMlsCiphersuite(webCryptoRandom);

export interface PairOptions {
  intercept?: Interceptor;
  a?: Party;
  b?: Party;
  /** Fingerprints as each side sees them; default both see the true ones. */
  aSees?: { local: string; remote: string };
  bSees?: { local: string; remote: string };
  extraA?: Partial<HandshakeOptions>;
  extraB?: Partial<HandshakeOptions>;
}

export interface PairResult {
  a: PromiseSettledResult<SecureChannel>;
  b: PromiseSettledResult<SecureChannel>;
  ends: ReturnType<typeof loopback>;
}

export interface SideOptions {
  role: 'initiator' | 'responder';
  party: Party;
  remoteId: string;
  local: string;
  remote: string;
  extra?: Partial<HandshakeOptions>;
  signal?: AbortSignal;
}

/** Runs one side of a handshake on `end`; a failed side closes its end (like a closed channel). */
export async function runSide(
  end: HandshakeChannelLike & { closed: boolean },
  o: SideOptions,
): Promise<SecureChannel> {
  try {
    return await runHandshake(
      end,
      { role: o.role, remoteId: o.remoteId, signal: o.signal ?? new AbortController().signal },
      {
        identity: o.party.identity,
        pins: o.party.pins,
        localFingerprint: o.local,
        remoteFingerprint: o.remote,
        mlsSuite: await suite,
        timeoutMs: 20_000,
        ...o.extra,
      },
    );
  } catch (err) {
    end.closed = true;
    throw err;
  }
}

/** Runs initiator A and responder B to completion (both settle: Ready or error). */
export async function handshakePair(opts: PairOptions = {}): Promise<PairResult> {
  const a = opts.a ?? party();
  const b = opts.b ?? party();
  const ends = loopback(opts.intercept);
  const aSees = opts.aSees ?? { local: FP_A, remote: FP_B };
  const bSees = opts.bSees ?? { local: FP_B, remote: FP_A };
  const [ra, rb] = await Promise.allSettled([
    runSide(ends.initiator, {
      role: 'initiator',
      party: a,
      remoteId: 'bob',
      local: aSees.local,
      remote: aSees.remote,
      ...(opts.extraA ? { extra: opts.extraA } : {}),
    }),
    runSide(ends.responder, {
      role: 'responder',
      party: b,
      remoteId: 'alice',
      local: bSees.local,
      remote: bSees.remote,
      ...(opts.extraB ? { extra: opts.extraB } : {}),
    }),
  ]);
  return { a: ra, b: rb, ends };
}

/** Timers that only fire when the test says so. */
export function manualTimers(): {
  timers: { setTimeout: (fn: () => void) => number; clearTimeout: () => void };
  fire: () => void;
} {
  const pending: (() => void)[] = [];
  return {
    timers: {
      setTimeout: (fn) => pending.push(fn),
      clearTimeout: () => {},
    },
    fire: () => {
      for (const fn of pending.splice(0)) fn();
    },
  };
}
