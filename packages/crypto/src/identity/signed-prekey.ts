/**
 * Signed prekeys (X3DH SPK): an X25519 key pair whose public half the identity's Ed25519 key signs.
 * X3DH signs Encode(SPK) with the identity key; we sign SIGNED_PREKEY_LABEL ‖ Encode(SPK) so the
 * Ed25519 key's other signatures (binding, transcripts) cannot be confused with a prekey signature.
 * In the P2P profile a responder SHOULD generate a fresh signed prekey per handshake, which makes
 * it as short-lived as an ephemeral key.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { concatBytes, fromBase64, isUint32, toBase64 } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import type { RandomBytes } from '../random.js';
import { SIGNED_PREKEY_LABEL } from './domains.js';
import {
  CURVE25519_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  IDENTITY_EXPORT_VERSION,
  type IdentityKeyPair,
  type PublicIdentity,
  verifyEd25519,
} from './identity-keys.js';

/** Type byte of X3DH's Encode(PK) for an X25519 key (libsignal's Curve25519 type constant). */
export const X25519_KEY_TYPE = 0x05;

export interface PublicSignedPrekey {
  /** Chosen by the owner (unsigned 32-bit) so a response can name the prekey it used. */
  readonly id: number;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
}

export interface SignedPrekey extends PublicSignedPrekey {
  readonly secretKey: Uint8Array;
}

export interface SignedPrekeyExport {
  readonly version: typeof IDENTITY_EXPORT_VERSION;
  readonly id: number;
  readonly secretKey: string;
  readonly signature: string;
}

/** X3DH Encode(PK) for an X25519 public key: type byte ‖ u-coordinate (little-endian, as produced). */
export function encodeX25519(publicKey: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(X25519_KEY_TYPE), publicKey);
}

function signedMessage(publicKey: Uint8Array): Uint8Array {
  return concatBytes(SIGNED_PREKEY_LABEL, encodeX25519(publicKey));
}

export function generateSignedPrekey(
  identity: IdentityKeyPair,
  id: number,
  random: RandomBytes,
): SignedPrekey {
  if (!isUint32(id))
    throw new CryptoError(CRYPTO_ERROR.malformed, 'signed prekey id must be an unsigned 32-bit integer');
  const secretKey = random(CURVE25519_KEY_BYTES);
  const publicKey = x25519.getPublicKey(secretKey);
  const signature = ed25519.sign(signedMessage(publicKey), identity.signingSecret);
  return { id, publicKey, signature, secretKey };
}

/** Throws CRYPTO_BAD_SIGNATURE unless `owner` signed this prekey. */
export function verifySignedPrekey(owner: PublicIdentity, prekey: PublicSignedPrekey): void {
  if (
    !isUint32(prekey.id) ||
    prekey.publicKey.length !== CURVE25519_KEY_BYTES ||
    prekey.signature.length !== ED25519_SIGNATURE_BYTES
  ) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'signed prekey has wrong sizes');
  }
  if (!verifyEd25519(prekey.signature, signedMessage(prekey.publicKey), owner.signingKey)) {
    throw new CryptoError(CRYPTO_ERROR.badSignature, 'signed prekey signature does not verify');
  }
}

export function publicSignedPrekey(prekey: SignedPrekey): PublicSignedPrekey {
  return { id: prekey.id, publicKey: prekey.publicKey, signature: prekey.signature };
}

export function exportSignedPrekey(prekey: SignedPrekey): SignedPrekeyExport {
  return {
    version: IDENTITY_EXPORT_VERSION,
    id: prekey.id,
    secretKey: toBase64(prekey.secretKey),
    signature: toBase64(prekey.signature),
  };
}

/** Rebuilds a stored signed prekey; its signature is re-verified against the owner's identity. */
export function importSignedPrekey(data: unknown, owner: IdentityKeyPair): SignedPrekey {
  if (typeof data !== 'object' || data === null)
    throw new CryptoError(CRYPTO_ERROR.malformed, 'signed prekey export is not an object');
  const rec = data as Record<string, unknown>;
  if (rec.version !== IDENTITY_EXPORT_VERSION || !isUint32(rec.id)) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'unsupported signed prekey export');
  }
  const secretKey = fromBase64(rec.secretKey, CURVE25519_KEY_BYTES);
  const prekey: SignedPrekey = {
    id: rec.id,
    secretKey,
    publicKey: x25519.getPublicKey(secretKey),
    signature: fromBase64(rec.signature, ED25519_SIGNATURE_BYTES),
  };
  verifySignedPrekey(owner.publicIdentity, prekey);
  return prekey;
}
