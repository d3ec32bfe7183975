/**
 * The ML-KEM layer's symmetric chains (docs/protocol.md §4.4): one per direction, stepped
 * with HMAC-SHA-256 exactly like the Double Ratchet's symmetric-key ratchet (KDF_CK of the Signal
 * spec: message key = HMAC(ck, 0x01), next chain key = HMAC(ck, 0x02)), and re-keyed by mixing a
 * fresh ML-KEM shared secret into the chain key.
 */
import { expand, hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Direction } from '../aes/keys.js';
import { concat, u64be, utf8 } from '../cascade/bytes.js';

const MESSAGE_KEY_INPUT = Uint8Array.of(0x01);
const CHAIN_KEY_INPUT = Uint8Array.of(0x02);
const CHAIN_LABEL = 'EnkryptedChat-v0 ML-KEM chain ';
const REKEY_LABEL = utf8('EnkryptedChat-v0 ML-KEM rekey');

/** Initial chain key of one direction from the handshake root secret. */
export function initialChainKey(root: Uint8Array, dir: Direction): Uint8Array {
  return expand(sha256, root, utf8(CHAIN_LABEL + dir), 32);
}

export function stepChain(chainKey: Uint8Array): { messageKey: Uint8Array; nextChainKey: Uint8Array } {
  return {
    messageKey: hmac(sha256, chainKey, MESSAGE_KEY_INPUT),
    nextChainKey: hmac(sha256, chainKey, CHAIN_KEY_INPUT),
  };
}

/**
 *   ck_{e+1} = HKDF-SHA-256(salt = ck_e after `prev` steps, ikm = ML-KEM shared secret,
 *                           info = "EnkryptedChat-v0 ML-KEM rekey" || dir || u64be(e+1), 32)
 * An attacker needs both the old chain key and the new shared secret.
 */
export function rekeyChain(
  chainKey: Uint8Array,
  sharedSecret: Uint8Array,
  dir: Direction,
  epoch: number,
): Uint8Array {
  return hkdf(sha256, sharedSecret, chainKey, concat(REKEY_LABEL, utf8(dir), u64be(epoch)), 32);
}
