/**
 * Regenerates vectors/v8-cascade-roundtrip.json (run by hand after a deliberate wire change):
 *   node --conditions=source --import tsx packages/crypto/test/handshake/generate-v8.ts
 */
import { writeFileSync } from 'node:fs';
import { runV8, V8_CLOCK_MS, V8_FINGERPRINTS, V8_MESSAGES, V8_SEEDS } from './v8-cases.js';

const run = await runV8();
const vector = {
  id: 'V8',
  profile: 'EnkryptedChat-Profile-v0',
  description:
    'Live handshake (12 P3 PDU types + handshake-finished) and MLS → Signal → ML-KEM-768 → AES-256-GCM round trips from fixed seeds (the last one, 64 KiB, in the bulk form of §4.2.6); frames are the exact data-channel texts.',
  randomness:
    'per side: block i = SHA-256(utf8(seed) || u64be(i)), concatenated; every random byte of that side (identity, MLS incl. HPKE key pairs and ephemerals, X3DH, ratchet, ML-KEM, ids) is drawn from it in order',
  fixed: [
    'seeds, wall clock (clockMs) and processing-time clock (0)',
    'DTLS fingerprints',
    'FIFO delivery of each direction (the order in which a side draws randomness depends only on it)',
  ],
  testOnly:
    'ts-mls HPKE key generation and encapsulation are routed through the seeded stream (deriveKeyPair, ekm); production uses @hpke/core randomness there',
  seeds: V8_SEEDS,
  clockMs: V8_CLOCK_MS,
  fingerprints: V8_FINGERPRINTS,
  sessionId: run.sessionId,
  handshake: { initiator: run.initiatorFrames, responder: run.responderFrames },
  cases: V8_MESSAGES.map((m, i) => ({
    from: m.from,
    plaintextHex: m.plaintextHex,
    frames: run.messages[i]?.frames,
  })),
};
const path = new URL('../../vectors/v8-cascade-roundtrip.json', import.meta.url);
writeFileSync(path, `${JSON.stringify(vector, null, 2)}\n`);
console.log(`wrote ${path.pathname}: ${vector.cases.length} cases`);
