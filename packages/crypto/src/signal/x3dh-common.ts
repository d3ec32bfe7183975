/**
 * What both X3DH roles share: the KDF, the associated data and the JSON forms of the two messages
 * exchanged in the P2P profile (Appendix B: no server, no one-time prekeys, 3 DH terms).
 *
 * Signal X3DH §2.2 KDF(KM) = HKDF-SHA-256(salt = 32 zero bytes, IKM = 32 0xFF bytes ‖ KM,
 * info = X3DH_INFO, 32 bytes). §3.3 AD = Encode(IK_A) ‖ Encode(IK_B), with our composite identity
 * encoding (see identity-keys.ts).
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, fromBase64, isUint32, toBase64 } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import {
  CURVE25519_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  encodeIdentityKey,
  type PublicIdentity,
  type PublicIdentityJson,
  publicIdentityFromJson,
  publicIdentityToJson,
} from '../identity/identity-keys.js';
import type { PublicSignedPrekey } from '../identity/signed-prekey.js';
import { SIGNAL_ZERO_SALT, X3DH_INFO, X3DH_KDF_PREFIX } from './constants.js';

export const X3DH_SHARED_SECRET_BYTES = 32;

/** Result of X3DH on either side: the ratchet's SK and the AD every ratchet message binds. */
export interface X3dhResult {
  readonly sharedSecret: Uint8Array;
  readonly associatedData: Uint8Array;
}

/** What the responder offers (in `signal-key-exchange-response`). */
export interface PrekeyBundle {
  readonly identity: PublicIdentity;
  readonly signedPrekey: PublicSignedPrekey;
}

/** What the initiator sends back (in `signal-session-complete`). */
export interface X3dhInitialMessage {
  readonly identity: PublicIdentity;
  readonly ephemeralKey: Uint8Array;
  /** Which of the responder's signed prekeys was used. */
  readonly signedPrekeyId: number;
}

export interface PrekeyBundleJson {
  readonly identity: PublicIdentityJson;
  readonly signedPrekey: { readonly id: number; readonly publicKey: string; readonly signature: string };
}

export interface X3dhInitialMessageJson {
  readonly identity: PublicIdentityJson;
  readonly ephemeralKey: string;
  readonly signedPrekeyId: number;
}

export function x3dhKdf(keyMaterial: Uint8Array): Uint8Array {
  return hkdf(
    sha256,
    concatBytes(X3DH_KDF_PREFIX, keyMaterial),
    SIGNAL_ZERO_SALT,
    X3DH_INFO,
    X3DH_SHARED_SECRET_BYTES,
  );
}

export function x3dhAssociatedData(initiator: PublicIdentity, responder: PublicIdentity): Uint8Array {
  return concatBytes(encodeIdentityKey(initiator), encodeIdentityKey(responder));
}

function asRecord(data: unknown, what: string): Record<string, unknown> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new CryptoError(CRYPTO_ERROR.malformed, `${what} is not an object`);
  }
  return data as Record<string, unknown>;
}

export function prekeyBundleToJson(bundle: PrekeyBundle): PrekeyBundleJson {
  return {
    identity: publicIdentityToJson(bundle.identity),
    signedPrekey: {
      id: bundle.signedPrekey.id,
      publicKey: toBase64(bundle.signedPrekey.publicKey),
      signature: toBase64(bundle.signedPrekey.signature),
    },
  };
}

/** Parses a bundle; the identity binding is verified here, the prekey signature by the initiator. */
export function prekeyBundleFromJson(data: unknown): PrekeyBundle {
  const rec = asRecord(data, 'prekey bundle');
  const spk = asRecord(rec.signedPrekey, 'signed prekey');
  if (!isUint32(spk.id))
    throw new CryptoError(CRYPTO_ERROR.malformed, 'signed prekey id is not an unsigned 32-bit integer');
  return {
    identity: publicIdentityFromJson(rec.identity),
    signedPrekey: {
      id: spk.id,
      publicKey: fromBase64(spk.publicKey, CURVE25519_KEY_BYTES),
      signature: fromBase64(spk.signature, ED25519_SIGNATURE_BYTES),
    },
  };
}

export function initialMessageToJson(message: X3dhInitialMessage): X3dhInitialMessageJson {
  return {
    identity: publicIdentityToJson(message.identity),
    ephemeralKey: toBase64(message.ephemeralKey),
    signedPrekeyId: message.signedPrekeyId,
  };
}

export function initialMessageFromJson(data: unknown): X3dhInitialMessage {
  const rec = asRecord(data, 'X3DH initial message');
  if (!isUint32(rec.signedPrekeyId))
    throw new CryptoError(CRYPTO_ERROR.malformed, 'signedPrekeyId is not an unsigned 32-bit integer');
  return {
    identity: publicIdentityFromJson(rec.identity),
    ephemeralKey: fromBase64(rec.ephemeralKey, CURVE25519_KEY_BYTES),
    signedPrekeyId: rec.signedPrekeyId,
  };
}
