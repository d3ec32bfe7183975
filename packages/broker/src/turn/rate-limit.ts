/**
 * Per-address token buckets for the credentials endpoint, in one bounded map: when it is full the
 * least recently refilled entry goes first (Map keeps insertion order; a hit re-inserts its key).
 */
import { type BucketState, takeToken } from '../session/token-bucket.js';
import { TURN_RATE_BURST, TURN_RATE_PER_SECOND, TURN_RATE_TRACKED_ADDRESSES } from './limits.js';

export class AddressRateLimiter {
  readonly #buckets = new Map<string, BucketState>();

  constructor(
    readonly ratePerSecond = TURN_RATE_PER_SECOND,
    readonly burst = TURN_RATE_BURST,
    readonly maxAddresses = TURN_RATE_TRACKED_ADDRESSES,
  ) {}

  /** Takes one request from `address`'s bucket; false when it is empty. */
  take(address: string, now: number): boolean {
    let state = this.#buckets.get(address);
    if (state) this.#buckets.delete(address);
    else {
      state = { tokens: this.burst, refilledAt: now };
      if (this.#buckets.size >= this.maxAddresses) {
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
    }
    this.#buckets.set(address, state);
    return takeToken(state, now, this.ratePerSecond, this.burst);
  }

  get size(): number {
    return this.#buckets.size;
  }
}
