/**
 * The ML-KEM-768 cascade layer (docs/crypto-layers.md §ML-KEM). Per-message AES-256-GCM keys come
 * from a forward-secure HMAC chain per direction (chain.ts), seeded by the handshake's two-sided
 * ML-KEM exchange (handshake.ts). Every REKEY_EVERY_MESSAGES messages or REKEY_INTERVAL_MS the sender
 * encapsulates to the peer's ML-KEM public key and mixes the new secret into its chain; that
 * ciphertext rides in the message's layer parameters. Never one encapsulation per message.
 *
 * State is immutable: `seal`/`open` compute the next state and `commit` installs it, wiping the
 * chain and message keys it replaces.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { GcmKey } from '../aes/aes-gcm.js';
import { type Direction, type Role, receiveDirection, sendDirection } from '../aes/keys.js';
import { concat, fromBase64, isSafeUint, toBase64, u64be, utf8, wipe } from '../cascade/bytes.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import type { CascadeLayer, LayerParameters, Opened, Sealed } from '../layer.js';
import { type RandomBytes, webCryptoRandom } from '../random.js';
import { initialChainKey, rekeyChain, stepChain } from './chain.js';
import { decapsulate, encapsulateTo, isValidMlKem768PublicKey } from './handshake.js';

export const MLKEM_LAYER_ALGORITHM = 'ML-KEM-768';
export const MLKEM_LAYER_VERSION = '2.0.0';
const HEADER_VERSION = 1;

/** Re-key after this many messages in one direction: bounds how many messages one chain compromise exposes. */
export const REKEY_EVERY_MESSAGES = 1000;
/** ...or after this long, so a quiet session still gets fresh post-quantum secrets. */
export const REKEY_INTERVAL_MS = 10 * 60 * 1000;
/**
 * Most message keys one message may make us skip (derive and store). The data channel is ordered,
 * so gaps are rare; 1000 matches the Signal layer and caps the work a forged counter can cause.
 */
export const MLKEM_MAX_SKIP = 1000;
/** Most stored skipped keys; the oldest are dropped first (those messages then fail to decrypt). */
export const MLKEM_MAX_SKIPPED_KEYS = 2000;

interface SendChain {
  epoch: number;
  chainKey: Uint8Array;
  next: number;
  startedAt: number;
}
interface ReceiveChain {
  epoch: number;
  chainKey: Uint8Array;
  next: number;
}
interface State {
  send: SendChain;
  receive: ReceiveChain;
  /** "epoch:counter" → message key, in insertion order (oldest first). */
  skipped: ReadonlyMap<string, Uint8Array>;
}

export interface MlKemLayerOptions {
  role: Role;
  /** deriveMlKemRootSecret of the handshake; copied. */
  rootSecret: Uint8Array;
  ownSecretKey: Uint8Array;
  peerPublicKey: Uint8Array;
  random?: RandomBytes;
  now?: () => number;
  rekeyEveryMessages?: number;
  rekeyIntervalMs?: number;
}

/** Serialised state for persistence (P7.4). Contains secrets: store encrypted. */
export interface MlKemLayerState {
  v: 1;
  role: Role;
  ownSecretKey: string;
  peerPublicKey: string;
  send: { epoch: number; chainKey: string; next: number; startedAt: number };
  receive: { epoch: number; chainKey: string; next: number };
  skipped: [string, string][];
}

interface MessageHeader {
  epoch: number;
  counter: number;
  /** Present on the first message of an epoch > 0. */
  rekey?: { prev: number; ciphertext: Uint8Array };
}

function skippedId(epoch: number, counter: number): string {
  return `${epoch}:${counter}`;
}

function nonceFor(counter: number): Uint8Array {
  return concat(new Uint8Array(4), u64be(counter));
}

