import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CRYPTO_ERROR, isCryptoError } from '../../src/errors.js';
import {
  normalizeDtlsFingerprint,
  signTranscript,
  transcriptHash,
  verifyTranscript,
} from '../../src/identity/channel-binding.js';
import { generateIdentity } from '../../src/identity/identity-keys.js';
import { seededRandom, utf8 } from '../signal/helpers.js';

const fp = (byte: string) => `sha-256 ${Array.from({ length: 32 }, () => byte).join(':')}`;

describe('channel binding', () => {
  const random = seededRandom('channel-binding-tests');
  const alice = generateIdentity(random);
  const bob = generateIdentity(random);
  const pdus = [
    utf8('{"type":"signal-key-exchange-request"}'),
    utf8('{"type":"signal-key-exchange-response"}'),
  ];

  it('both sides hash the same transcript and accept each other', () => {
    const seenByAlice = transcriptHash({
      handshakePdus: pdus,
      initiatorFingerprint: fp('AA'),
      responderFingerprint: fp('BB'),
    });
    // Bob reads the same fingerprints in a different textual form (case): normalisation makes them equal.
    const seenByBob = transcriptHash({
      handshakePdus: pdus,
      initiatorFingerprint: fp('aa').replace('sha-256', 'SHA-256'),
      responderFingerprint: fp('bb'),
    });
    assert.deepEqual(seenByAlice, seenByBob);
    const sigA = signTranscript(alice, 'initiator', seenByAlice);
    verifyTranscript(alice.publicIdentity, 'initiator', seenByBob, sigA);
  });

  it('detects a substituted DTLS fingerprint (SDP rewritten by the broker)', () => {
    const real = transcriptHash({
      handshakePdus: pdus,
      initiatorFingerprint: fp('AA'),
      responderFingerprint: fp('BB'),
    });
    const mitm = transcriptHash({
      handshakePdus: pdus,
      initiatorFingerprint: fp('AA'),
      responderFingerprint: fp('CC'),
    });
    assert.notDeepEqual(real, mitm);
    const sigB = signTranscript(bob, 'responder', mitm);
    assert.throws(
      () => verifyTranscript(bob.publicIdentity, 'responder', real, sigB),
      (e) => isCryptoError(e, CRYPTO_ERROR.badSignature),
    );
  });

  it('detects a changed, dropped or reordered handshake PDU', () => {
    const base = { initiatorFingerprint: fp('AA'), responderFingerprint: fp('BB') };
    const h = transcriptHash({ ...base, handshakePdus: pdus });
    assert.notDeepEqual(h, transcriptHash({ ...base, handshakePdus: [...pdus].reverse() }));
    assert.notDeepEqual(h, transcriptHash({ ...base, handshakePdus: pdus.slice(0, 1) }));
    // Length framing: moving a byte across the PDU boundary changes the hash.
    const joined = [
      utf8('{"type":"signal-key-exchange-request"}{'),
      utf8('"type":"signal-key-exchange-response"}'),
    ];
    assert.notDeepEqual(h, transcriptHash({ ...base, handshakePdus: joined }));
  });

  it('refuses a signature reflected with the other role or signed by another key', () => {
    const h = transcriptHash({
      handshakePdus: pdus,
      initiatorFingerprint: fp('AA'),
      responderFingerprint: fp('BB'),
    });
    const sigA = signTranscript(alice, 'initiator', h);
    const bad = (e: unknown) => isCryptoError(e, CRYPTO_ERROR.badSignature);
    assert.throws(() => verifyTranscript(alice.publicIdentity, 'responder', h, sigA), bad);
    assert.throws(() => verifyTranscript(bob.publicIdentity, 'initiator', h, sigA), bad);
    assert.throws(() => verifyTranscript(alice.publicIdentity, 'initiator', h, sigA.subarray(1)), bad);
  });

  it('rejects fingerprints that are not SDP fingerprints', () => {
    assert.equal(normalizeDtlsFingerprint(` ${fp('ab')} `), fp('AB'));
    for (const bad of [
      '',
      'sha-256',
      'sha-256 AB',
      `sha-256 ${'AB:'.repeat(40)}`,
      'sha 256 AB:CD',
      fp('G0'),
    ]) {
      assert.throws(
        () => normalizeDtlsFingerprint(bad),
        (e) => isCryptoError(e, CRYPTO_ERROR.malformed),
        bad,
      );
    }
  });
});
