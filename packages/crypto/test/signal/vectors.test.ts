import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateIdentity } from '../../src/identity/identity-keys.js';
import { generateSignedPrekey } from '../../src/identity/signed-prekey.js';
import { acceptSignalSession } from '../../src/signal/session.js';
import { seededRandom } from './helpers.js';
import { type CaseInput, type CaseOutput, runCase } from './vector-runner.js';

type VectorCase = CaseInput & { expected: CaseOutput };

function loadCases(): VectorCase[] {
  const path = join(dirname(fileURLToPath(import.meta.url)), '../../vectors/signal-session.json');
  const data = JSON.parse(readFileSync(path, 'utf8')) as { cases?: VectorCase[] };
  const cases = data.cases ?? [];
  // A vector file that loads nothing must fail loudly, never pass vacuously.
  if (cases.length === 0) throw new Error(`no cases in ${path}`);
  return cases;
}

describe('Signal vectors (packages/crypto/vectors/signal-session.json)', () => {
  const cases = loadCases();

  it('has cases', () => {
    assert.ok(cases.length >= 3);
  });

  for (const c of cases) {
    it(`reproduces byte for byte: ${c.name}`, async () => {
      const actual = await runCase(c);
      assert.deepEqual(JSON.parse(JSON.stringify(actual)), c.expected);
    });

    it(`a fresh receiver decrypts the stored messages: ${c.name}`, async () => {
      // Rebuild only Bob's side from his seed and open the stored session-complete and messages in
      // the stored order; Bob's replies come from the file, so this does not re-run Alice at all.
      const rb = seededRandom(c.bobSeed);
      const bobId = generateIdentity(rb);
      const spk = generateSignedPrekey(bobId, c.signedPrekeyId, rb);
      const { layer: bob } = await acceptSignalSession(bobId, spk, c.expected.sessionComplete, rb);
      let opened = 0;
      let sent = 0;
      for (const step of c.steps) {
        if (step.op === 'send') {
          const m = c.expected.messages[sent++];
          assert.ok(m);
          if (m.from !== 'bob') continue;
          // Bob's own messages are re-sealed in script order to keep his ratchet in step.
          const sealed = await bob.seal(Buffer.from(m.plaintext, 'hex'), Buffer.from(m.ad, 'hex'));
          sealed.commit();
          assert.equal(Buffer.from(sealed.ciphertext).toString('hex'), m.ciphertext);
          continue;
        }
        const m = c.expected.messages[step.message];
        assert.ok(m);
        if (m.from !== 'alice') continue;
        const out = await bob.open(
          Uint8Array.from(Buffer.from(m.ciphertext, 'hex')),
          m.parameters,
          Buffer.from(m.ad, 'hex'),
        );
        out.commit();
        assert.equal(Buffer.from(out.plaintext).toString('hex'), m.plaintext);
        opened++;
      }
      assert.ok(opened > 0);
    });
  }
});