function aadFor(ad: Uint8Array, dir: Direction, h: MessageHeader): Uint8Array {
  const rekey =
    h.rekey === undefined ? new Uint8Array(0) : concat(u64be(h.rekey.prev), sha256(h.rekey.ciphertext));
  return concat(
    ad,
    rekey,
    utf8(dir),
    Uint8Array.of(HEADER_VERSION, h.rekey === undefined ? 0 : 1),
    u64be(h.epoch),
    u64be(h.counter),
  );
}

function readParameters(p: LayerParameters): MessageHeader {
  const keys = Object.keys(p).sort().join(',');
  const { epoch, counter, prev, kem } = p;
  if (!isSafeUint(epoch) || !isSafeUint(counter)) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'ML-KEM layer parameters need epoch and counter');
  }
  if (keys === 'counter,epoch') return { epoch, counter };
  if (
    keys === 'counter,epoch,kem,prev' &&
    isSafeUint(prev) &&
    typeof kem === 'string' &&
    counter === 0 &&
    epoch > 0
  ) {
    return { epoch, counter, rekey: { prev, ciphertext: fromBase64(kem, 'kem') } };
  }
  throw new CryptoError(CRYPTO_ERROR.malformed, 'unexpected ML-KEM layer parameters');
}

export class MlKemLayer implements CascadeLayer {
  readonly name = 'ML-KEM' as const;
  readonly algorithm = MLKEM_LAYER_ALGORITHM;
  readonly version = MLKEM_LAYER_VERSION;

  readonly #role: Role;
  readonly #ownSecretKey: Uint8Array;
  readonly #peerPublicKey: Uint8Array;
  readonly #random: RandomBytes;
  readonly #now: () => number;
  readonly #rekeyEvery: number;
  readonly #rekeyIntervalMs: number;
  #state: State;

  private constructor(
    role: Role,
    ownSecretKey: Uint8Array,
    peerPublicKey: Uint8Array,
    state: State,
    options: Pick<MlKemLayerOptions, 'random' | 'now' | 'rekeyEveryMessages' | 'rekeyIntervalMs'>,
  ) {
    if (!isValidMlKem768PublicKey(peerPublicKey)) {
      throw new CryptoError(CRYPTO_ERROR.malformed, 'not a valid ML-KEM-768 public key');
    }
    this.#role = role;
    this.#ownSecretKey = ownSecretKey.slice();
    this.#peerPublicKey = peerPublicKey.slice();
    this.#state = state;
    this.#random = options.random ?? webCryptoRandom;
    this.#now = options.now ?? Date.now;
    this.#rekeyEvery = options.rekeyEveryMessages ?? REKEY_EVERY_MESSAGES;
    this.#rekeyIntervalMs = options.rekeyIntervalMs ?? REKEY_INTERVAL_MS;
  }

  static create(options: MlKemLayerOptions): MlKemLayer {
    if (options.rootSecret.length !== 32)
      throw new CryptoError(CRYPTO_ERROR.malformed, 'root secret must be 32 bytes');
    const now = options.now ?? Date.now;
    const state: State = {
      send: {
        epoch: 0,
        chainKey: initialChainKey(options.rootSecret, sendDirection(options.role)),
        next: 0,
        startedAt: now(),
      },
      receive: {
        epoch: 0,
        chainKey: initialChainKey(options.rootSecret, receiveDirection(options.role)),
        next: 0,
      },
      skipped: new Map(),
    };
    return new MlKemLayer(options.role, options.ownSecretKey, options.peerPublicKey, state, options);
  }

