/**
 * The ML-KEM-768 cascade layer (docs/protocol.md §4.4). Per-message AES-256-GCM keys come from a
 * forward-secure HMAC chain per direction (chain.ts), seeded by the handshake's two-sided ML-KEM
 * exchange (handshake.ts). Every REKEY_EVERY_MESSAGES messages or REKEY_INTERVAL_MS the sender
 * encapsulates to the peer's newest ML-KEM encapsulation key and mixes the new secret into its
 * chain; the ciphertext rides in that message's layer parameters. Never one encapsulation per
 * message.
 *
 * Key pairs rotate too, so a stolen state heals: a re-key message may announce a fresh
 * encapsulation key of the sender (key id = the epoch it opens), which the peer uses for its next
 * re-keys. A side announces a new key only once the peer has used the previous one, so it holds at
 * most two decapsulation keys.
 *
 * State is immutable: `seal`/`open` compute the next state and `commit` installs it, wiping the
 * chain, message and decapsulation keys it replaces.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { GcmKey } from '../aes/aes-gcm.js';
import { type Direction, type Role, receiveDirection, sendDirection } from '../aes/keys.js';
import { concat, fromBase64, isSafeUint, toBase64, u64be, utf8, wipe } from '../cascade/bytes.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import type { CascadeLayer, LayerParameters, Opened, Sealed } from '../layer.js';
import { type RandomBytes, webCryptoRandom } from '../random.js';
import { initialChainKey, rekeyChain, stepChain } from './chain.js';
import {
  decapsulate,
  encapsulateTo,
  generateMlKemKeyPair,
  isValidMlKem768PublicKey,
  MLKEM768_PUBLIC_KEY_BYTES,
} from './handshake.js';

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
  /** Own decapsulation keys by key id (0 = the handshake key); at most two. */
  ownKeys: ReadonlyMap<number, Uint8Array>;
  /** Newest own key id the peer has encapsulated to. */
  usedOwnKey: number;
  /** The peer's newest announced encapsulation key. */
  peerKey: { id: number; publicKey: Uint8Array };
}

export interface MlKemLayerOptions {
  role: Role;
  /** deriveMlKemRootSecret of the handshake; copied. */
  rootSecret: Uint8Array;
  /** The own decapsulation key and the peer's encapsulation key of the handshake (key id 0). */
  ownSecretKey: Uint8Array;
  peerPublicKey: Uint8Array;
  random?: RandomBytes;
  now?: () => number;
  rekeyEveryMessages?: number;
  rekeyIntervalMs?: number;
}
type RuntimeOptions = Pick<MlKemLayerOptions, 'random' | 'now' | 'rekeyEveryMessages' | 'rekeyIntervalMs'>;

/** Serialised state for persistence (P7.4). Contains secrets: store encrypted. */
export interface MlKemLayerState {
  v: 2;
  role: Role;
  send: { epoch: number; chainKey: string; next: number; startedAt: number };
  receive: { epoch: number; chainKey: string; next: number };
  skipped: [string, string][];
  ownKeys: [number, string][];
  usedOwnKey: number;
  peerKey: { id: number; publicKey: string };
}

interface Rekey {
  prev: number;
  ciphertext: Uint8Array;
  /** Which of the receiver's keys `ciphertext` was made for. */
  keyId: number;
  /** A new encapsulation key of the sender, id = this message's epoch. */
  newPublicKey?: Uint8Array;
}

interface MessageHeader {
  epoch: number;
  counter: number;
  /** Present on the first message of an epoch > 0. */
  rekey?: Rekey;
}

function skippedId(epoch: number, counter: number): string {
  return `${epoch}:${counter}`;
}

function nonceFor(counter: number): Uint8Array {
  return concat(new Uint8Array(4), u64be(counter));
}

/**
 * `AD_c || R || dir || version || flag || u64be(epoch) || u64be(counter)`, R = u64be(prev) ||
 * u64be(keyId) || SHA-256(kem) || SHA-256(new key or empty) on a re-key message, else empty; the
 * fixed-length tail (flag says whether R is there) keeps the encoding unambiguous.
 */
function aadFor(ad: Uint8Array, dir: Direction, h: MessageHeader): Uint8Array {
  const r = h.rekey;
  const rekey =
    r === undefined
      ? new Uint8Array(0)
      : concat(
          u64be(r.prev),
          u64be(r.keyId),
          sha256(r.ciphertext),
          sha256(r.newPublicKey ?? new Uint8Array(0)),
        );
  return concat(
    ad,
    rekey,
    utf8(dir),
    Uint8Array.of(HEADER_VERSION, r === undefined ? 0 : 1),
    u64be(h.epoch),
    u64be(h.counter),
  );
}

