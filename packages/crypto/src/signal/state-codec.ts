/**
 * JSON-safe form of the ratchet state, for the app to persist (P7.4: resume crypto after a
 * reconnection when both sides kept state). Contains secrets: store it as carefully as the identity.
 * Import validates every field and re-derives public keys, so a corrupt record fails with
 * CRYPTO_MALFORMED instead of producing a half-working session.
 */
import { fromBase64, isUint32, toBase64 } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import { MAX_PREVIOUS_REMOTE_KEYS, MAX_SKIPPED_KEYS } from './constants.js';
import { dhKeyPairFromSecret, X25519_BYTES } from './dh.js';
import type { RatchetState, SkippedMessageKey } from './double-ratchet.js';
import { CHAIN_KEY_BYTES, ROOT_KEY_BYTES } from './kdf.js';

export const RATCHET_STATE_VERSION = 1;
const MESSAGE_KEY_BYTES = 32;

export interface RatchetStateJson {
  readonly version: typeof RATCHET_STATE_VERSION;
  readonly dhsSecret: string;
  readonly dhr: string | null;
  readonly rootKey: string;
  readonly sendingChainKey: string | null;
  readonly receivingChainKey: string | null;
  readonly ns: number;
  readonly nr: number;
  readonly pn: number;
  readonly skipped: readonly { readonly dh: string; readonly n: number; readonly messageKey: string }[];
  readonly previousRemoteKeys: readonly string[];
}

const b64OrNull = (v: Uint8Array | null): string | null => (v === null ? null : toBase64(v));

export function ratchetStateToJson(state: RatchetState): RatchetStateJson {
  return {
    version: RATCHET_STATE_VERSION,
    dhsSecret: toBase64(state.dhs.secretKey),
    dhr: b64OrNull(state.dhr),
    rootKey: toBase64(state.rootKey),
    sendingChainKey: b64OrNull(state.sendingChainKey),
    receivingChainKey: b64OrNull(state.receivingChainKey),
    ns: state.ns,
    nr: state.nr,
    pn: state.pn,
    skipped: state.skipped.map((k) => ({ dh: toBase64(k.dh), n: k.n, messageKey: toBase64(k.messageKey) })),
    previousRemoteKeys: state.previousRemoteKeys.map(toBase64),
  };
}

function malformed(what: string): CryptoError {
  return new CryptoError(CRYPTO_ERROR.malformed, `ratchet state: ${what}`);
}

function nullableKey(v: unknown, length: number): Uint8Array | null {
  return v === null ? null : fromBase64(v, length);
}

export function ratchetStateFromJson(data: unknown): RatchetState {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw malformed('not an object');
  const rec = data as Record<string, unknown>;
  if (rec.version !== RATCHET_STATE_VERSION) throw malformed('unsupported version');
  if (!isUint32(rec.ns) || !isUint32(rec.nr) || !isUint32(rec.pn)) throw malformed('counters');
  if (!Array.isArray(rec.skipped) || rec.skipped.length > MAX_SKIPPED_KEYS) throw malformed('skipped keys');
  if (!Array.isArray(rec.previousRemoteKeys) || rec.previousRemoteKeys.length > MAX_PREVIOUS_REMOTE_KEYS) {
    throw malformed('previous remote keys');
  }
  const skipped: SkippedMessageKey[] = rec.skipped.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) throw malformed('skipped key entry');
    const e = entry as Record<string, unknown>;
    if (!isUint32(e.n)) throw malformed('skipped key counter');
    return {
      dh: fromBase64(e.dh, X25519_BYTES),
      n: e.n,
      messageKey: fromBase64(e.messageKey, MESSAGE_KEY_BYTES),
    };
  });
  const state: RatchetState = {
    dhs: dhKeyPairFromSecret(fromBase64(rec.dhsSecret, X25519_BYTES)),
    dhr: nullableKey(rec.dhr, X25519_BYTES),
    rootKey: fromBase64(rec.rootKey, ROOT_KEY_BYTES),
    sendingChainKey: nullableKey(rec.sendingChainKey, CHAIN_KEY_BYTES),
    receivingChainKey: nullableKey(rec.receivingChainKey, CHAIN_KEY_BYTES),
    ns: rec.ns,
    nr: rec.nr,
    pn: rec.pn,
    skipped,
    previousRemoteKeys: rec.previousRemoteKeys.map((k: unknown) => fromBase64(k, X25519_BYTES)),
  };
  if (state.receivingChainKey !== null && state.dhr === null)
    throw malformed('receiving chain without remote key');
  return state;
}
