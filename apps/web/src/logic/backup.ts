/**
 * Encrypted backup files: identity, contacts, pins, settings and history in one JSON document,
 * sealed under a passphrase with the same construction as the at-rest vault (PBKDF2-SHA-256 →
 * AES-256-GCM, slot-bound). The file reveals only that it is an Enkrypted backup and its KDF settings.
 */
import { importIdentity } from '@enkrypted/crypto';
import { isValidPeerId } from '@enkrypted/protocol';
import {
  createVault,
  openJson,
  type SealedRecord,
  sealJson,
  unlockVault,
  type VaultHeader,
} from './at-rest.js';
import { WEB_ERROR, WebError } from './errors.js';
import { MAX_BACKUP_BYTES, PBKDF2_ITERATIONS } from './limits.js';
import type { BackupData } from './model.js';
import { normaliseSettings } from './settings.js';

export const BACKUP_FORMAT = 'enkrypted-backup';
export const BACKUP_VERSION = 1;
const PAYLOAD_SLOT = 'backup/payload';

interface BackupFile {
  readonly format: typeof BACKUP_FORMAT;
  readonly v: typeof BACKUP_VERSION;
  readonly vault: VaultHeader;
  readonly payload: SealedRecord;
}

export async function exportBackup(
  data: BackupData,
  passphrase: string,
  iterations = PBKDF2_ITERATIONS,
): Promise<string> {
  const { header, key } = await createVault(passphrase, iterations);
  const payload = await sealJson(key, PAYLOAD_SLOT, data);
  const file: BackupFile = { format: BACKUP_FORMAT, v: BACKUP_VERSION, vault: header, payload };
  return JSON.stringify(file);
}

/** Opens a backup file; WEB_WRONG_PASSPHRASE or WEB_MALFORMED_DATA with a message for the user. */
export async function importBackup(text: string, passphrase: string): Promise<BackupData> {
  if (text.length > MAX_BACKUP_BYTES)
    throw new WebError(WEB_ERROR.tooLarge, 'That backup file is too large.');
  let file: Partial<BackupFile>;
  try {
    file = JSON.parse(text) as Partial<BackupFile>;
  } catch (err) {
    throw new WebError(WEB_ERROR.malformedData, 'That file is not an Enkrypted backup.', { cause: err });
  }
  if (typeof file !== 'object' || file === null || file.format !== BACKUP_FORMAT) {
    throw new WebError(WEB_ERROR.malformedData, 'That file is not an Enkrypted backup.');
  }
  if (file.v !== BACKUP_VERSION) {
    throw new WebError(WEB_ERROR.malformedData, 'That backup was made by an unsupported version.');
  }
  const key = await unlockVault(file.vault, passphrase);
  return validateBackupData(await openJson(key, PAYLOAD_SLOT, file.payload));
}

/** Checks the parts the app relies on; the identity is rebuilt from its secrets to prove it is whole. */
export function validateBackupData(value: unknown): BackupData {
  const d = value as Partial<BackupData> | null;
  const bad = () => new WebError(WEB_ERROR.malformedData, 'The backup content is incomplete or damaged.');
  if (typeof d !== 'object' || d === null || typeof d.profile !== 'object' || d.profile === null) throw bad();
  const p = d.profile;
  if (!isValidPeerId(p.peerId) || typeof p.token !== 'string' || typeof p.displayName !== 'string')
    throw bad();
  try {
    importIdentity(p.identity);
  } catch {
    throw bad();
  }
  if (!Array.isArray(d.contacts) || !Array.isArray(d.messages)) throw bad();
  if (typeof d.pins !== 'object' || d.pins === null) throw bad();
  for (const c of d.contacts) if (!isValidPeerId((c as { id?: unknown }).id)) throw bad();
  for (const m of d.messages) {
    const msg = m as { id?: unknown; contactId?: unknown };
    if (typeof msg.id !== 'string' || typeof msg.contactId !== 'string') throw bad();
  }
  return {
    profile: p,
    contacts: d.contacts,
    messages: d.messages,
    pins: d.pins,
    settings: normaliseSettings(d.settings),
  };
}