function readParameters(p: LayerParameters): MessageHeader {
  const keys = Object.keys(p).sort().join(',');
  const { epoch, counter, prev, kem, kid, pk } = p;
  if (!isSafeUint(epoch) || !isSafeUint(counter)) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'ML-KEM layer parameters need epoch and counter');
  }
  if (keys === 'counter,epoch') return { epoch, counter };
  const rekeyShape = keys === 'counter,epoch,kem,kid,prev' || keys === 'counter,epoch,kem,kid,pk,prev';
  if (
    rekeyShape &&
    isSafeUint(prev) &&
    isSafeUint(kid) &&
    typeof kem === 'string' &&
    counter === 0 &&
    epoch > 0
  ) {
    const rekey: Rekey = { prev, keyId: kid, ciphertext: fromBase64(kem, 'kem') };
    if (pk !== undefined) {
      if (typeof pk !== 'string')
        throw new CryptoError(CRYPTO_ERROR.malformed, 'announced key is not base64');
      const publicKey = fromBase64(pk, 'pk');
      if (!isValidMlKem768PublicKey(publicKey)) {
        throw new CryptoError(CRYPTO_ERROR.malformed, 'announced ML-KEM-768 key is not valid');
      }
      rekey.newPublicKey = publicKey;
    }
    return { epoch, counter, rekey };
  }
  throw new CryptoError(CRYPTO_ERROR.malformed, 'unexpected ML-KEM layer parameters');
}

function newestKeyId(keys: ReadonlyMap<number, Uint8Array>): number {
  return Math.max(...keys.keys());
}

export class MlKemLayer implements CascadeLayer {
  readonly name = 'ML-KEM' as const;
  readonly algorithm = MLKEM_LAYER_ALGORITHM;
  readonly version = MLKEM_LAYER_VERSION;

  readonly #role: Role;
  readonly #random: RandomBytes;
  readonly #now: () => number;
  readonly #rekeyEvery: number;
  readonly #rekeyIntervalMs: number;
  #state: State;

  private constructor(role: Role, state: State, options: RuntimeOptions) {
    this.#role = role;
    this.#state = state;
    this.#random = options.random ?? webCryptoRandom;
    this.#now = options.now ?? Date.now;
    this.#rekeyEvery = options.rekeyEveryMessages ?? REKEY_EVERY_MESSAGES;
    this.#rekeyIntervalMs = options.rekeyIntervalMs ?? REKEY_INTERVAL_MS;
  }

