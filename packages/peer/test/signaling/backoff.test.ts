import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay } from '../../src/signaling/backoff.js';

test('grows exponentially from the initial delay and is capped', () => {
  const opts = { initialDelayMs: 100, maxDelayMs: 5000, jitterRatio: 0 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 40].map((a) => backoffDelay(a, 0.5, opts)),
    [100, 200, 400, 800, 1600, 3200, 5000, 5000],
  );
});

test('jitter stays within ±ratio of the base and never exceeds the cap', () => {
  const opts = { initialDelayMs: 1000, maxDelayMs: 10_000, jitterRatio: 0.5 };
  assert.equal(backoffDelay(0, 0, opts), 500);
  assert.equal(backoffDelay(0, 0.999999, opts), 1500);
  assert.equal(backoffDelay(10, 0.999999, opts), 10_000);
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(2, i / 100, opts);
    assert.ok(d >= 2000 && d <= 6000);
  }
});
