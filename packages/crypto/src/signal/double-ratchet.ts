/**
 * The Double Ratchet (Signal's specification, revision 1, §3 with the §5.2 recommended
 * algorithms), as pure functions over an immutable state: `encrypt` and `decrypt` return a new
 * state and never modify the one they were given, so a failed decrypt (bad MAC, replay, skip bound)
 * leaves the caller's state exactly as it was (the caller simply keeps the old value).
 *
 * Deviations, all additive: (1) header fields are bounded to unsigned 32 bits (encoding); (2) the
 * skipped-key store has a total cap with oldest-first eviction on top of MAX_SKIP; (3) a message
 * whose key was already consumed or evicted is classified CRYPTO_REPLAY (current chain with
 * n < Nr, or a chain whose remote key we remember) instead of being run through a ratchet step.
 */
import { constantTimeEqual, UINT32_MAX, wipe } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import { type RandomBytes, webCryptoRandom } from '../random.js';
import { MAX_PREVIOUS_REMOTE_KEYS, MAX_SKIP, MAX_SKIPPED_KEYS } from './constants.js';
import { type DhKeyPair, dhFast, generateDhKeyPairFast } from './dh.js';
import { concatAdHeader, type RatchetHeader } from './header.js';
import { kdfCk, kdfRk } from './kdf.js';
import { decryptWithMessageKey, encryptWithMessageKey } from './message-crypto.js';

export interface SkippedMessageKey {
  /** Remote ratchet public key of the chain the key belongs to. */
  readonly dh: Uint8Array;
  readonly n: number;
  readonly messageKey: Uint8Array;
}

/** Spec §3.2 state variables (DHs, DHr, RK, CKs, CKr, Ns, Nr, PN, MKSKIPPED) plus our replay memory. */
export interface RatchetState {
  readonly dhs: DhKeyPair;
  readonly dhr: Uint8Array | null;
  readonly rootKey: Uint8Array;
  readonly sendingChainKey: Uint8Array | null;
  readonly receivingChainKey: Uint8Array | null;
  readonly ns: number;
  readonly nr: number;
  readonly pn: number;
  /** Oldest first; at most MAX_SKIPPED_KEYS entries. */
  readonly skipped: readonly SkippedMessageKey[];
  /** Remote ratchet keys of finished receiving chains, oldest first; at most MAX_PREVIOUS_REMOTE_KEYS. */
  readonly previousRemoteKeys: readonly Uint8Array[];
}

export interface EncryptResult {
  readonly state: RatchetState;
  readonly header: RatchetHeader;
  readonly ciphertext: Uint8Array;
}

export interface DecryptResult {
  readonly state: RatchetState;
  readonly plaintext: Uint8Array;
}

/** Spec §3.3 RatchetInitAlice: Alice knows Bob's ratchet key (his signed prekey) and sends first. */
export async function ratchetInitInitiator(
  sharedSecret: Uint8Array,
  remoteRatchetKey: Uint8Array,
  random: RandomBytes,
): Promise<RatchetState> {
  const dhs = await generateDhKeyPairFast(random);
  const dhOut = await dhFast(dhs.secretKey, remoteRatchetKey);
  const { rootKey, chainKey } = kdfRk(sharedSecret, dhOut);
  wipe(dhOut);
  return {
    dhs,
    dhr: remoteRatchetKey.slice(),
    rootKey,
    sendingChainKey: chainKey,
    receivingChainKey: null,
    ns: 0,
    nr: 0,
    pn: 0,
    skipped: [],
    previousRemoteKeys: [],
  };
}

/** Spec §3.3 RatchetInitBob: Bob's first ratchet key pair is his signed prekey. */
export function ratchetInitResponder(sharedSecret: Uint8Array, ratchetKeyPair: DhKeyPair): RatchetState {
  return {
    dhs: { publicKey: ratchetKeyPair.publicKey.slice(), secretKey: ratchetKeyPair.secretKey.slice() },
    dhr: null,
    rootKey: sharedSecret.slice(),
    sendingChainKey: null,
    receivingChainKey: null,
    ns: 0,
    nr: 0,
    pn: 0,
    skipped: [],
    previousRemoteKeys: [],
  };
}

/** Spec §3.4 RatchetEncrypt. `ad` is the full associated data (X3DH AD plus anything bound by the caller). */
export async function ratchetEncrypt(
  state: RatchetState,
  plaintext: Uint8Array,
  ad: Uint8Array,
): Promise<EncryptResult> {
  if (state.sendingChainKey === null) {
    throw new CryptoError(
      CRYPTO_ERROR.notReady,
      'no sending chain yet: the responder must receive a message first',
    );
  }
  if (state.ns >= UINT32_MAX)
    throw new CryptoError(CRYPTO_ERROR.encryptFailed, 'sending chain counter exhausted');
  const { chainKey, messageKey } = kdfCk(state.sendingChainKey);
  const header: RatchetHeader = { dh: state.dhs.publicKey.slice(), pn: state.pn, n: state.ns };
  try {
    const ciphertext = await encryptWithMessageKey(messageKey, plaintext, concatAdHeader(ad, header));
    return { state: { ...state, sendingChainKey: chainKey, ns: state.ns + 1 }, header, ciphertext };
  } finally {
    wipe(messageKey);
  }
}

