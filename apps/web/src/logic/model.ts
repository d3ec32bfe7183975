/** The app's stored records (JSON-safe, so the vault can seal them and backups can carry them). */

import type { MessageStatus } from '@enkrypted/chat';
import type { IdentityExport, PinRecord } from '@enkrypted/crypto';
import type { Settings } from './settings.js';

export interface Profile {
  readonly peerId: string;
  /** Broker token proving ownership of peerId across reloads (a secret, like the identity). */
  readonly token: string;
  readonly displayName: string;
  readonly identity: IdentityExport;
  readonly createdAt: number;
}

export interface Contact {
  /** The contact's peer id: also the stable handle for pins and safety numbers. */
  readonly id: string;
  /** Name the user gave, or the one the peer announced. */
  readonly name: string;
  readonly addedAt: number;
  readonly unread: number;
  readonly lastActivity: number;
}

export interface FileInfo {
  readonly transferId: string;
  readonly name: string;
  readonly size: number;
  readonly mime: string;
  /** SHA-256 of the whole file (hex), checked on arrival. */
  readonly sha256: string;
  /** True when this transfer bypassed the end-to-end layers (DTLS only, ch. 6.4.2). */
  readonly fastPath: boolean;
  /** 'done' once every byte arrived and the hash matched. */
  readonly state: 'offered' | 'transferring' | 'done' | 'cancelled' | 'failed';
}

export interface ChatMessage {
  /** 128 random bits, hex: also the receipt handle. */
  readonly id: string;
  readonly contactId: string;
  readonly direction: 'in' | 'out';
  readonly text: string;
  readonly file?: FileInfo;
  /** Sender's clock, ms (shown); `receivedAt` orders incoming messages locally. */
  readonly sentAt: number;
  readonly receivedAt: number;
  /** Outgoing only. */
  readonly status?: MessageStatus;
  /** Incoming only: whether we showed it (and sent a read receipt if enabled). */
  readonly read?: boolean;
}

export interface BackupData {
  readonly profile: Profile;
  readonly contacts: Contact[];
  readonly messages: ChatMessage[];
  readonly pins: Record<string, PinRecord>;
  readonly settings: Settings;
}
