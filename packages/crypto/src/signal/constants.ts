/**
 * Constants of the Signal layer. Every label is part of the wire profile (changing one breaks
 * interoperability); every limit says why it has its value.
 */
import { utf8 } from '../encoding.js';
import { PROFILE_ID } from '../identity/domains.js';

/** HKDF info of the X3DH KDF (X3DH spec §2.2: an application-specific info string). */
export const X3DH_INFO = utf8(`${PROFILE_ID} X3DH`);
/** HKDF info of KDF_RK (Double Ratchet spec §5.2). */
export const RATCHET_INFO = utf8(`${PROFILE_ID} Ratchet`);
/** HKDF info of the message-key expansion inside ENCRYPT (Double Ratchet spec §5.2). */
export const MESSAGE_KEYS_INFO = utf8(`${PROFILE_ID} MessageKeys`);

/** X3DH KDF: 32 0xFF bytes prepended to the DH outputs (X25519 curve, X3DH spec §2.2). */
export const X3DH_KDF_PREFIX = new Uint8Array(32).fill(0xff);
/** Zero salt of the X3DH KDF and of the message-key HKDF: as many zero bytes as SHA-256's output. */
export const SIGNAL_ZERO_SALT = new Uint8Array(32);

/** KDF_CK inputs (Double Ratchet spec §5.2): HMAC(ck, 0x01) is the message key, HMAC(ck, 0x02) the next chain key. */
export const MESSAGE_KEY_CONSTANT = Uint8Array.of(0x01);
export const CHAIN_KEY_CONSTANT = Uint8Array.of(0x02);

/**
 * MAX_SKIP: most message keys one incoming message may make us derive and store for one chain.
 * A peer rarely has more than a few hundred messages in flight on a data channel; 1000 keeps a
 * burst of loss or reordering decryptable while bounding the work an attacker can force with one
 * forged header (at most 2 × 1000 HMACs, then authentication fails and nothing is kept).
 */
export const MAX_SKIP = 1000;
/**
 * Total skipped message keys kept across all chains; when more are stored, the oldest are evicted
 * first. 2000 = two full skip windows, so a ratchet step right after a large gap loses nothing,
 * while the persisted state stays bounded (about 150 KB of JSON at the cap).
 */
export const MAX_SKIPPED_KEYS = 2000;
/**
 * Remote ratchet public keys remembered after their chain ended, to classify a late message on
 * such a chain with no stored key as a replay (CRYPTO_REPLAY) rather than attempt a ratchet step
 * with a stale key. 32 chains cover any realistic reordering window on one data channel.
 */
export const MAX_PREVIOUS_REMOTE_KEYS = 32;

/** Purpose byte after the X3DH AD: keeps the session confirmation and cascade messages apart. */
export const AD_PURPOSE_SESSION_CONFIRMATION = 0x01;
export const AD_PURPOSE_CASCADE_MESSAGE = 0x02;
/** Plaintext of the initiator's first ratchet message, sent in `signal-session-complete`. */
export const SESSION_CONFIRMATION_PLAINTEXT = utf8(`${PROFILE_ID} Signal session confirmation`);