/** Mutable working copy used inside one decrypt; the caller's state object is never touched. */
interface Working {
  dhs: DhKeyPair;
  dhr: Uint8Array | null;
  rootKey: Uint8Array;
  sendingChainKey: Uint8Array | null;
  receivingChainKey: Uint8Array | null;
  ns: number;
  nr: number;
  pn: number;
  skipped: SkippedMessageKey[];
  previousRemoteKeys: Uint8Array[];
}

function sameKey(a: Uint8Array | null, b: Uint8Array): boolean {
  return a !== null && constantTimeEqual(a, b);
}

function findSkipped(state: RatchetState, header: RatchetHeader): number {
  return state.skipped.findIndex((k) => k.n === header.n && constantTimeEqual(k.dh, header.dh));
}

/** Spec §3.5 SkipMessageKeys, bounded by MAX_SKIP; keys beyond the total cap evict the oldest. */
function skipMessageKeys(w: Working, until: number): void {
  if (w.nr + MAX_SKIP < until) {
    throw new CryptoError(CRYPTO_ERROR.tooFarAhead, 'message is further ahead than the skip bound');
  }
  if (w.receivingChainKey === null || w.dhr === null) return;
  while (w.nr < until) {
    const { chainKey, messageKey } = kdfCk(w.receivingChainKey);
    w.receivingChainKey = chainKey;
    w.skipped.push({ dh: w.dhr, n: w.nr, messageKey });
    w.nr += 1;
  }
  if (w.skipped.length > MAX_SKIPPED_KEYS) w.skipped.splice(0, w.skipped.length - MAX_SKIPPED_KEYS);
}

/** Spec §3.5 DHRatchet. */
async function dhRatchet(w: Working, header: RatchetHeader, random: RandomBytes): Promise<void> {
  if (w.dhr !== null) {
    w.previousRemoteKeys.push(w.dhr);
    if (w.previousRemoteKeys.length > MAX_PREVIOUS_REMOTE_KEYS) w.previousRemoteKeys.shift();
  }
  w.pn = w.ns;
  w.ns = 0;
  w.nr = 0;
  w.dhr = header.dh.slice();
  // The new key pair does not depend on the first DH: compute both at once (WebCrypto runs them in parallel).
  const [dhOut1, nextDhs] = await Promise.all([
    dhFast(w.dhs.secretKey, w.dhr),
    generateDhKeyPairFast(random),
  ]);
  const recv = kdfRk(w.rootKey, dhOut1);
  w.receivingChainKey = recv.chainKey;
  w.dhs = nextDhs;
  const dhOut2 = await dhFast(w.dhs.secretKey, w.dhr);
  const send = kdfRk(recv.rootKey, dhOut2);
  w.rootKey = send.rootKey;
  w.sendingChainKey = send.chainKey;
  wipe(dhOut1, dhOut2);
}

/**
 * Spec §3.5 RatchetDecrypt. Errors: CRYPTO_DECRYPT_FAILED (authentication), CRYPTO_REPLAY (key
 * already used or evicted), CRYPTO_TOO_FAR_AHEAD (skip bound), CRYPTO_MALFORMED (low-order key).
 * On any error the returned promise rejects and no new state exists: the input state stays valid.
 */
export async function ratchetDecrypt(
  state: RatchetState,
  header: RatchetHeader,
  ciphertext: Uint8Array,
  ad: Uint8Array,
  random: RandomBytes = webCryptoRandom,
): Promise<DecryptResult> {
  const fullAd = concatAdHeader(ad, header);

  // TrySkippedMessageKeys.
  const skippedIndex = findSkipped(state, header);
  if (skippedIndex >= 0) {
    const entry = state.skipped[skippedIndex] as SkippedMessageKey;
    const plaintext = await decryptWithMessageKey(entry.messageKey, ciphertext, fullAd);
    const skipped = state.skipped.slice();
    skipped.splice(skippedIndex, 1);
    return { state: { ...state, skipped }, plaintext };
  }

  const onCurrentChain = sameKey(state.dhr, header.dh);
  if (onCurrentChain && header.n < state.nr) {
    throw new CryptoError(CRYPTO_ERROR.replay, 'message key already used');
  }
  if (!onCurrentChain && state.previousRemoteKeys.some((k) => constantTimeEqual(k, header.dh))) {
    throw new CryptoError(CRYPTO_ERROR.replay, 'message key of a finished chain already used or evicted');
  }

  const w: Working = {
    ...state,
    skipped: state.skipped.slice(),
    previousRemoteKeys: state.previousRemoteKeys.slice(),
  };
  if (!onCurrentChain) {
    skipMessageKeys(w, header.pn);
    await dhRatchet(w, header, random);
  }
  skipMessageKeys(w, header.n);
  if (w.receivingChainKey === null) {
    // Only reachable for a forged header naming the initiator's initial remote key (Bob's SPK).
    throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'no receiving chain for this header');
  }
  const { chainKey, messageKey } = kdfCk(w.receivingChainKey);
  w.receivingChainKey = chainKey;
  w.nr += 1;
  try {
    const plaintext = await decryptWithMessageKey(messageKey, ciphertext, fullAd);
    return { state: w, plaintext };
  } finally {
    wipe(messageKey);
  }
}
