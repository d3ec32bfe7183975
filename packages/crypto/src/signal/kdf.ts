/**
 * The Double Ratchet's two KDF chains (Signal Double Ratchet spec §5.2, recommended algorithms):
 *   KDF_RK(rk, dh_out) = HKDF-SHA-256(salt = rk, IKM = dh_out, info = RATCHET_INFO, 64 bytes)
 *                        → (new root key, chain key)
 *   KDF_CK(ck) = (HMAC-SHA-256(ck, 0x02) → next chain key, HMAC-SHA-256(ck, 0x01) → message key)
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { CHAIN_KEY_CONSTANT, MESSAGE_KEY_CONSTANT, RATCHET_INFO } from './constants.js';

export const ROOT_KEY_BYTES = 32;
export const CHAIN_KEY_BYTES = 32;

export function kdfRk(rootKey: Uint8Array, dhOut: Uint8Array): { rootKey: Uint8Array; chainKey: Uint8Array } {
  const out = hkdf(sha256, dhOut, rootKey, RATCHET_INFO, ROOT_KEY_BYTES + CHAIN_KEY_BYTES);
  return { rootKey: out.slice(0, ROOT_KEY_BYTES), chainKey: out.slice(ROOT_KEY_BYTES) };
}

export function kdfCk(chainKey: Uint8Array): { chainKey: Uint8Array; messageKey: Uint8Array } {
  return {
    chainKey: hmac(sha256, chainKey, CHAIN_KEY_CONSTANT),
    messageKey: hmac(sha256, chainKey, MESSAGE_KEY_CONSTANT),
  };
}
