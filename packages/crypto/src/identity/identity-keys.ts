/**
 * The long-term identity of one installation: an Ed25519 signing key and an X25519 DH key.
 *
 * Why two keys rather than Signal's single XEdDSA key: @noble/curves (the only curve library we
 * accept) has no XEdDSA, and inventing the conversion would be inventing a primitive. Instead the
 * Ed25519 key signs the X25519 public key (the "binding", domain-separated), so the pair behaves as
 * one identity: whoever holds the Ed25519 key vouches for the X25519 key used in X3DH, and the
 * encoded identity key that is pinned, fingerprinted and bound into X3DH's AD covers both halves.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { concatBytes, fromBase64, toBase64 } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import type { RandomBytes } from '../random.js';
import { IDENTITY_BINDING_LABEL } from './domains.js';

export const CURVE25519_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;
/**
 * Type byte of the encoded identity key. X3DH's Encode(PK) is "a single-byte curve type followed
 * by the key"; our identity is a composite (Ed25519 ‖ X25519) type, so it gets its own constant,
 * distinct from libsignal's 0x05 for a bare Curve25519 key.
 */
export const IDENTITY_KEY_TYPE = 0x45;
/** 1 type byte + Ed25519 public key + X25519 public key. */
export const ENCODED_IDENTITY_KEY_BYTES = 1 + 2 * CURVE25519_KEY_BYTES;
/** Version of the JSON export formats below. */
export const IDENTITY_EXPORT_VERSION = 1;

export interface PublicIdentity {
  /** Ed25519 public key. */
  readonly signingKey: Uint8Array;
  /** X25519 public key (IK in X3DH). */
  readonly dhKey: Uint8Array;
  /** Ed25519 signature over IDENTITY_BINDING_LABEL ‖ dhKey. */
  readonly binding: Uint8Array;
}

export interface IdentityKeyPair {
  readonly publicIdentity: PublicIdentity;
  /** Ed25519 secret seed. */
  readonly signingSecret: Uint8Array;
  /** X25519 secret scalar. */
  readonly dhSecret: Uint8Array;
}

/** JSON-safe form the app stores (secret: keep it in protected storage). */
export interface IdentityExport {
  readonly version: typeof IDENTITY_EXPORT_VERSION;
  readonly signingSecret: string;
  readonly dhSecret: string;
}

/** JSON-safe public form carried in handshake PDUs. */
export interface PublicIdentityJson {
  readonly signingKey: string;
  readonly dhKey: string;
  readonly binding: string;
}

export function generateIdentity(random: RandomBytes): IdentityKeyPair {
  return identityFromSecrets(random(CURVE25519_KEY_BYTES), random(CURVE25519_KEY_BYTES));
}

function identityFromSecrets(signingSecret: Uint8Array, dhSecret: Uint8Array): IdentityKeyPair {
  const signingKey = ed25519.getPublicKey(signingSecret);
  const dhKey = x25519.getPublicKey(dhSecret);
  const binding = ed25519.sign(concatBytes(IDENTITY_BINDING_LABEL, dhKey), signingSecret);
  return { publicIdentity: { signingKey, dhKey, binding }, signingSecret, dhSecret };
}

export function exportIdentity(identity: IdentityKeyPair): IdentityExport {
  return {
    version: IDENTITY_EXPORT_VERSION,
    signingSecret: toBase64(identity.signingSecret),
    dhSecret: toBase64(identity.dhSecret),
  };
}

/** Rebuilds an identity from its export; public keys are re-derived, never trusted from storage. */
export function importIdentity(data: unknown): IdentityKeyPair {
  if (typeof data !== 'object' || data === null)
    throw new CryptoError(CRYPTO_ERROR.malformed, 'identity export is not an object');
  const rec = data as Record<string, unknown>;
  if (rec.version !== IDENTITY_EXPORT_VERSION)
    throw new CryptoError(CRYPTO_ERROR.malformed, 'unsupported identity export version');
  return identityFromSecrets(
    fromBase64(rec.signingSecret, CURVE25519_KEY_BYTES),
    fromBase64(rec.dhSecret, CURVE25519_KEY_BYTES),
  );
}

/**
 * Checks a peer's public identity: sizes, a valid Ed25519 key, and the binding signature over the
 * X25519 key. Throws CRYPTO_MALFORMED or CRYPTO_BAD_SIGNATURE; must run before the identity is
 * used for anything (pinning, DH, fingerprints).
 */
export function verifyPublicIdentity(identity: PublicIdentity): void {
  if (
    identity.signingKey.length !== CURVE25519_KEY_BYTES ||
    identity.dhKey.length !== CURVE25519_KEY_BYTES ||
    identity.binding.length !== ED25519_SIGNATURE_BYTES
  ) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'public identity has wrong key sizes');
  }
  if (
    !verifyEd25519(identity.binding, concatBytes(IDENTITY_BINDING_LABEL, identity.dhKey), identity.signingKey)
  ) {
    throw new CryptoError(CRYPTO_ERROR.badSignature, 'identity binding signature does not verify');
  }
}

/** Strict RFC 8032 verification (not ZIP-215), returning false on any malformed input. */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** The identity key as pinned, fingerprinted and bound into X3DH's AD: type ‖ Ed25519 ‖ X25519. */
export function encodeIdentityKey(identity: PublicIdentity): Uint8Array {
  return concatBytes(Uint8Array.of(IDENTITY_KEY_TYPE), identity.signingKey, identity.dhKey);
}

export function publicIdentityToJson(identity: PublicIdentity): PublicIdentityJson {
  return {
    signingKey: toBase64(identity.signingKey),
    dhKey: toBase64(identity.dhKey),
    binding: toBase64(identity.binding),
  };
}

/** Parses and verifies (binding signature included) a peer's public identity from a PDU. */
export function publicIdentityFromJson(data: unknown): PublicIdentity {
  if (typeof data !== 'object' || data === null)
    throw new CryptoError(CRYPTO_ERROR.malformed, 'public identity is not an object');
  const rec = data as Record<string, unknown>;
  const identity: PublicIdentity = {
    signingKey: fromBase64(rec.signingKey, CURVE25519_KEY_BYTES),
    dhKey: fromBase64(rec.dhKey, CURVE25519_KEY_BYTES),
    binding: fromBase64(rec.binding, ED25519_SIGNATURE_BYTES),
  };
  verifyPublicIdentity(identity);
  return identity;
}
