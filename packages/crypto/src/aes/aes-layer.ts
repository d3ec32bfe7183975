/**
 * The AES-256-GCM outer cascade layer (docs/protocol.md §4.5). Keys come from the handshake's
 * AES base secret and the current rotation timestamp (keys.ts); nonces are prefix || u64 counter
 * under a key used in one direction only, so a nonce never repeats under one key; a sliding window
 * rejects replayed counters. Nothing changes until the cascade calls `commit`.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, fromBase64, isSafeUint, toBase64, u64be, utf8, wipe } from '../cascade/bytes.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import type { CascadeLayer, LayerParameters, Opened, Sealed } from '../layer.js';
import { GcmKey } from './aes-gcm.js';
import {
  type Direction,
  deriveDirectionKey,
  NONCE_PREFIX_BYTES,
  type Role,
  receiveDirection,
  sendDirection,
} from './keys.js';
import { acceptCounter, checkReplay, emptyReplayWindow, type ReplayWindow } from './replay-window.js';

export const AES_LAYER_ALGORITHM = 'AES-GCM-256';
export const AES_LAYER_VERSION = '3.0.0';
/** Header format version bound into the AAD; bump when the header layout changes. */
const HEADER_VERSION = 1;

/**
 * Messages per direction key before encryption is refused. Nonces alone would allow 2^64; this
 * bound keeps the GCM confidentiality/integrity advantage negligible for messages up to the 16 MiB
 * PDU cap (2^32 messages × 2^20 blocks = 2^52 blocks per key) and sits far beyond any chat, so it
 * only ever triggers on a session that never rotates.
 */
export const AES_MAX_MESSAGES_PER_KEY = 2 ** 32;

/**
 * How long after a rotation messages under the previous rotation are still accepted: covers
 * messages the peer sent before it processed the broadcast, on a data channel that may be
 * congested by a large transfer. After that the old keys are wiped.
 */
export const AES_ROTATION_GRACE_MS = 60_000;

/** Direction keys protect up to 2^32 messages each: keep them off the table-based software AES. */
const HARDWARE_ONLY = { hardwareOnly: true };

const BASE_RATCHET_LABEL = utf8('EnkryptedChat-v0 AES base ratchet');

interface SendState {
  key: GcmKey;
  noncePrefix: Uint8Array;
  counter: number;
}
interface ReceiveState {
  key: GcmKey;
  noncePrefix: Uint8Array;
  window: ReplayWindow;
}
interface Epoch {
  rotation: number;
  send: SendState;
  receive: ReceiveState;
}

export interface AesLayerOptions {
  role: Role;
  /** From the handshake (deriveAesBaseSecret); copied, the caller may wipe its own. */
  baseSecret: Uint8Array;
  /** Initial rotation timestamp (ms), agreed in the handshake. */
  rotation: number;
  now?: () => number;
  /** Lower than AES_MAX_MESSAGES_PER_KEY only in tests of exhaustion. */
  maxMessagesPerKey?: number;
}

/** Serialised state for persistence across reconnection (P7.4). Contains secrets: store encrypted. */
export interface AesLayerState {
  v: 1;
  role: Role;
  base: string;
  current: EpochState;
  previous?: EpochState & { graceUntil: number };
}
interface EpochState {
  rotation: number;
  sendKey: string;
  sendPrefix: string;
  sendCounter: number;
  receiveKey: string;
  receivePrefix: string;
  receiveHighest: number;
  receiveSeen: string;
}

function nonceFor(prefix: Uint8Array, counter: number): Uint8Array {
  return concat(prefix, u64be(counter));
}

/** `ad || header`: the header is fixed-length and last, so the split is unambiguous. */
function aadFor(ad: Uint8Array, dir: Direction, rotation: number, counter: number): Uint8Array {
  return concat(ad, utf8(dir), Uint8Array.of(HEADER_VERSION), u64be(rotation), u64be(counter));
}

