import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { acceptCounter, checkReplay, emptyReplayWindow, REPLAY_WINDOW } from '../../src/aes/replay-window.js';
import { CRYPTO_ERROR, isCryptoError } from '../../src/errors.js';

const isReplay = (err: unknown) => isCryptoError(err, CRYPTO_ERROR.replay);

describe('replay window', () => {
  it('accepts fresh counters in and out of order, rejects repeats', () => {
    let w = emptyReplayWindow();
    for (const c of [0, 2, 1, 10, 5]) {
      checkReplay(w, c);
      w = acceptCounter(w, c);
    }
    for (const c of [0, 1, 2, 5, 10]) assert.throws(() => checkReplay(w, c), isReplay);
    for (const c of [3, 4, 6, 9, 11]) checkReplay(w, c);
  });

  it('rejects counters older than the window', () => {
    let w = acceptCounter(emptyReplayWindow(), REPLAY_WINDOW + 5);
    assert.throws(() => checkReplay(w, 5), isReplay);
    checkReplay(w, 6);
    w = acceptCounter(w, 6);
    assert.throws(() => checkReplay(w, 6), isReplay);
  });

  it('accepting never mutates the previous window', () => {
    const w = acceptCounter(emptyReplayWindow(), 3);
    const before = w.seen.slice();
    acceptCounter(w, 4);
    acceptCounter(w, 2);
    assert.deepEqual(w.seen, before);
    assert.equal(w.highest, 3);
  });

  it('matches a set-based model on random sequences', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 200 }), (counters) => {
        let w = emptyReplayWindow();
        const seen = new Set<number>();
        let highest = -1;
        for (const c of counters) {
          const modelRejects = seen.has(c) || (highest >= 0 && c <= highest - REPLAY_WINDOW);
          let rejected = false;
          try {
            checkReplay(w, c);
          } catch (err) {
            assert.ok(isReplay(err));
            rejected = true;
          }
          assert.equal(rejected, modelRejects);
          if (!rejected) {
            w = acceptCounter(w, c);
            seen.add(c);
            highest = Math.max(highest, c);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
