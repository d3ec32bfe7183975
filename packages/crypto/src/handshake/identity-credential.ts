/**
 * The MLS credential of a handshake carries the member's public identity: the encoded identity key
 * (type ‖ Ed25519 ‖ X25519) followed by the binding signature (Ed25519 over the X25519 key). The
 * Signal PDUs carry the two public keys only, so this is where each side learns the other's binding
 * and can verify and pin the identity (TOFU). The credential is a public statement: copying it gains
 * nothing, since every handshake ends with a signature by the identity key over the whole
 * transcript (channel binding).
 */
import { concatBytes } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import {
  CURVE25519_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  ENCODED_IDENTITY_KEY_BYTES,
  encodeIdentityKey,
  IDENTITY_KEY_TYPE,
  type PublicIdentity,
  verifyPublicIdentity,
} from '../identity/identity-keys.js';

export const IDENTITY_CREDENTIAL_BYTES = ENCODED_IDENTITY_KEY_BYTES + ED25519_SIGNATURE_BYTES;

export function identityCredential(identity: PublicIdentity): Uint8Array {
  return concatBytes(encodeIdentityKey(identity), identity.binding);
}

/** Parses and verifies (binding signature) a credential; throws CRYPTO_MALFORMED / CRYPTO_BAD_SIGNATURE. */
export function identityFromCredential(bytes: Uint8Array): PublicIdentity {
  if (bytes.length !== IDENTITY_CREDENTIAL_BYTES || bytes[0] !== IDENTITY_KEY_TYPE) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'MLS credential is not an identity credential');
  }
  const identity: PublicIdentity = {
    signingKey: bytes.slice(1, 1 + CURVE25519_KEY_BYTES),
    dhKey: bytes.slice(1 + CURVE25519_KEY_BYTES, ENCODED_IDENTITY_KEY_BYTES),
    binding: bytes.slice(ENCODED_IDENTITY_KEY_BYTES),
  };
  verifyPublicIdentity(identity);
  return identity;
}