function makeEpoch(base: Uint8Array, rotation: number, role: Role): Epoch {
  const s = deriveDirectionKey(base, rotation, sendDirection(role));
  const r = deriveDirectionKey(base, rotation, receiveDirection(role));
  const epoch: Epoch = {
    rotation,
    send: { key: new GcmKey(s.key, HARDWARE_ONLY), noncePrefix: s.noncePrefix, counter: 0 },
    receive: {
      key: new GcmKey(r.key, HARDWARE_ONLY),
      noncePrefix: r.noncePrefix,
      window: emptyReplayWindow(),
    },
  };
  wipe(s.key, r.key);
  return epoch;
}

function readParameters(parameters: LayerParameters): { rotation: number; counter: number } {
  const { rotation, counter } = parameters;
  const keys = Object.keys(parameters);
  if (keys.length !== 2 || !isSafeUint(rotation) || !isSafeUint(counter)) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'AES layer parameters must be {rotation, counter}');
  }
  return { rotation, counter };
}

export class AesGcmLayer implements CascadeLayer {
  readonly name = 'AES' as const;
  readonly algorithm = AES_LAYER_ALGORITHM;
  readonly version = AES_LAYER_VERSION;

  readonly #role: Role;
  readonly #now: () => number;
  readonly #maxMessages: number;
  #base: Uint8Array;
  #current: Epoch;
  #previous: (Epoch & { graceUntil: number }) | undefined;

  private constructor(role: Role, base: Uint8Array, current: Epoch, now: () => number, maxMessages: number) {
    this.#role = role;
    this.#base = base;
    this.#current = current;
    this.#now = now;
    this.#maxMessages = maxMessages;
  }

  static async create(options: AesLayerOptions): Promise<AesGcmLayer> {
    const base = options.baseSecret.slice();
    const epoch = makeEpoch(base, options.rotation, options.role);
    return new AesGcmLayer(
      options.role,
      base,
      epoch,
      options.now ?? Date.now,
      options.maxMessagesPerKey ?? AES_MAX_MESSAGES_PER_KEY,
    );
  }

  get rotation(): number {
    return this.#current.rotation;
  }

