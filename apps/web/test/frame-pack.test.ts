import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WEB_ERROR } from '../src/logic/errors.js';
import { MAX_PACKED_FRAMES, packFrames, sdpFingerprint, unpackFrames } from '../src/logic/frame-pack.js';

describe('frame packing for multi-frame sealed messages', () => {
  it('round-trips text and byte frames in order', () => {
    const frames = ['{"type":"message"}', Uint8Array.of(1, 2, 3), '', new Uint8Array(0), 'é✓'];
    assert.deepEqual(unpackFrames(packFrames(frames)), frames);
  });

  it('refuses empty, oversized, truncated and trailing-garbage packs', () => {
    assert.throws(() => packFrames([]), { code: WEB_ERROR.tooLarge });
    assert.throws(() => packFrames(new Array(MAX_PACKED_FRAMES + 1).fill('x')), { code: WEB_ERROR.tooLarge });
    const good = packFrames(['abc', Uint8Array.of(9)]);
    for (const bad of [
      new Uint8Array(0),
      Uint8Array.of(0, 0),
      good.subarray(0, good.length - 1),
      Uint8Array.of(...good, 0),
      Uint8Array.of(0, 1, 7, 0, 0, 0, 0),
      Uint8Array.of(0, 1, 0, 0, 0, 0, 2, 0xff, 0xfe),
    ]) {
      assert.throws(() => unpackFrames(bad), { code: WEB_ERROR.malformedFrame });
    }
  });
});

describe('DTLS fingerprint from SDP', () => {
  it('finds and normalises the fingerprint line', () => {
    const sdp = 'v=0\r\na=ice-ufrag:x\r\na=fingerprint:SHA-256 ab:cd:EF:01\r\na=setup:actpass\r\n';
    assert.equal(sdpFingerprint(sdp), 'sha-256 AB:CD:EF:01');
    assert.equal(sdpFingerprint('v=0\r\n'), undefined);
    assert.equal(sdpFingerprint(undefined), undefined);
  });
});
