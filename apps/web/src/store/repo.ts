/**
 * Persistence in IndexedDB (through idb): profile, settings, contacts, pins, history and received
 * files. Each record is stored either plain (`{ p: value }`) or, once the user set a passphrase,
 * sealed (`{ s: SealedRecord }`) under the vault key with its slot ("store/key") as associated data.
 * Record keys are random ids or peer ids; everything else is inside the sealed value.
 *
 * Everything is loaded into memory after unlock (a chat history fits), so no index on plaintext
 * fields is needed and nothing but keys is readable without the passphrase.
 */
import type { PinRecord, PinStorage } from '@enkrypted/crypto';
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import {
  createVault,
  openBytes,
  openJson,
  parseVaultHeader,
  type SealedRecord,
  sealBytes,
  sealJson,
  unlockVault,
  type VaultHeader,
} from '../logic/at-rest.js';
import type { BackupData, ChatMessage, Contact, Profile } from '../logic/model.js';
import { normaliseSettings, type Settings } from '../logic/settings.js';

export const DB_NAME = 'enkrypted';
const DB_VERSION = 1;
const RECORD_STORES = ['meta', 'contacts', 'messages', 'pins', 'files'] as const;
type RecordStore = (typeof RECORD_STORES)[number];

type Stored = { p: unknown } | { s: SealedRecord };
type StoredBytes = { pb: Uint8Array } | { s: SealedRecord };

interface Schema extends DBSchema {
  vault: { key: 'header'; value: VaultHeader };
  meta: { key: string; value: Stored };
  contacts: { key: string; value: Stored };
  messages: { key: string; value: Stored };
  pins: { key: string; value: Stored };
  files: { key: string; value: StoredBytes };
}

export interface LoadedData {
  profile: Profile | undefined;
  settings: Settings;
  contacts: Contact[];
  messages: ChatMessage[];
  pins: Record<string, PinRecord>;
}

export class Repo {
  readonly #db: IDBPDatabase<Schema>;
  #key: CryptoKey | undefined;
  #header: VaultHeader | undefined;
  /** Set while setPassphrase re-writes everything; other writes wait for it. */
  #migration: Promise<void> = Promise.resolve();

  private constructor(db: IDBPDatabase<Schema>, header: VaultHeader | undefined) {
    this.#db = db;
    this.#header = header;
  }

  static async open(name = DB_NAME): Promise<Repo> {
    const db = await openDB<Schema>(name, DB_VERSION, {
      upgrade(db) {
        db.createObjectStore('vault');
        for (const s of RECORD_STORES) db.createObjectStore(s);
      },
    });
    const header = await db.get('vault', 'header');
    return new Repo(db, header === undefined ? undefined : parseVaultHeader(header));
  }

  /** A passphrase protects the data. */
  get protected(): boolean {
    return this.#header !== undefined;
  }

  /** Protected and not unlocked yet: nothing can be read. */
  get locked(): boolean {
    return this.#header !== undefined && this.#key === undefined;
  }

  /** WEB_WRONG_PASSPHRASE on a wrong passphrase; the repo stays locked. */
  async unlock(passphrase: string): Promise<void> {
    if (!this.#header) return;
    this.#key = await unlockVault(this.#header, passphrase);
  }

  /** Forgets the key (the lock button); the data stays sealed on disk. */
  lock(): void {
    if (this.#header) this.#key = undefined;
  }

  /**
   * Sets, changes or (with null) removes the passphrase, re-writing every record under the new
   * protection in one transaction, so a crash leaves either the old or the new state.
   */
  async setPassphrase(passphrase: string | null): Promise<void> {
    if (this.locked) throw new Error('unlock first');
    // Writes that arrive meanwhile (a message, a receipt) wait for the new protection, so none is
    // overwritten by the snapshot below or left under the old protection.
    let done!: () => void;
    const previous = this.#migration;
    this.#migration = new Promise<void>((resolve) => {
      done = resolve;
    });
    try {
      await previous;
      await this.#reencrypt(passphrase);
    } finally {
      done();
    }
  }

  async #reencrypt(passphrase: string | null): Promise<void> {
    const next = passphrase === null ? undefined : await createVault(passphrase);
    const old = this.#key;
    // Read everything first: WebCrypto promises resolve outside an IndexedDB transaction's task.
    const rows: { store: RecordStore; key: string; value: unknown; bytes?: Uint8Array }[] = [];
    for (const store of RECORD_STORES) {
      const keys = (await this.#db.getAllKeys(store)) as string[];
      const values = await this.#db.getAll(store);
      for (const [i, key] of keys.entries()) {
        const v = values[i];
        if (store === 'files')
          rows.push({
            store,
            key,
            value: undefined,
            bytes: await decodeBytes(old, store, key, v as StoredBytes),
          });
        else rows.push({ store, key, value: await decodeValue(old, store, key, v as Stored) });
      }
    }
    const encoded: { store: RecordStore; key: string; value: Stored | StoredBytes }[] = [];
    for (const r of rows) {
      encoded.push({
        store: r.store,
        key: r.key,
        value: r.bytes
          ? await encodeBytes(next?.key, r.store, r.key, r.bytes)
          : await encodeValue(next?.key, r.store, r.key, r.value),
      });
    }
    const write = this.#db.transaction(['vault', ...RECORD_STORES], 'readwrite');
    for (const e of encoded) void write.objectStore(e.store).put(e.value as never, e.key);
    if (next) void write.objectStore('vault').put(next.header, 'header');
    else void write.objectStore('vault').delete('header');
    await write.done;
    this.#header = next?.header;
    this.#key = next?.key;
  }

