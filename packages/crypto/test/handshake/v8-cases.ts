/**
 * Vector V8 (Appendix A, deferred to Profile-v1 by the spec): a full live handshake and cascade
 * round trip from fixed seeds. Everything random comes from per-side seeded byte streams and every
 * clock is fixed, so the wire bytes are reproducible. ts-mls draws most randomness from the
 * injected rng, but its HPKE (@hpke/core) makes its own key pairs and encapsulation ephemerals: for
 * the vector those two HPKE calls are routed through the same seeded stream (deriveKeyPair from 32
 * seeded bytes, and `ekm` for seal). That substitution is the only test-only part; it changes which
 * key pairs are used, not any algorithm or encoding.
 */
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import type { CiphersuiteImpl } from 'ts-mls';
import { runHandshake } from '../../src/handshake/run-handshake.js';
import { ContactPins } from '../../src/identity/contact-pins.js';
import { generateIdentity } from '../../src/identity/identity-keys.js';
import { makeMlsCiphersuite } from '../../src/mls/provider.js';
import type { RandomBytes } from '../../src/random.js';
import type { SecureChannel } from '../../src/secure-channel/secure-channel.js';
import { seededRandom } from '../cascade/helpers.js';
import { loopback } from './loopback.js';

export const V8_SEEDS = { initiator: 'EnkryptedChat V8 initiator', responder: 'EnkryptedChat V8 responder' };
export const V8_CLOCK_MS = 1_717_000_000_000;
export const V8_FINGERPRINTS = {
  initiator: `sha-256 ${Array.from({ length: 32 }, (_, i) => (0x11 * (i % 15) + 1).toString(16).padStart(2, '0').toUpperCase()).join(':')}`,
  responder: `sha-256 ${Array.from({ length: 32 }, (_, i) => (0xf0 - i).toString(16).toUpperCase()).join(':')}`,
};
/** The conversation of the vector: direction and plaintext (hex) of each message, in order. */
export const V8_MESSAGES: readonly { from: 'initiator' | 'responder'; plaintextHex: string }[] = [
  { from: 'initiator', plaintextHex: '4869' },
  { from: 'responder', plaintextHex: Buffer.from('{"message":"Hello, Alice"}').toString('hex') },
  // 9000 bytes (vector V7's size): the cascade ciphertext travels in __mls_chunk__ PDUs.
  {
    from: 'initiator',
    plaintextHex: Buffer.from(Uint8Array.from({ length: 9000 }, (_, i) => i % 251)).toString('hex'),
  },
  // 64 KiB (BULK_MIN_PLAINTEXT_BYTES): the bulk form, content key from the responder's seeded stream.
  {
    from: 'responder',
    plaintextHex: Buffer.from(Uint8Array.from({ length: 65536 }, (_, i) => (i * 7) % 253)).toString('hex'),
  },
];

async function deterministicSuite(random: RandomBytes): Promise<CiphersuiteImpl> {
  const base = await makeMlsCiphersuite(random);
  const hpke = new CipherSuite({
    kem: new DhkemX25519HkdfSha256(),
    kdf: new HkdfSha256(),
    aead: new Aes128Gcm(),
  });
  return {
    ...base,
    hpke: {
      ...base.hpke,
      generateKeyPair: () => base.hpke.deriveKeyPair(random(32)),
      async seal(publicKey, plaintext, info, aad) {
        const r = await hpke.seal(
          { recipientPublicKey: publicKey, info: info.slice().buffer, ekm: random(32).buffer },
          plaintext.slice().buffer,
          aad ? aad.slice().buffer : new ArrayBuffer(0),
        );
        return { ct: new Uint8Array(r.ct), enc: new Uint8Array(r.enc) };
      },
    },
  };
}

export interface V8Run {
  initiatorFrames: string[];
  responderFrames: string[];
  sessionId: string;
  /** Per message: the frames sent and the plaintext the receiver got. */
  messages: { frames: string[]; received: Uint8Array }[];
}

/** Runs the whole vector: the handshake over a FIFO loopback, then the conversation. */
export async function runV8(): Promise<V8Run> {
  const now = () => V8_CLOCK_MS;
  const elapsed = () => 0;
  const ends = loopback();
  const signal = new AbortController().signal;
  const side = async (role: 'initiator' | 'responder'): Promise<SecureChannel> => {
    const random = seededRandom(V8_SEEDS[role]);
    const identity = generateIdentity(random);
    const peer = role === 'initiator' ? 'responder' : 'initiator';
    return runHandshake(
      role === 'initiator' ? ends.initiator : ends.responder,
      { role, remoteId: peer, signal },
      {
        identity,
        pins: new ContactPins({ now }),
        localFingerprint: V8_FINGERPRINTS[role],
        remoteFingerprint: V8_FINGERPRINTS[peer],
        random,
        now,
        mlsSuite: await deterministicSuite(random),
        channel: { elapsed },
      },
    );
  };
  const [a, b] = await Promise.all([side('initiator'), side('responder')]);
  const initiatorFrames = ends.initiator.sent.map(String);
  const responderFrames = ends.responder.sent.map(String);
  const messages: V8Run['messages'] = [];
  for (const m of V8_MESSAGES) {
    const [from, to] = m.from === 'initiator' ? [a, b] : [b, a];
    const frames = await from.seal(Buffer.from(m.plaintextHex, 'hex'));
    let received: Uint8Array | null = null;
    for (const f of frames) received = (await to.open(f)) ?? received;
    if (received === null) throw new Error('V8 message not delivered');
    messages.push({ frames, received });
  }
  return { initiatorFrames, responderFrames, sessionId: a.sessionId, messages };
}
