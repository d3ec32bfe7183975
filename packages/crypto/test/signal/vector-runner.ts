/**
 * Runs one Signal vector case from its seeds: identities, X3DH, session setup, then a script of
 * sends and deliveries. In "record" mode it returns what it computed (to write the vector file); the
 * vector test compares every recorded byte with a fresh run and also decrypts the stored messages.
 */
import { toHex } from '../../src/encoding.js';
import { encodeIdentityKey, generateIdentity } from '../../src/identity/identity-keys.js';
import { computeSafetyNumber } from '../../src/identity/safety-number.js';
import { generateSignedPrekey, publicSignedPrekey } from '../../src/identity/signed-prekey.js';
import type { LayerParameters } from '../../src/layer.js';
import {
  acceptSignalSession,
  initiateSignalSession,
  type SessionCompleteJson,
} from '../../src/signal/session.js';
import { initialMessageFromJson } from '../../src/signal/x3dh-common.js';
import { x3dhRespond } from '../../src/signal/x3dh-responder.js';
import { seededRandom } from './helpers.js';

export type Step =
  | { op: 'send'; from: 'alice' | 'bob'; plaintext: string; ad: string }
  | { op: 'deliver'; message: number };

export interface CaseInput {
  name: string;
  aliceSeed: string;
  bobSeed: string;
  signedPrekeyId: number;
  steps: Step[];
}

export interface RecordedMessage {
  from: 'alice' | 'bob';
  plaintext: string;
  ad: string;
  parameters: LayerParameters;
  ciphertext: string;
}

export interface CaseOutput {
  aliceIdentityKey: string;
  bobIdentityKey: string;
  sharedSecret: string;
  associatedData: string;
  safetyNumber: string;
  sessionComplete: SessionCompleteJson;
  messages: RecordedMessage[];
}

const hexToBytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

export async function runCase(c: CaseInput): Promise<CaseOutput> {
  const ra = seededRandom(c.aliceSeed);
  const rb = seededRandom(c.bobSeed);
  const aliceId = generateIdentity(ra);
  const bobId = generateIdentity(rb);
  const spk = generateSignedPrekey(bobId, c.signedPrekeyId, rb);
  const started = await initiateSignalSession(
    aliceId,
    { identity: bobId.publicIdentity, signedPrekey: publicSignedPrekey(spk) },
    ra,
  );
  const accepted = await acceptSignalSession(bobId, spk, started.sessionComplete, rb);
  const x3dh = x3dhRespond(bobId, spk, initialMessageFromJson(started.sessionComplete.x3dh));
  const layers = { alice: started.layer, bob: accepted.layer };
  const messages: RecordedMessage[] = [];
  for (const step of c.steps) {
    if (step.op === 'send') {
      const sealed = await layers[step.from].seal(hexToBytes(step.plaintext), hexToBytes(step.ad));
      sealed.commit();
      messages.push({ ...step, parameters: sealed.parameters, ciphertext: toHex(sealed.ciphertext) });
    } else {
      const m = messages[step.message];
      if (m === undefined) throw new Error(`vector ${c.name}: deliver of unsent message ${step.message}`);
      const to = m.from === 'alice' ? 'bob' : 'alice';
      const opened = await layers[to].open(hexToBytes(m.ciphertext), m.parameters, hexToBytes(m.ad));
      opened.commit();
      if (toHex(opened.plaintext) !== m.plaintext)
        throw new Error(`vector ${c.name}: message ${step.message} differs`);
    }
  }
  return {
    aliceIdentityKey: toHex(encodeIdentityKey(aliceId.publicIdentity)),
    bobIdentityKey: toHex(encodeIdentityKey(bobId.publicIdentity)),
    sharedSecret: toHex(x3dh.sharedSecret),
    associatedData: toHex(x3dh.associatedData),
    safetyNumber: computeSafetyNumber(
      { identity: aliceId.publicIdentity, stableId: 'alice' },
      { identity: bobId.publicIdentity, stableId: 'bob' },
    ).digits,
    sessionComplete: started.sessionComplete,
    messages,
  };
}