  async loadAll(): Promise<LoadedData> {
    const profile = (await this.#get('meta', 'profile')) as Profile | undefined;
    const settings = normaliseSettings(await this.#get('meta', 'settings'));
    const contacts = (await this.#all('contacts')) as Contact[];
    const messages = (await this.#all('messages')) as ChatMessage[];
    const pins: Record<string, PinRecord> = {};
    for (const key of await this.#db.getAllKeys('pins'))
      pins[key] = (await this.#get('pins', key)) as PinRecord;
    messages.sort((a, b) => a.receivedAt - b.receivedAt);
    return { profile, settings, contacts, messages, pins };
  }

  putProfile(profile: Profile): Promise<void> {
    return this.#put('meta', 'profile', profile);
  }
  putSettings(settings: Settings): Promise<void> {
    return this.#put('meta', 'settings', settings);
  }
  putContact(contact: Contact): Promise<void> {
    return this.#put('contacts', contact.id, contact);
  }
  async deleteContact(id: string): Promise<void> {
    await this.#db.delete('contacts', id);
  }
  /**
   * Deletes a contact with everything stored about it, in one transaction: the contact record, its
   * key pin, the given messages (its history) and the files stored under their ids. Keys are plain
   * in every store, so this works the same whether records are sealed or not.
   */
  async removeContact(id: string, messageIds: readonly string[]): Promise<void> {
    await this.#migration;
    this.#assertOpen();
    const tx = this.#db.transaction(['contacts', 'pins', 'messages', 'files'], 'readwrite');
    const deletions = [tx.objectStore('contacts').delete(id), tx.objectStore('pins').delete(id)];
    for (const m of messageIds) {
      deletions.push(tx.objectStore('messages').delete(m), tx.objectStore('files').delete(m));
    }
    await Promise.all([...deletions, tx.done]);
  }
  putMessage(message: ChatMessage): Promise<void> {
    return this.#put('messages', message.id, message);
  }

  async putFile(id: string, bytes: Uint8Array): Promise<void> {
    await this.#migration;
    this.#assertOpen();
    await this.#db.put('files', await encodeBytes(this.#key, 'files', id, bytes), id);
  }
  async getFile(id: string): Promise<Uint8Array | undefined> {
    this.#assertOpen();
    const v = await this.#db.get('files', id);
    return v === undefined ? undefined : decodeBytes(this.#key, 'files', id, v);
  }

  /** Pins in IndexedDB, for the crypto package's ContactPins. */
  pinStorage(): PinStorage {
    return {
      get: async (id) => (await this.#get('pins', id)) as PinRecord | undefined,
      set: (id, record) => this.#put('pins', id, record),
      delete: async (id) => {
        await this.#db.delete('pins', id);
      },
    };
  }

  /** Replaces everything with a backup's content (keeps the current passphrase protection). */
  async replaceAll(data: BackupData): Promise<void> {
    this.#assertOpen();
    const tx = this.#db.transaction(RECORD_STORES, 'readwrite');
    await Promise.all(RECORD_STORES.map((s) => tx.objectStore(s).clear()));
    await tx.done;
    await this.putProfile(data.profile);
    await this.putSettings(data.settings);
    for (const c of data.contacts) await this.putContact(c);
    for (const m of data.messages) await this.putMessage(m);
    for (const [id, pin] of Object.entries(data.pins)) await this.#put('pins', id, pin);
  }

  /** Deletes the whole database (the "erase everything" action and tests). */
  async destroy(): Promise<void> {
    const name = this.#db.name;
    this.#db.close();
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.deleteDatabase(name);
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error);
    });
  }

  #assertOpen(): void {
    if (this.locked) throw new Error('the store is locked');
  }

  async #put(store: Exclude<RecordStore, 'files'>, key: string, value: unknown): Promise<void> {
    await this.#migration;
    this.#assertOpen();
    await this.#db.put(store, await encodeValue(this.#key, store, key, value), key);
  }

  async #get(store: Exclude<RecordStore, 'files'>, key: string): Promise<unknown> {
    this.#assertOpen();
    const v = await this.#db.get(store, key);
    return v === undefined ? undefined : decodeValue(this.#key, store, key, v);
  }

  async #all(store: Exclude<RecordStore, 'files'>): Promise<unknown[]> {
    this.#assertOpen();
    const keys = await this.#db.getAllKeys(store);
    const values = await this.#db.getAll(store);
    return Promise.all(values.map((v, i) => decodeValue(this.#key, store, keys[i] as string, v)));
  }
}

async function encodeValue(
  key: CryptoKey | undefined,
  store: string,
  id: string,
  value: unknown,
): Promise<Stored> {
  return key ? { s: await sealJson(key, `${store}/${id}`, value) } : { p: value };
}

async function decodeValue(
  key: CryptoKey | undefined,
  store: string,
  id: string,
  stored: Stored,
): Promise<unknown> {
  if ('p' in stored) return stored.p;
  if (!key) throw new Error('the store is locked');
  return openJson(key, `${store}/${id}`, stored.s);
}

async function encodeBytes(
  key: CryptoKey | undefined,
  store: string,
  id: string,
  bytes: Uint8Array,
): Promise<StoredBytes> {
  return key ? { s: await sealBytes(key, `${store}/${id}`, bytes) } : { pb: bytes };
}

async function decodeBytes(
  key: CryptoKey | undefined,
  store: string,
  id: string,
  stored: StoredBytes,
): Promise<Uint8Array> {
  if ('pb' in stored) return stored.pb;
  if (!key) throw new Error('the store is locked');
  return openBytes(key, `${store}/${id}`, stored.s);
}
