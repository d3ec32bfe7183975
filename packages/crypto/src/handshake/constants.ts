/**
 * Limits and labels of the handshake. Every label is part of the wire profile: changing one breaks
 * interoperability (docs/protocol.md §3 lists them).
 */
import { HANDSHAKE_TIMEOUT_MS as PROFILE_HANDSHAKE_TIMEOUT_MS } from '@enkrypted/protocol';

/** P8.3: data channel open → Ready within 300 s, else HANDSHAKE_TIMEOUT. */
export const HANDSHAKE_TIMEOUT_MS = PROFILE_HANDSHAKE_TIMEOUT_MS;

/**
 * Early handshake PDUs held while their track catches up. A peer sends at most 9 handshake PDUs
 * before it needs an answer from us (docs/protocol.md §3.2), so 12 tolerates any reordering of
 * an honest peer while bounding what a hostile one can make us hold.
 */
export const MAX_EARLY_HANDSHAKE_PDUS = 12;

/**
 * Non-handshake frames (messages sent too early, unknown types) tolerated during one handshake
 * before it is abandoned: an honest peer sends none, a flood must not keep us parsing for 300 s.
 */
export const MAX_STRAY_FRAMES_DURING_HANDSHAKE = 64;

/** The signed prekey of a live P2P handshake is fresh per handshake, so its id carries nothing: 0. */
export const HANDSHAKE_SIGNED_PREKEY_ID = 0;

const PROFILE = 'EnkryptedChat-Profile-v0';
/** MLS-Exporter label of the key of the MLS confirmation MACs (welcome-ack, sync request/response). */
export const MLS_CONFIRMATION_EXPORTER_LABEL = `${PROFILE} MLS confirmation`;
/** MLS-Exporter label of the MLS contribution to the AES base secret. */
export const MLS_AES_EXPORTER_LABEL = `${PROFILE} AES base from MLS`;
/** HKDF info turning the X3DH SK into the Signal contribution to the AES base secret. */
export const X3DH_AES_INFO = `${PROFILE} AES base from X3DH`;
/** HKDF info turning the ML-KEM root secret into the ML-KEM contribution to the AES base secret. */
export const MLKEM_AES_INFO = `${PROFILE} AES base from ML-KEM`;
/** HKDF salt of the two derivations above (fixed, public). */
export const HANDSHAKE_EXPORT_SALT = `${PROFILE} handshake export`;

/** Initial AES rotation timestamp: agreed implicitly, the first broadcast moves it forward. */
export const INITIAL_AES_ROTATION = 0;
