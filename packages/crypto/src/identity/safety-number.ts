/**
 * Signal-style safety numbers (libsignal's "numeric fingerprint", version 0 hashing) and a QR
 * payload for out-of-band verification of a contact's identity key.
 *
 * Per side: h = u16be(FINGERPRINT_HASH_VERSION) ‖ identityKey ‖ stableId, then FINGERPRINT_ITERATIONS
 * times h = SHA-512(h ‖ identityKey). The first 30 bytes of h, taken as six 5-byte big-endian
 * integers each reduced mod 100000, give six 5-digit groups: 30 digits per side. The displayed
 * 60-digit number is the two halves sorted (smaller first), so both parties see the same string.
 * `identityKey` is our encoded identity key (type ‖ Ed25519 ‖ X25519), so the number changes when
 * either half of either party's identity changes.
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, constantTimeEqual, u16be, utf8 } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import { encodeIdentityKey, type PublicIdentity, verifyPublicIdentity } from './identity-keys.js';

/** libsignal's figure: 5200 iterations give more than 112 bits of work against a second preimage. */
export const FINGERPRINT_ITERATIONS = 5200;
/** Version prefix of the hashed data (libsignal's numeric fingerprint version 0). */
export const FINGERPRINT_HASH_VERSION = 0;
/** Bytes of the iterated hash used per side: 6 groups × 5 bytes. */
const FINGERPRINT_BYTES_USED = 30;
const DIGITS_PER_SIDE = 30;
/** Bytes of each side's fingerprint carried in the QR payload (libsignal's scannable form uses 32). */
export const SCANNABLE_FINGERPRINT_BYTES = 32;
/** First byte of the QR payload; a scanner rejects any other version rather than guessing. */
export const QR_PAYLOAD_VERSION = 1;
export const QR_PAYLOAD_BYTES = 1 + 2 * SCANNABLE_FINGERPRINT_BYTES;
/** Upper bound on the stable id so a hostile caller cannot make fingerprinting allocate without bound. */
export const MAX_STABLE_ID_BYTES = 1024;

export interface FingerprintParty {
  readonly identity: PublicIdentity;
  /** A stable, app-chosen identifier of that party (e.g. the contact handle the user saved). */
  readonly stableId: string;
}

export interface SafetyNumber {
  /** 60 decimal digits, identical on both sides. */
  readonly digits: string;
  /** The same digits in 12 groups of 5, for display. */
  readonly display: string;
  readonly localFingerprint: Uint8Array;
  readonly remoteFingerprint: Uint8Array;
}

/** The iterated SHA-512 hash of one party (64 bytes). */
export function fingerprintHash(party: FingerprintParty): Uint8Array {
  const key = encodeIdentityKey(party.identity);
  const id = utf8(party.stableId);
  if (id.length > MAX_STABLE_ID_BYTES) throw new CryptoError(CRYPTO_ERROR.malformed, 'stable id too long');
  let h = concatBytes(u16be(FINGERPRINT_HASH_VERSION), key, id);
  for (let i = 0; i < FINGERPRINT_ITERATIONS; i++) h = sha512.create().update(h).update(key).digest();
  return h;
}

function digitsOf(hash: Uint8Array): string {
  let out = '';
  for (let off = 0; off < FINGERPRINT_BYTES_USED; off += 5) {
    // 5 bytes = 40 bits: exact in a double, so plain arithmetic is safe here.
    let v = 0;
    for (let j = 0; j < 5; j++) v = v * 256 + (hash[off + j] as number);
    out += String(v % 100000).padStart(5, '0');
  }
  return out;
}

/** Computes the shared safety number of `local` and `remote`; both identities are verified first. */
export function computeSafetyNumber(local: FingerprintParty, remote: FingerprintParty): SafetyNumber {
  verifyPublicIdentity(local.identity);
  verifyPublicIdentity(remote.identity);
  const localHash = fingerprintHash(local);
  const remoteHash = fingerprintHash(remote);
  const a = digitsOf(localHash);
  const b = digitsOf(remoteHash);
  const digits = a <= b ? a + b : b + a;
  if (a.length !== DIGITS_PER_SIDE || b.length !== DIGITS_PER_SIDE)
    throw new Error('unreachable: fingerprint digit count');
  return {
    digits,
    display: digits.replace(/(\d{5})(?=\d)/g, '$1 '),
    localFingerprint: localHash.slice(0, SCANNABLE_FINGERPRINT_BYTES),
    remoteFingerprint: remoteHash.slice(0, SCANNABLE_FINGERPRINT_BYTES),
  };
}

/** QR payload shown by the local party: version ‖ local fingerprint ‖ remote fingerprint. */
export function safetyNumberQrPayload(safetyNumber: SafetyNumber): Uint8Array {
  return concatBytes(
    Uint8Array.of(QR_PAYLOAD_VERSION),
    safetyNumber.localFingerprint,
    safetyNumber.remoteFingerprint,
  );
}

/**
 * Verifies a payload scanned from the other party's screen against our own safety number: their
 * "local" must be our "remote" and vice versa. Returns true on a match, false on a mismatch (the
 * keys differ: possible interception). Throws CRYPTO_MALFORMED on a payload of another version or
 * size, so "unreadable" is never mistaken for "does not match" or "matches".
 */
export function verifySafetyNumberQrPayload(safetyNumber: SafetyNumber, scanned: Uint8Array): boolean {
  if (scanned.length !== QR_PAYLOAD_BYTES || scanned[0] !== QR_PAYLOAD_VERSION) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'not a supported safety-number QR payload');
  }
  const theirLocal = scanned.subarray(1, 1 + SCANNABLE_FINGERPRINT_BYTES);
  const theirRemote = scanned.subarray(1 + SCANNABLE_FINGERPRINT_BYTES);
  // Both comparisons always run, so timing does not reveal which half differed.
  const a = constantTimeEqual(theirLocal, safetyNumber.remoteFingerprint);
  const b = constantTimeEqual(theirRemote, safetyNumber.localFingerprint);
  return a && b;
}
