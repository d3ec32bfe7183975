/**
 * The crypto package's one error type. Codes are stable and documented in docs/protocol.md; messages
 * never contain key material or plaintext.
 */
export const CRYPTO_ERROR = {
  /** Authentication of a ciphertext failed at some layer (tampering, wrong key, truncation). */
  decryptFailed: 'CRYPTO_DECRYPT_FAILED',
  /** A message was seen before (replayed or duplicated). */
  replay: 'CRYPTO_REPLAY',
  /** A message is too far ahead of the receiving chain (skip bound exceeded). */
  tooFarAhead: 'CRYPTO_TOO_FAR_AHEAD',
  /** Input has the wrong shape or length for this layer. */
  malformed: 'CRYPTO_MALFORMED',
  /** A signature (prekey, transcript, identity) does not verify. */
  badSignature: 'CRYPTO_BAD_SIGNATURE',
  /** A layer or session was used before it was initialised. */
  notReady: 'CRYPTO_NOT_READY',
  /** A pinned contact presented a different identity key. */
  identityKeyChanged: 'CRYPTO_IDENTITY_KEY_CHANGED',
  /** Encryption refused (e.g. counter exhausted, key needs rotation). */
  encryptFailed: 'CRYPTO_ENCRYPT_FAILED',
  /** A `commit()` was called after the layer's state had already moved on (seals/opens not serialised). */
  staleCommit: 'CRYPTO_STALE_COMMIT',
} as const;
export type CryptoErrorCode = (typeof CRYPTO_ERROR)[keyof typeof CRYPTO_ERROR];

export class CryptoError extends Error {
  readonly code: CryptoErrorCode;
  constructor(code: CryptoErrorCode, message: string) {
    super(message);
    this.name = 'CryptoError';
    this.code = code;
  }
}

export function isCryptoError(err: unknown, code?: CryptoErrorCode): err is CryptoError {
  return err instanceof CryptoError && (code === undefined || err.code === code);
}
