/**
 * The cascade (P5): layers applied in profile order MLS → Signal → ML-KEM → AES on encrypt (the
 * first layer touches the plaintext) and removed in reverse on decrypt. Fail closed: a layer's state
 * changes only through the `commit` its seal/open returned, and the cascade commits only after every
 * layer succeeded, so any error leaves every layer exactly as it was and yields no plaintext.
 * Operations on one cascade run one at a time (layers such as MLS hold a single state for both
 * directions, and a commit must apply to the state its seal/open saw).
 */
import { CRYPTO_ERROR, CryptoError, isCryptoError } from '../errors.js';
import type { CascadeLayer, LayerName, LayerParameters, Opened, Sealed } from '../layer.js';
import { concat, utf8 } from './bytes.js';

/** P1.1 item 3: the only order layers may be applied in. */
export const PROFILE_LAYER_ORDER: readonly LayerName[] = ['MLS', 'Signal', 'ML-KEM', 'AES'];

/** P5.3.1: per-layer statistics; informative, never used to decrypt. */
export interface LayerMetadata {
  algorithm: string;
  version: string;
  /** Unix ms when the layer ran. */
  timestamp: number;
  inputSize: number;
  outputSize: number;
  /** ms. */
  processingTime: number;
  metadata?: Record<string, string | number | boolean>;
}

/** P5.3 `cascadedPayload` with bytes as bytes; the protocol package maps it to and from JSON. */
export interface CascadedPayload {
  finalCiphertext: Uint8Array;
  layers: LayerMetadata[];
  layerParameters: LayerParameters[];
  totalProcessingTime: number;
  originalSize: number;
  finalSize: number;
  timestamp: number;
}

export interface CascadeOptions {
  /** Wall clock for `timestamp` fields (Unix ms). */
  now?: () => number;
  /** Monotonic clock for processing times (ms). */
  elapsed?: () => number;
}

/**
 * Every layer authenticates `ad || 0x00 || "alg1,alg2,…"`: relabelling or dropping a layer in the
 * envelope (a downgrade) changes what each layer authenticates, so it fails.
 */
function boundAd(ad: Uint8Array, algorithms: string): Uint8Array {
  return concat(ad, Uint8Array.of(0), utf8(algorithms));
}

export class Cascade {
  readonly #layers: readonly CascadeLayer[];
  readonly #algorithms: string;
  readonly #now: () => number;
  readonly #elapsed: () => number;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(layers: readonly CascadeLayer[], options: CascadeOptions = {}) {
    if (layers.length === 0)
      throw new CryptoError(CRYPTO_ERROR.malformed, 'a cascade needs at least one layer');
    let last = -1;
    for (const layer of layers) {
      const at = PROFILE_LAYER_ORDER.indexOf(layer.name);
      if (at <= last) throw new CryptoError(CRYPTO_ERROR.malformed, 'cascade layers out of profile order');
      last = at;
    }
    this.#layers = [...layers];
    this.#algorithms = layers.map((l) => l.algorithm).join(',');
    this.#now = options.now ?? Date.now;
    this.#elapsed = options.elapsed ?? (() => performance.now());
  }

  get layerNames(): LayerName[] {
    return this.#layers.map((l) => l.name);
  }

  encrypt(plaintext: Uint8Array, ad: Uint8Array = new Uint8Array(0)): Promise<CascadedPayload> {
    return this.#serialise(() => this.#encrypt(plaintext, ad));
  }

  decrypt(payload: CascadedPayload, ad: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
    return this.#serialise(() => this.#decrypt(payload, ad));
  }

  /**
   * Runs `op` in this cascade's queue, between encrypts and decrypts: the way to change a layer's
   * state outside a message, e.g. `cascade.exclusive(() => aesLayer.rotate(timestamp))`, without
   * racing a seal whose commit is still pending.
   */
  exclusive<T>(op: () => Promise<T> | T): Promise<T> {
    return this.#serialise(async () => op());
  }

  #serialise<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(op, op);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #encrypt(plaintext: Uint8Array, ad: Uint8Array): Promise<CascadedPayload> {
    const started = this.#elapsed();
    const timestamp = this.#now();
    const layerAd = boundAd(ad, this.#algorithms);
    const sealed: Sealed[] = [];
    const layers: LayerMetadata[] = [];
    let data = plaintext;
    try {
      for (const layer of this.#layers) {
        const t0 = this.#elapsed();
        const s = await layer.seal(data, layerAd);
        layers.push({
          algorithm: layer.algorithm,
          version: layer.version,
          timestamp: this.#now(),
          inputSize: data.length,
          outputSize: s.ciphertext.length,
          processingTime: this.#elapsed() - t0,
        });
        sealed.push(s);
        data = s.ciphertext;
      }
    } catch (err) {
      throw isCryptoError(err)
        ? err
        : new CryptoError(CRYPTO_ERROR.encryptFailed, 'a cascade layer failed to encrypt');
    }
    for (const s of sealed) s.commit();
    return {
      finalCiphertext: data,
      layers,
      layerParameters: sealed.map((s) => s.parameters),
      totalProcessingTime: this.#elapsed() - started,
      originalSize: plaintext.length,
      finalSize: data.length,
      timestamp,
    };
  }

  async #decrypt(payload: CascadedPayload, ad: Uint8Array): Promise<Uint8Array> {
    this.#checkShape(payload);
    const layerAd = boundAd(ad, this.#algorithms);
    const opened: Opened[] = [];
    let data = payload.finalCiphertext;
    try {
      for (let i = this.#layers.length - 1; i >= 0; i--) {
        const layer = this.#layers[i] as CascadeLayer;
        const o = await layer.open(data, payload.layerParameters[i] as LayerParameters, layerAd);
        opened.push(o);
        data = o.plaintext;
      }
    } catch (err) {
      throw isCryptoError(err)
        ? err
        : new CryptoError(CRYPTO_ERROR.decryptFailed, 'a cascade layer failed to decrypt');
    }
    if (data.length !== payload.originalSize) {
      throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'plaintext size differs from the envelope');
    }
    for (const o of opened) o.commit();
    return data;
  }

  /** The envelope must describe exactly this cascade's layers (count and algorithm, in order). */
  #checkShape(p: CascadedPayload): void {
    const ok =
      p !== null &&
      typeof p === 'object' &&
      p.finalCiphertext instanceof Uint8Array &&
      Array.isArray(p.layers) &&
      Array.isArray(p.layerParameters) &&
      p.layers.length === this.#layers.length &&
      p.layerParameters.length === this.#layers.length &&
      p.finalSize === p.finalCiphertext.length &&
      Number.isSafeInteger(p.originalSize) &&
      p.layerParameters.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x)) &&
      this.#layers.every((l, i) => p.layers[i]?.algorithm === l.algorithm);
    if (!ok) throw new CryptoError(CRYPTO_ERROR.malformed, 'envelope does not match the cascade layers');
  }
}
