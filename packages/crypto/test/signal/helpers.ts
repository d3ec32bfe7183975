/**
 * Test helpers: a seeded deterministic RandomBytes (so vectors are reproducible) and ready-made
 * identities/sessions. The DRBG is documented in the vector file: block i = SHA-256(seed ‖ u32be(i)),
 * the output stream is the concatenation of blocks.
 */
import { createHash } from 'node:crypto';
import type { RandomBytes } from '../../src/random.js';

export function seededRandom(seed: string): RandomBytes {
  let counter = 0;
  let pool = new Uint8Array(0);
  return (length: number) => {
    while (pool.length < length) {
      const ctr = Buffer.alloc(4);
      ctr.writeUInt32BE(counter++);
      const block = createHash('sha256').update(seed, 'utf8').update(ctr).digest();
      const next = new Uint8Array(pool.length + block.length);
      next.set(pool);
      next.set(block, pool.length);
      pool = next;
    }
    const out = pool.slice(0, length);
    pool = pool.slice(length);
    return out;
  };
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);
