/**
 * The cascade (P5): layers applied in profile order MLS → Signal → ML-KEM → AES on encrypt (the
 * first layer touches the plaintext) and removed in reverse on decrypt. Fail closed: a layer's state
 * changes only through the `commit` its seal/open returned, and the cascade commits only after every
 * layer succeeded, so any error leaves every layer exactly as it was and yields no plaintext.
 * Operations on one cascade run one at a time (layers such as MLS hold a single state for both
 * directions, and a commit must apply to the state its seal/open saw).
 *
 * From `bulkThresholdBytes` (default BULK_MIN_PLAINTEXT_BYTES) a plaintext takes the bulk form
 * (bulk.ts): the layers carry a fresh content key, the content is one AES-256-GCM pass under it.
 * The fail-closed rule is the same: the layers' commits run only after the body authenticated.
 */
import {
  BULK_ALGORITHM,
  BULK_MIN_PLAINTEXT_BYTES,
  BULK_TAG_BYTES,
  MAX_BULK_KEY_CIPHERTEXT_BYTES,
} from '@enkrypted/protocol';
import { CRYPTO_ERROR, CryptoError, isCryptoError } from '../errors.js';
import type { CascadeLayer, LayerName, LayerParameters, Opened, Sealed } from '../layer.js';
import { type RandomBytes, webCryptoRandom } from '../random.js';
import {
  BULK_BODY_LABEL,
  BULK_KEY_BYTES,
  BULK_KEY_LABEL,
  bulkAd,
  openBulkBody,
  sealBulkBody,
} from './bulk.js';
import { concat, utf8, wipe } from './bytes.js';

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
  /**
   * Present in the bulk form: `finalCiphertext` is the layers' ciphertext of the content key
   * followed by the body, whose last `bodySize` bytes are `originalSize + 16`.
   */
  bulk?: { algorithm: string; bodySize: number };
}

export interface CascadeOptions {
  /** Wall clock for `timestamp` fields (Unix ms). */
  now?: () => number;
  /** Monotonic clock for processing times (ms). */
  elapsed?: () => number;
  /** Source of bulk content keys (default WebCrypto). */
  random?: RandomBytes;
  /**
   * Plaintexts from this size take the bulk form; at least BULK_MIN_PLAINTEXT_BYTES (a receiver
   * refuses smaller bulk envelopes). `Infinity` keeps the P5.2 form for every size.
   */
  bulkThresholdBytes?: number;
}

interface SealedLayers {
  sealed: Sealed[];
  layers: LayerMetadata[];
  ciphertext: Uint8Array;
}

interface OpenedLayers {
  opened: Opened[];
  plaintext: Uint8Array;
}

/**
 * Every layer authenticates `ad || 0x00 || "alg1,alg2,…"`: relabelling or dropping a layer in the
 * envelope (a downgrade) changes what each layer authenticates, so it fails.
 */
export function boundAd(ad: Uint8Array, algorithms: string): Uint8Array {
  return concat(ad, Uint8Array.of(0), utf8(algorithms));
}