  async seal(plaintext: Uint8Array, ad: Uint8Array): Promise<Sealed> {
    const epoch = this.#current;
    const counter = epoch.send.counter;
    if (counter >= this.#maxMessages) {
      throw new CryptoError(CRYPTO_ERROR.encryptFailed, 'AES key exhausted: rotate before sending more');
    }
    const aad = aadFor(ad, sendDirection(this.#role), epoch.rotation, counter);
    const ciphertext = await epoch.send.key.encrypt(
      nonceFor(epoch.send.noncePrefix, counter),
      aad,
      plaintext,
    );
    return {
      ciphertext,
      parameters: { rotation: epoch.rotation, counter },
      commit: () => {
        if (this.#current !== epoch || epoch.send.counter !== counter) {
          throw new CryptoError(CRYPTO_ERROR.staleCommit, 'AES layer state changed between seal and commit');
        }
        epoch.send.counter = counter + 1;
        this.#pruneExpired();
      },
    };
  }

  async open(ciphertext: Uint8Array, parameters: LayerParameters, ad: Uint8Array): Promise<Opened> {
    const { rotation, counter } = readParameters(parameters);
    const epoch = this.#epochFor(rotation);
    checkReplay(epoch.receive.window, counter);
    const aad = aadFor(ad, receiveDirection(this.#role), rotation, counter);
    const nonce = nonceFor(epoch.receive.noncePrefix, counter);
    const plaintext = await epoch.receive.key.decrypt(nonce, aad, ciphertext);
    return {
      plaintext,
      commit: () => {
        checkReplay(epoch.receive.window, counter);
        epoch.receive.window = acceptCounter(epoch.receive.window, counter);
        this.#pruneExpired();
      },
    };
  }

  #epochFor(rotation: number): Epoch {
    if (rotation === this.#current.rotation) return this.#current;
    const prev = this.#previous;
    if (prev !== undefined && rotation === prev.rotation) {
      if (this.#now() < prev.graceUntil) return prev;
    }
    throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'message under an unknown or expired rotation');
  }

  /** Wipes the previous rotation's keys once its grace window has passed. */
  #pruneExpired(): void {
    if (this.#previous !== undefined && this.#now() >= this.#previous.graceUntil) this.#dropPrevious();
  }

  #dropPrevious(): void {
    const prev = this.#previous;
    if (prev === undefined) return;
    prev.send.key.wipe();
    prev.receive.key.wipe();
    this.#previous = undefined;
  }

  /**
   * Moves to a new rotation timestamp (sent or received in `rotation-timestamp-broadcast`). The base
   * secret is ratcheted one way first, so keys of earlier rotations cannot be recomputed from later
   * state. Rotations must increase: an old or repeated broadcast is refused (CRYPTO_MALFORMED).
   */
  async rotate(rotation: number): Promise<void> {
    if (!isSafeUint(rotation) || rotation <= this.#current.rotation) {
      throw new CryptoError(CRYPTO_ERROR.malformed, 'rotation timestamp must increase');
    }
    const nextBase = hkdf(sha256, this.#base, BASE_RATCHET_LABEL, u64be(rotation), 32);
    const next = makeEpoch(nextBase, rotation, this.#role);
    this.#dropPrevious();
    wipe(this.#base);
    this.#base = nextBase;
    this.#previous = { ...this.#current, graceUntil: this.#now() + AES_ROTATION_GRACE_MS };
    this.#current = next;
  }

  exportState(): AesLayerState {
    const out: AesLayerState = {
      v: 1,
      role: this.#role,
      base: toBase64(this.#base),
      current: exportEpoch(this.#current),
    };
    if (this.#previous !== undefined) {
      out.previous = { ...exportEpoch(this.#previous), graceUntil: this.#previous.graceUntil };
    }
    return out;
  }

  static async importState(
    state: AesLayerState,
    options: { now?: () => number; maxMessagesPerKey?: number } = {},
  ): Promise<AesGcmLayer> {
    if (state?.v !== 1 || (state.role !== 'initiator' && state.role !== 'responder')) {
      throw new CryptoError(CRYPTO_ERROR.malformed, 'not an AES layer state');
    }
    const layer = new AesGcmLayer(
      state.role,
      fromBase64(state.base, 'base'),
      importEpoch(state.current),
      options.now ?? Date.now,
      options.maxMessagesPerKey ?? AES_MAX_MESSAGES_PER_KEY,
    );
    if (state.previous !== undefined) {
      layer.#previous = { ...importEpoch(state.previous), graceUntil: state.previous.graceUntil };
    }
    return layer;
  }
}

function exportEpoch(e: Epoch): EpochState {
  return {
    rotation: e.rotation,
    sendKey: toBase64(e.send.key.raw),
    sendPrefix: toBase64(e.send.noncePrefix),
    sendCounter: e.send.counter,
    receiveKey: toBase64(e.receive.key.raw),
    receivePrefix: toBase64(e.receive.noncePrefix),
    receiveHighest: e.receive.window.highest,
    receiveSeen: toBase64(e.receive.window.seen),
  };
}

function importEpoch(s: EpochState): Epoch {
  const sendKey = fromBase64(s.sendKey, 'sendKey');
  const receiveKey = fromBase64(s.receiveKey, 'receiveKey');
  const sendPrefix = fromBase64(s.sendPrefix, 'sendPrefix');
  const receivePrefix = fromBase64(s.receivePrefix, 'receivePrefix');
  const seen = fromBase64(s.receiveSeen, 'receiveSeen');
  if (sendPrefix.length !== NONCE_PREFIX_BYTES || receivePrefix.length !== NONCE_PREFIX_BYTES) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'bad nonce prefix');
  }
  if (!isSafeUint(s.rotation) || !isSafeUint(s.sendCounter) || !Number.isSafeInteger(s.receiveHighest)) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'bad AES epoch state');
  }
  return {
    rotation: s.rotation,
    send: { key: new GcmKey(sendKey, HARDWARE_ONLY), noncePrefix: sendPrefix, counter: s.sendCounter },
    receive: {
      key: new GcmKey(receiveKey, HARDWARE_ONLY),
      noncePrefix: receivePrefix,
      window: { highest: s.receiveHighest, seen },
    },
  };
}