  async seal(plaintext: Uint8Array, ad: Uint8Array): Promise<Sealed> {
    const base = this.#state;
    const dir = sendDirection(this.#role);
    let { epoch, chainKey, next: counter, startedAt } = base.send;
    let header: MessageHeader;
    let rekeyed: Uint8Array | undefined;
    if (counter >= this.#rekeyEvery || this.#now() - startedAt >= this.#rekeyIntervalMs) {
      const { ciphertext, sharedSecret } = encapsulateTo(this.#peerPublicKey, this.#random);
      rekeyed = rekeyChain(chainKey, sharedSecret, dir, epoch + 1);
      wipe(sharedSecret);
      header = { epoch: epoch + 1, counter: 0, rekey: { prev: counter, ciphertext } };
      epoch += 1;
      chainKey = rekeyed;
      counter = 0;
      startedAt = this.#now();
    } else {
      header = { epoch, counter };
    }
    const { messageKey, nextChainKey } = stepChain(chainKey);
    const key = new GcmKey(messageKey);
    wipe(messageKey);
    const ciphertext = await key.encrypt(nonceFor(counter), aadFor(ad, dir, header), plaintext);
    key.wipe();
    const parameters: LayerParameters = { epoch: header.epoch, counter: header.counter };
    if (header.rekey !== undefined) {
      parameters.prev = header.rekey.prev;
      parameters.kem = toBase64(header.rekey.ciphertext);
    }
    const nextState: State = {
      ...base,
      send: { epoch, chainKey: nextChainKey, next: counter + 1, startedAt },
    };
    return {
      ciphertext,
      parameters,
      commit: () => {
        this.#install(base, nextState);
        wipe(base.send.chainKey, rekeyed);
      },
    };
  }

  async open(ciphertext: Uint8Array, parameters: LayerParameters, ad: Uint8Array): Promise<Opened> {
    const base = this.#state;
    const header = readParameters(parameters);
    const { state: nextState, messageKey, consumed } = this.#receiveKey(base, header);
    const key = new GcmKey(messageKey);
    let plaintext: Uint8Array;
    try {
      plaintext = await key.decrypt(
        nonceFor(header.counter),
        aadFor(ad, receiveDirection(this.#role), header),
        ciphertext,
      );
    } finally {
      key.wipe();
    }
    return {
      plaintext,
      commit: () => {
        this.#install(base, nextState);
        wipe(messageKey, ...consumed);
      },
    };
  }

  #install(base: State, next: State): void {
    if (this.#state !== base) {
      throw new CryptoError(
        CRYPTO_ERROR.staleCommit,
        'ML-KEM layer state changed between seal/open and commit',
      );
    }
    this.#state = next;
  }

  /**
   * Finds or derives the message key for a header without touching current state. Returns the
   * state to install on success and the superseded chain keys to wipe then.
   */
  #receiveKey(
    base: State,
    h: MessageHeader,
  ): { state: State; messageKey: Uint8Array; consumed: Uint8Array[] } {
    const id = skippedId(h.epoch, h.counter);
    const stored = h.rekey === undefined ? base.skipped.get(id) : undefined;
    if (stored !== undefined) {
      const skipped = new Map(base.skipped);
      skipped.delete(id);
      return { state: { ...base, skipped }, messageKey: stored, consumed: [] };
    }
    const recv = base.receive;
    const dir = receiveDirection(this.#role);
    const skipped = new Map(base.skipped);
    const consumed: Uint8Array[] = [];
    let chainKey = recv.chainKey;
    let next = recv.next;
    let epoch = recv.epoch;
    if (h.epoch === recv.epoch + 1 && h.rekey !== undefined) {
      // Close the old chain at the count the sender declares, keeping keys of messages still in flight.
      if (h.rekey.prev < next)
        throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'rekey message inconsistent with chain');
      ({ chainKey, next } = this.#skipTo(skipped, consumed, epoch, chainKey, next, h.rekey.prev));
      const sharedSecret = decapsulate(h.rekey.ciphertext, this.#ownSecretKey);
      const rekeyed = rekeyChain(chainKey, sharedSecret, dir, h.epoch);
      wipe(sharedSecret);
      if (chainKey !== recv.chainKey) consumed.push(chainKey);
      chainKey = rekeyed;
      next = 0;
      epoch = h.epoch;
    } else if (h.epoch > recv.epoch) {
      throw new CryptoError(
        CRYPTO_ERROR.tooFarAhead,
        'message from an epoch whose rekey message has not arrived',
      );
    } else if (h.epoch < recv.epoch || h.counter < next || h.rekey !== undefined) {
      throw new CryptoError(CRYPTO_ERROR.replay, 'message key already used or no longer kept');
    }
    ({ chainKey, next } = this.#skipTo(skipped, consumed, epoch, chainKey, next, h.counter));
    const { messageKey, nextChainKey } = stepChain(chainKey);
    if (chainKey !== recv.chainKey) consumed.push(chainKey);
    consumed.push(recv.chainKey);
    while (skipped.size > MLKEM_MAX_SKIPPED_KEYS) {
      const oldest = skipped.keys().next().value as string;
      consumed.push(skipped.get(oldest) as Uint8Array);
      skipped.delete(oldest);
    }
    return {
      state: { ...base, receive: { epoch, chainKey: nextChainKey, next: next + 1 }, skipped },
      messageKey,
      consumed,
    };
  }

  /** Steps a receiving chain from `next` to `target`, storing the skipped message keys. */
  #skipTo(
    skipped: Map<string, Uint8Array>,
    consumed: Uint8Array[],
    epoch: number,
    chainKey: Uint8Array,
    next: number,
    target: number,
  ): { chainKey: Uint8Array; next: number } {
    if (target - next > MLKEM_MAX_SKIP) {
      throw new CryptoError(CRYPTO_ERROR.tooFarAhead, 'message skips too many keys');
    }
    let ck = chainKey;
    for (let n = next; n < target; n++) {
      const { messageKey, nextChainKey } = stepChain(ck);
      skipped.set(skippedId(epoch, n), messageKey);
      if (ck !== chainKey) consumed.push(ck);
      ck = nextChainKey;
    }
    return { chainKey: ck, next: target };
  }

  exportState(): MlKemLayerState {
    const s = this.#state;
    return {
      v: 1,
      role: this.#role,
      ownSecretKey: toBase64(this.#ownSecretKey),
      peerPublicKey: toBase64(this.#peerPublicKey),
      send: {
        epoch: s.send.epoch,
        chainKey: toBase64(s.send.chainKey),
        next: s.send.next,
        startedAt: s.send.startedAt,
      },
      receive: { epoch: s.receive.epoch, chainKey: toBase64(s.receive.chainKey), next: s.receive.next },
      skipped: [...s.skipped].map(([id, key]) => [id, toBase64(key)]),
    };
  }

  static importState(
    s: MlKemLayerState,
    options: Pick<MlKemLayerOptions, 'random' | 'now' | 'rekeyEveryMessages' | 'rekeyIntervalMs'> = {},
  ): MlKemLayer {
    if (s?.v !== 1 || (s.role !== 'initiator' && s.role !== 'responder')) {
      throw new CryptoError(CRYPTO_ERROR.malformed, 'not an ML-KEM layer state');
    }
    const counters = [s.send.epoch, s.send.next, s.send.startedAt, s.receive.epoch, s.receive.next];
    if (
      !counters.every(isSafeUint) ||
      !Array.isArray(s.skipped) ||
      s.skipped.length > MLKEM_MAX_SKIPPED_KEYS
    ) {
      throw new CryptoError(CRYPTO_ERROR.malformed, 'bad ML-KEM layer state');
    }
    const state: State = {
      send: { ...s.send, chainKey: fromBase64(s.send.chainKey, 'chainKey') },
      receive: { ...s.receive, chainKey: fromBase64(s.receive.chainKey, 'chainKey') },
      skipped: new Map(s.skipped.map(([id, key]) => [String(id), fromBase64(key, 'skipped key')])),
    };
    return new MlKemLayer(
      s.role,
      fromBase64(s.ownSecretKey, 'ownSecretKey'),
      fromBase64(s.peerPublicKey, 'peerPublicKey'),
      state,
      options,
    );
  }
}
