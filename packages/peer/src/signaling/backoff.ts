/**
 * Jittered exponential backoff for broker reconnects, pure so it can be tested exactly. Jitter
 * spreads a crowd of clients that lost the same broker so they do not reconnect in lockstep.
 */
import { RECONNECT_INITIAL_DELAY_MS, RECONNECT_JITTER_RATIO, RECONNECT_MAX_DELAY_MS } from '../limits.js';

export interface BackoffOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
  jitterRatio?: number;
}

/**
 * Delay before reconnect attempt `attempt` (0-based). `random` is a uniform number in [0, 1), injected
 * so tests are deterministic. The result lies in [base·(1−j), base·(1+j)] capped at maxDelayMs, where
 * base = initial·2^attempt.
 */
export function backoffDelay(attempt: number, random: number, options: BackoffOptions = {}): number {
  const initial = options.initialDelayMs ?? RECONNECT_INITIAL_DELAY_MS;
  const max = options.maxDelayMs ?? RECONNECT_MAX_DELAY_MS;
  const jitter = options.jitterRatio ?? RECONNECT_JITTER_RATIO;
  const base = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  const jittered = base * (1 - jitter + 2 * jitter * random);
  return Math.max(0, Math.min(max, Math.round(jittered)));
}
