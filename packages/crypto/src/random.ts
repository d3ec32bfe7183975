/**
 * Randomness is injected so that deterministic vectors can be produced; the default is WebCrypto's
 * CSPRNG, available in browsers and Node 20 as `globalThis.crypto`.
 */
export type RandomBytes = (length: number) => Uint8Array;

/** getRandomValues refuses more than 65536 bytes per call. */
const MAX_GET_RANDOM_VALUES = 65536;

export const webCryptoRandom: RandomBytes = (length) => {
  const out = new Uint8Array(length);
  for (let off = 0; off < length; off += MAX_GET_RANDOM_VALUES) {
    globalThis.crypto.getRandomValues(out.subarray(off, Math.min(length, off + MAX_GET_RANDOM_VALUES)));
  }
  return out;
};
