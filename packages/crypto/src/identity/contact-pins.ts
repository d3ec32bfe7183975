/**
 * Trust on first use: the first identity key a contact presents is pinned; any later different key
 * is refused with CRYPTO_IDENTITY_KEY_CHANGED until the user explicitly re-approves it (ideally after
 * comparing safety numbers). Storage is injected (the app persists pins, e.g. in IndexedDB); the
 * default is in memory.
 */
import { constantTimeEqual, fromBase64, toBase64 } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import {
  ENCODED_IDENTITY_KEY_BYTES,
  encodeIdentityKey,
  type PublicIdentity,
  verifyPublicIdentity,
} from './identity-keys.js';

/** One pinned contact, JSON-safe so any key-value store can hold it. */
export interface PinRecord {
  /** Base64 of the encoded identity key (type ‖ Ed25519 ‖ X25519). */
  readonly identityKey: string;
  /** Unix ms when this key was pinned or re-approved. */
  readonly pinnedAt: number;
  /** True once the user confirmed the safety number for this key out of band. */
  readonly verified: boolean;
}

export interface PinStorage {
  get(contactId: string): Promise<PinRecord | undefined>;
  set(contactId: string, record: PinRecord): Promise<void>;
  delete(contactId: string): Promise<void>;
}

export class MemoryPinStorage implements PinStorage {
  readonly #records = new Map<string, PinRecord>();
  async get(contactId: string): Promise<PinRecord | undefined> {
    return this.#records.get(contactId);
  }
  async set(contactId: string, record: PinRecord): Promise<void> {
    this.#records.set(contactId, record);
  }
  async delete(contactId: string): Promise<void> {
    this.#records.delete(contactId);
  }
}

/** Outcome of a successful check: first contact (now pinned) or a match with the pin. */
export type PinCheck =
  | { readonly status: 'pinned-first-use'; readonly record: PinRecord }
  | { readonly status: 'matches'; readonly record: PinRecord };

export interface ContactPinsOptions {
  readonly storage?: PinStorage;
  readonly now?: () => number;
}

export class ContactPins {
  readonly #storage: PinStorage;
  readonly #now: () => number;

  constructor(options: ContactPinsOptions = {}) {
    this.#storage = options.storage ?? new MemoryPinStorage();
    this.#now = options.now ?? Date.now;
  }

  /**
   * Checks `identity` for `contactId` (the app's stable handle for the contact, not a broker peer
   * id, which is only a routing address). Pins on first use. Throws CRYPTO_IDENTITY_KEY_CHANGED if a
   * different key is pinned: the caller MUST abort the session and show a blocking warning.
   */
  async check(contactId: string, identity: PublicIdentity): Promise<PinCheck> {
    verifyPublicIdentity(identity);
    const presented = encodeIdentityKey(identity);
    const existing = await this.#storage.get(contactId);
    if (existing === undefined) {
      const record: PinRecord = { identityKey: toBase64(presented), pinnedAt: this.#now(), verified: false };
      await this.#storage.set(contactId, record);
      return { status: 'pinned-first-use', record };
    }
    const pinned = fromBase64(existing.identityKey, ENCODED_IDENTITY_KEY_BYTES);
    if (!constantTimeEqual(pinned, presented)) {
      throw new CryptoError(
        CRYPTO_ERROR.identityKeyChanged,
        'this contact presented a different identity key than the one pinned; verify the safety number and re-approve',
      );
    }
    return { status: 'matches', record: existing };
  }

  /**
   * Explicitly accepts `identity` as the contact's key, replacing any pin (the user decided after a
   * key-change warning). `verified` records whether the user compared safety numbers.
   */
  async approve(contactId: string, identity: PublicIdentity, verified = false): Promise<PinRecord> {
    verifyPublicIdentity(identity);
    const record: PinRecord = {
      identityKey: toBase64(encodeIdentityKey(identity)),
      pinnedAt: this.#now(),
      verified,
    };
    await this.#storage.set(contactId, record);
    return record;
  }

  /** Marks the currently pinned key as verified out of band; refuses if `identity` is not the pin. */
  async markVerified(contactId: string, identity: PublicIdentity): Promise<PinRecord> {
    const { record } = await this.check(contactId, identity);
    const updated: PinRecord = { ...record, verified: true };
    await this.#storage.set(contactId, updated);
    return updated;
  }

  async get(contactId: string): Promise<PinRecord | undefined> {
    return this.#storage.get(contactId);
  }

  async forget(contactId: string): Promise<void> {
    await this.#storage.delete(contactId);
  }
}
