/** Identities, pins and a handshake pair over the loopback channels. */

import { type HandshakeOptions, runHandshake } from '../../src/handshake/run-handshake.js';
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

/** Runs initiator A and responder B to completion (both settle: Ready or error). */
export async function handshakePair(opts: PairOptions = {}): Promise<PairResult> {
  const a = opts.a ?? party();
  const b = opts.b ?? party();
  const ends = loopback(opts.intercept);
  const mlsSuite = await suite;
  const controller = new AbortController();
  const aSees = opts.aSees ?? { local: FP_A, remote: FP_B };
  const bSees = opts.bSees ?? { local: FP_B, remote: FP_A };
  const timeoutMs = 20_000;
  const [ra, rb] = await Promise.allSettled([
    runHandshake(
      ends.initiator,
      { role: 'initiator', remoteId: 'bob', signal: controller.signal },
      {
        identity: a.identity,
        pins: a.pins,
        localFingerprint: aSees.local,
        remoteFingerprint: aSees.remote,
        mlsSuite,
        timeoutMs,
        ...opts.extraA,
      },
    ).catch((err) => {
      ends.initiator.closed = true;
      throw err;
    }),
    runHandshake(
      ends.responder,
      { role: 'responder', remoteId: 'alice', signal: controller.signal },
      {
        identity: b.identity,
        pins: b.pins,
        localFingerprint: bSees.local,
        remoteFingerprint: bSees.remote,
        mlsSuite,
        timeoutMs,
        ...opts.extraB,
      },
    ).catch((err) => {
      ends.responder.closed = true;
      throw err;
    }),
  ]);
  return { a: ra, b: rb, ends };
}
