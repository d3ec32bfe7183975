import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { takeToken } from '../../src/session/token-bucket.js';

describe('token bucket', () => {
  it('allows a burst, then refuses until refilled', () => {
    const s = { tokens: 3, refilledAt: 0 };
    assert.equal(takeToken(s, 0, 10, 3), true);
    assert.equal(takeToken(s, 0, 10, 3), true);
    assert.equal(takeToken(s, 0, 10, 3), true);
    assert.equal(takeToken(s, 0, 10, 3), false);
    // 10 per second: one token after 100 ms.
    assert.equal(takeToken(s, 99, 10, 3), false);
    assert.equal(takeToken(s, 100, 10, 3), true);
    assert.equal(takeToken(s, 100, 10, 3), false);
  });

  it('never holds more than the burst', () => {
    const s = { tokens: 0, refilledAt: 0 };
    assert.equal(takeToken(s, 60_000, 10, 5), true);
    assert.equal(s.tokens, 4);
  });

  it('ignores a clock that goes backwards', () => {
    const s = { tokens: 1, refilledAt: 1_000 };
    assert.equal(takeToken(s, 500, 10, 5), true);
    assert.equal(takeToken(s, 500, 10, 5), false);
    assert.equal(s.refilledAt, 1_000);
  });
});
