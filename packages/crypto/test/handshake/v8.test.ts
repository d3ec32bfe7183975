import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { decodePdu, HANDSHAKE_PDU_TYPES, PDU_TYPE } from '@enkrypted/protocol';
import { runV8, V8_CLOCK_MS, V8_FINGERPRINTS, V8_SEEDS } from './v8-cases.js';

interface V8Vector {
  id: string;
  seeds: typeof V8_SEEDS;
  clockMs: number;
  fingerprints: typeof V8_FINGERPRINTS;
  sessionId: string;
  handshake: { initiator: string[]; responder: string[] };
  cases: { from: 'initiator' | 'responder'; plaintextHex: string; frames: string[] }[];
}

/** Loads the vector file; refuses a file with no cases, so a truncated vector cannot pass. */
function loadV8(): V8Vector {
  const v = JSON.parse(
    readFileSync(new URL('../../vectors/v8-cascade-roundtrip.json', import.meta.url), 'utf8'),
  ) as V8Vector;
  if (v.id !== 'V8' || !Array.isArray(v.cases) || v.cases.length === 0) throw new Error('V8: no cases');
  if (v.handshake.initiator.length === 0 || v.handshake.responder.length === 0)
    throw new Error('V8: no handshake');
  return v;
}

describe('vector V8: live handshake and cascade round trip from fixed seeds', () => {
  const vector = loadV8();

  test('the file uses the parameters of the generator', () => {
    assert.deepEqual(vector.seeds, V8_SEEDS);
    assert.equal(vector.clockMs, V8_CLOCK_MS);
    assert.deepEqual(vector.fingerprints, V8_FINGERPRINTS);
  });

  test('every stored frame is a valid PDU; the handshake uses all 13 handshake types', () => {
    const types = new Set<string>();
    for (const f of [...vector.handshake.initiator, ...vector.handshake.responder])
      types.add(decodePdu(f).type);
    assert.deepEqual([...types].sort(), [...HANDSHAKE_PDU_TYPES].sort());
    for (const c of vector.cases) {
      assert.equal(decodePdu(c.frames[0] as string).type, PDU_TYPE.message);
      for (const f of c.frames.slice(1)) assert.equal(decodePdu(f).type, PDU_TYPE.chunk);
    }
    assert.ok(
      vector.cases.some((c) => c.frames.length > 1),
      'one case is chunked',
    );
    assert.ok(
      vector.cases.some((c) => {
        const m = decodePdu(c.frames[0] as string);
        return (
          m.type === PDU_TYPE.message &&
          m.encryptedMessage.cascaded &&
          !!m.encryptedMessage.cascadedPayload.bulk
        );
      }),
      'one case is in the bulk form',
    );
  });

  test('re-running from the seeds reproduces every frame byte for byte, and each plaintext arrives', async () => {
    const run = await runV8();
    assert.equal(run.sessionId, vector.sessionId);
    assert.deepEqual(run.initiatorFrames, vector.handshake.initiator);
    assert.deepEqual(run.responderFrames, vector.handshake.responder);
    assert.equal(run.messages.length, vector.cases.length);
    vector.cases.forEach((c, i) => {
      assert.deepEqual(run.messages[i]?.frames, c.frames, `case ${i} frames`);
      assert.equal(Buffer.from(run.messages[i]?.received as Uint8Array).toString('hex'), c.plaintextHex);
    });
  });
});