  static create(options: MlKemLayerOptions): MlKemLayer {
    if (options.rootSecret.length !== 32)
      throw new CryptoError(CRYPTO_ERROR.malformed, 'root secret must be 32 bytes');
    if (!isValidMlKem768PublicKey(options.peerPublicKey)) {
      throw new CryptoError(CRYPTO_ERROR.malformed, 'not a valid ML-KEM-768 public key');
    }
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
      ownKeys: new Map([[0, options.ownSecretKey.slice()]]),
      usedOwnKey: 0,
      peerKey: { id: 0, publicKey: options.peerPublicKey.slice() },
    };
    return new MlKemLayer(options.role, state, options);
  }

  async seal(plaintext: Uint8Array, ad: Uint8Array): Promise<Sealed> {
    const base = this.#state;
    const dir = sendDirection(this.#role);
    let { epoch, chainKey, next: counter, startedAt } = base.send;
    let header: MessageHeader;
    let rekeyed: Uint8Array | undefined;
    let ownKeys = base.ownKeys;
    if (counter >= this.#rekeyEvery || this.#now() - startedAt >= this.#rekeyIntervalMs) {
      const { ciphertext, sharedSecret } = encapsulateTo(base.peerKey.publicKey, this.#random);
      rekeyed = rekeyChain(chainKey, sharedSecret, dir, epoch + 1);
      wipe(sharedSecret);
      const rekey: Rekey = { prev: counter, ciphertext, keyId: base.peerKey.id };
      // Announce a fresh key only once the peer has moved to our newest one (at most two held).
      if (newestKeyId(base.ownKeys) === base.usedOwnKey) {
        const fresh = generateMlKemKeyPair(this.#random);
        rekey.newPublicKey = fresh.publicKey;
        ownKeys = new Map(base.ownKeys).set(epoch + 1, fresh.secretKey);
      }
      header = { epoch: epoch + 1, counter: 0, rekey };
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
      parameters.kid = header.rekey.keyId;
      parameters.kem = toBase64(header.rekey.ciphertext);
      if (header.rekey.newPublicKey !== undefined) parameters.pk = toBase64(header.rekey.newPublicKey);
    }
    const nextState: State = {
      ...base,
      ownKeys,
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
   * state to install on success and the superseded secrets to wipe then.
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
    let { ownKeys, usedOwnKey, peerKey } = base;
    let chainKey = recv.chainKey;
    let next = recv.next;
    let epoch = recv.epoch;
    if (h.epoch === recv.epoch + 1 && h.rekey !== undefined) {
      const r = h.rekey;
      const secretKey = base.ownKeys.get(r.keyId);
      if (secretKey === undefined || r.keyId < base.usedOwnKey) {
        throw new CryptoError(CRYPTO_ERROR.decryptFailed, 're-key to an unknown ML-KEM key');
      }
      // Close the old chain at the count the sender declares, keeping keys of messages still in flight.
      if (r.prev < next)
        throw new CryptoError(CRYPTO_ERROR.decryptFailed, 're-key message inconsistent with chain');
      ({ chainKey, next } = this.#skipTo(skipped, consumed, epoch, chainKey, next, r.prev));
      const sharedSecret = decapsulate(r.ciphertext, secretKey);
      const rekeyed = rekeyChain(chainKey, sharedSecret, dir, h.epoch);
      wipe(sharedSecret);
      if (chainKey !== recv.chainKey) consumed.push(chainKey);
      chainKey = rekeyed;
      next = 0;
      epoch = h.epoch;
      if (r.keyId > usedOwnKey) {
        // The peer moved to a newer key of ours: older decapsulation keys are never needed again.
        ownKeys = new Map([...ownKeys].filter(([kid]) => kid >= r.keyId));
        for (const [kid, sk] of base.ownKeys) if (kid < r.keyId) consumed.push(sk);
        usedOwnKey = r.keyId;
      }
      if (r.newPublicKey !== undefined) peerKey = { id: h.epoch, publicKey: r.newPublicKey };
    } else if (h.epoch > recv.epoch) {
      throw new CryptoError(
        CRYPTO_ERROR.tooFarAhead,
        'message from an epoch whose re-key message has not arrived',
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
      state: {
        ...base,
        receive: { epoch, chainKey: nextChainKey, next: next + 1 },
        skipped,
        ownKeys,
        usedOwnKey,
        peerKey,
      },
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
      v: 2,
      role: this.#role,
      send: {
        epoch: s.send.epoch,
        chainKey: toBase64(s.send.chainKey),
        next: s.send.next,
        startedAt: s.send.startedAt,
      },
      receive: { epoch: s.receive.epoch, chainKey: toBase64(s.receive.chainKey), next: s.receive.next },
      skipped: [...s.skipped].map(([id, key]) => [id, toBase64(key)]),
      ownKeys: [...s.ownKeys].map(([kid, sk]) => [kid, toBase64(sk)]),
      usedOwnKey: s.usedOwnKey,
      peerKey: { id: s.peerKey.id, publicKey: toBase64(s.peerKey.publicKey) },
    };
  }

  static importState(s: MlKemLayerState, options: RuntimeOptions = {}): MlKemLayer {
    if (s?.v !== 2 || (s.role !== 'initiator' && s.role !== 'responder')) {
      throw new CryptoError(CRYPTO_ERROR.malformed, 'not an ML-KEM layer state');
    }
    const counters = [
      s.send.epoch,
      s.send.next,
      s.send.startedAt,
      s.receive.epoch,
      s.receive.next,
      s.usedOwnKey,
    ];
    const ok =
      counters.every(isSafeUint) &&
      Array.isArray(s.skipped) &&
      s.skipped.length <= MLKEM_MAX_SKIPPED_KEYS &&
      Array.isArray(s.ownKeys) &&
      s.ownKeys.length >= 1 &&
      s.ownKeys.length <= 2 &&
      s.ownKeys.every(([kid]) => isSafeUint(kid)) &&
      isSafeUint(s.peerKey?.id);
    if (!ok) throw new CryptoError(CRYPTO_ERROR.malformed, 'bad ML-KEM layer state');
    const peerPublicKey = fromBase64(s.peerKey.publicKey, 'peerKey');
    if (peerPublicKey.length !== MLKEM768_PUBLIC_KEY_BYTES || !isValidMlKem768PublicKey(peerPublicKey)) {
      throw new CryptoError(CRYPTO_ERROR.malformed, 'bad ML-KEM peer key in state');
    }
    const state: State = {
      send: { ...s.send, chainKey: fromBase64(s.send.chainKey, 'chainKey') },
      receive: { ...s.receive, chainKey: fromBase64(s.receive.chainKey, 'chainKey') },
      skipped: new Map(s.skipped.map(([id, key]) => [String(id), fromBase64(key, 'skipped key')])),
      ownKeys: new Map(s.ownKeys.map(([kid, sk]) => [kid, fromBase64(sk, 'own key')])),
      usedOwnKey: s.usedOwnKey,
      peerKey: { id: s.peerKey.id, publicKey: peerPublicKey },
    };
    return new MlKemLayer(s.role, state, options);
  }
}