export class Cascade {
  readonly #layers: readonly CascadeLayer[];
  readonly #algorithms: string;
  readonly #now: () => number;
  readonly #elapsed: () => number;
  readonly #random: RandomBytes;
  readonly #bulkThreshold: number;
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
    this.#random = options.random ?? webCryptoRandom;
    this.#bulkThreshold = options.bulkThresholdBytes ?? BULK_MIN_PLAINTEXT_BYTES;
    if (!(this.#bulkThreshold >= BULK_MIN_PLAINTEXT_BYTES)) {
      throw new CryptoError(CRYPTO_ERROR.malformed, 'bulk threshold below the profile minimum');
    }
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
    const bulk = plaintext.length >= this.#bulkThreshold;
    let sealed: SealedLayers;
    let finalCiphertext: Uint8Array;
    if (bulk) {
      const key = this.#random(BULK_KEY_BYTES);
      try {
        // The body's GCM pass (WebCrypto, off the main thread in Node) overlaps the layers' work.
        const body = sealBulkBody(key, plaintext, bulkAd(layerAd, BULK_BODY_LABEL));
        const layers = this.#sealLayers(key, bulkAd(layerAd, BULK_KEY_LABEL));
        const [bodyCt, layersOut] = await Promise.all([body, layers]);
        sealed = layersOut;
        finalCiphertext = concat(sealed.ciphertext, bodyCt);
      } catch (err) {
        throw isCryptoError(err)
          ? err
          : new CryptoError(CRYPTO_ERROR.encryptFailed, 'the bulk body failed to encrypt');
      } finally {
        wipe(key);
      }
    } else {
      sealed = await this.#sealLayers(plaintext, layerAd);
      finalCiphertext = sealed.ciphertext;
    }
    for (const s of sealed.sealed) s.commit();
    const payload: CascadedPayload = {
      finalCiphertext,
      layers: sealed.layers,
      layerParameters: sealed.sealed.map((s) => s.parameters),
      totalProcessingTime: this.#elapsed() - started,
      originalSize: plaintext.length,
      finalSize: finalCiphertext.length,
      timestamp,
    };
    if (bulk) payload.bulk = { algorithm: BULK_ALGORITHM, bodySize: plaintext.length + BULK_TAG_BYTES };
    return payload;
  }

  /** Every layer in profile order; nothing is committed here. */
  async #sealLayers(plaintext: Uint8Array, layerAd: Uint8Array): Promise<SealedLayers> {
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
    return { sealed, layers, ciphertext: data };
  }

  async #decrypt(payload: CascadedPayload, ad: Uint8Array): Promise<Uint8Array> {
    this.#checkShape(payload);
    const layerAd = boundAd(ad, this.#algorithms);
    let plaintext: Uint8Array;
    let opened: Opened[];
    if (payload.bulk !== undefined) {
      const keyLength = payload.finalSize - payload.bulk.bodySize;
      const keyCt = payload.finalCiphertext.subarray(0, keyLength);
      const body = payload.finalCiphertext.subarray(keyLength);
      const inner = await this.#openLayers(keyCt, payload, bulkAd(layerAd, BULK_KEY_LABEL));
      opened = inner.opened;
      try {
        plaintext = await openBulkBody(inner.plaintext, body, bulkAd(layerAd, BULK_BODY_LABEL));
      } finally {
        wipe(inner.plaintext);
      }
    } else {
      const all = await this.#openLayers(payload.finalCiphertext, payload, layerAd);
      opened = all.opened;
      plaintext = all.plaintext;
    }
    if (plaintext.length !== payload.originalSize) {
      throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'plaintext size differs from the envelope');
    }
    for (const o of opened) o.commit();
    return plaintext;
  }

  /** Every layer in reverse order; nothing is committed here. */
  async #openLayers(
    ciphertext: Uint8Array,
    payload: CascadedPayload,
    layerAd: Uint8Array,
  ): Promise<OpenedLayers> {
    const opened: Opened[] = [];
    let data = ciphertext;
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
    return { opened, plaintext: data };
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
    if (p.bulk !== undefined && !validBulk(p)) {
      throw new CryptoError(CRYPTO_ERROR.malformed, 'bulk envelope is inconsistent');
    }
  }
}

/** The same rules as the protocol validator (docs/protocol.md §2.6.4), for payloads built in process. */
function validBulk(p: CascadedPayload): boolean {
  const bulk = p.bulk;
  if (bulk === undefined || bulk === null || typeof bulk !== 'object') return false;
  const keyLength = p.finalSize - bulk.bodySize;
  return (
    bulk.algorithm === BULK_ALGORITHM &&
    Number.isSafeInteger(bulk.bodySize) &&
    p.originalSize >= BULK_MIN_PLAINTEXT_BYTES &&
    bulk.bodySize === p.originalSize + BULK_TAG_BYTES &&
    keyLength >= 1 &&
    keyLength <= MAX_BULK_KEY_CIPHERTEXT_BYTES
  );
}
