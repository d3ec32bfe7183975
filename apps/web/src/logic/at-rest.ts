/**
 * Encryption at rest (the spec lists it as unfinished; this finishes it for the web app).
 *
 * Key: PBKDF2-SHA-256 (WebCrypto) over the passphrase with a random 16-byte salt and
 * PBKDF2_ITERATIONS, giving a non-extractable AES-256-GCM key that never leaves WebCrypto.
 * Records: AES-256-GCM with a fresh random 96-bit IV each, and the record's slot ("store/key") as
 * associated data, so a record copied into another slot fails authentication instead of being
 * read as something else. A vault header keeps salt, iterations and a sealed check value, so a wrong
 * passphrase is told apart from corrupted data before any record is touched.
 *
 * Works the same in browsers and Node 20 (globalThis.crypto.subtle), which is how it is unit-tested.
 */
import { decodeBase64, encodeBase64 } from '@enkrypted/protocol';
import { WEB_ERROR, WebError } from './errors.js';
import {
  MAX_PBKDF2_ITERATIONS,
  MIN_PASSPHRASE_CHARS,
  MIN_PBKDF2_ITERATIONS,
  PBKDF2_ITERATIONS,
} from './limits.js';

export const VAULT_VERSION = 1;
const SALT_BYTES = 16;
/** 96-bit IVs: GCM's native size; random IVs are safe far beyond any chat history's record count. */
const IV_BYTES = 12;
const CHECK_SLOT = 'vault/check';
const CHECK_TEXT = 'enkrypted-vault-check-v1';

export interface VaultHeader {
  readonly v: typeof VAULT_VERSION;
  readonly kdf: 'PBKDF2-SHA-256';
  readonly iterations: number;
  readonly salt: string;
  readonly check: SealedRecord;
}

export interface SealedRecord {
  readonly iv: string;
  readonly ct: string;
}

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

/** WebCrypto wants ArrayBuffer-backed views; copying also detaches us from the caller's buffer. */
function buf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

export function checkPassphraseStrength(passphrase: string): void {
  if ([...passphrase].length < MIN_PASSPHRASE_CHARS) {
    throw new WebError(
      WEB_ERROR.weakPassphrase,
      `Use a passphrase of at least ${MIN_PASSPHRASE_CHARS} characters.`,
    );
  }
}

export async function deriveKey(
  passphrase: string,
  salt: Uint8Array,
  iterations: number,
): Promise<CryptoKey> {
  if (
    !Number.isSafeInteger(iterations) ||
    iterations < MIN_PBKDF2_ITERATIONS ||
    iterations > MAX_PBKDF2_ITERATIONS
  ) {
    throw new WebError(WEB_ERROR.malformedData, 'Key-derivation settings out of the accepted range.');
  }
  const base = await subtle().importKey('raw', utf8.encode(passphrase.normalize('NFC')), 'PBKDF2', false, [
    'deriveKey',
  ]);
  return subtle().deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: buf(salt), iterations },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

export async function sealBytes(key: CryptoKey, slot: string, plaintext: Uint8Array): Promise<SealedRecord> {
  const iv = randomBytes(IV_BYTES);
  const ct = await subtle().encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8.encode(slot) },
    key,
    buf(plaintext),
  );
  return { iv: encodeBase64(iv), ct: encodeBase64(new Uint8Array(ct)) };
}

/** Throws WEB_WRONG_PASSPHRASE on any authentication failure (wrong key, tampering, wrong slot). */
export async function openBytes(key: CryptoKey, slot: string, record: unknown): Promise<Uint8Array> {
  if (!isSealedRecord(record)) throw new WebError(WEB_ERROR.malformedData, 'Stored record is malformed.');
  let iv: Uint8Array;
  let ct: Uint8Array;
  try {
    iv = decodeBase64(record.iv);
    ct = decodeBase64(record.ct);
  } catch (err) {
    throw new WebError(WEB_ERROR.malformedData, 'Stored record is malformed.', { cause: err });
  }
  if (iv.length !== IV_BYTES) throw new WebError(WEB_ERROR.malformedData, 'Stored record is malformed.');
  try {
    const pt = await subtle().decrypt(
      { name: 'AES-GCM', iv: buf(iv), additionalData: utf8.encode(slot) },
      key,
      buf(ct),
    );
    return new Uint8Array(pt);
  } catch (err) {
    throw new WebError(WEB_ERROR.wrongPassphrase, 'Wrong passphrase, or the data was altered.', {
      cause: err,
    });
  }
}

export async function sealJson(key: CryptoKey, slot: string, value: unknown): Promise<SealedRecord> {
  return sealBytes(key, slot, utf8.encode(JSON.stringify(value)));
}

export async function openJson(key: CryptoKey, slot: string, record: unknown): Promise<unknown> {
  const bytes = await openBytes(key, slot, record);
  try {
    return JSON.parse(fromUtf8.decode(bytes));
  } catch (err) {
    throw new WebError(WEB_ERROR.malformedData, 'Stored record is not valid JSON.', { cause: err });
  }
}

/** A new vault: fresh salt, the current iteration count, and the sealed check value. */
export async function createVault(
  passphrase: string,
  iterations = PBKDF2_ITERATIONS,
): Promise<{ header: VaultHeader; key: CryptoKey }> {
  checkPassphraseStrength(passphrase);
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveKey(passphrase, salt, iterations);
  const check = await sealBytes(key, CHECK_SLOT, utf8.encode(CHECK_TEXT));
  return {
    header: { v: VAULT_VERSION, kdf: 'PBKDF2-SHA-256', iterations, salt: encodeBase64(salt), check },
    key,
  };
}

/** Unlocks a vault; WEB_WRONG_PASSPHRASE when the check value does not open. */
export async function unlockVault(header: unknown, passphrase: string): Promise<CryptoKey> {
  const h = parseVaultHeader(header);
  let salt: Uint8Array;
  try {
    salt = decodeBase64(h.salt);
  } catch (err) {
    throw new WebError(WEB_ERROR.malformedData, 'Vault header is malformed.', { cause: err });
  }
  if (salt.length !== SALT_BYTES) throw new WebError(WEB_ERROR.malformedData, 'Vault header is malformed.');
  const key = await deriveKey(passphrase, salt, h.iterations);
  const check = await openBytes(key, CHECK_SLOT, h.check);
  if (fromUtf8.decode(check) !== CHECK_TEXT) {
    throw new WebError(WEB_ERROR.wrongPassphrase, 'Wrong passphrase, or the data was altered.');
  }
  return key;
}

export function parseVaultHeader(value: unknown): VaultHeader {
  const h = value as Partial<VaultHeader> | null;
  if (
    typeof h !== 'object' ||
    h === null ||
    h.v !== VAULT_VERSION ||
    h.kdf !== 'PBKDF2-SHA-256' ||
    typeof h.iterations !== 'number' ||
    typeof h.salt !== 'string' ||
    !isSealedRecord(h.check)
  ) {
    throw new WebError(WEB_ERROR.malformedData, 'Vault header is malformed or of an unknown version.');
  }
  return h as VaultHeader;
}

export function isSealedRecord(value: unknown): value is SealedRecord {
  const r = value as Partial<SealedRecord> | null;
  return typeof r === 'object' && r !== null && typeof r.iv === 'string' && typeof r.ct === 'string';
}
