/**
 * Token-bucket rate limiting on a caller-owned state object, so a session carries two numbers
 * instead of a bucket object (memory per idle connection matters at 15,000 connections).
 */
export interface BucketState {
  /** Tokens available at `refilledAt`. */
  tokens: number;
  /** Time (ms) of the last refill. */
  refilledAt: number;
}

/** Takes one token if available; refills `ratePerSecond` per second up to `burst`. */
export function takeToken(state: BucketState, now: number, ratePerSecond: number, burst: number): boolean {
  const elapsed = now - state.refilledAt;
  if (elapsed > 0) {
    state.tokens = Math.min(burst, state.tokens + (elapsed * ratePerSecond) / 1000);
    state.refilledAt = now;
  }
  if (state.tokens < 1) return false;
  state.tokens -= 1;
  return true;
}
