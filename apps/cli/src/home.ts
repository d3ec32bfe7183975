/**
 * The CLI's home folder: identity, TOFU pins and contacts as small JSON files, readable only by the
 * owner (folder 0700, files 0600). Existing files or folders that others can read are refused rather
 * than silently fixed: someone may already have copied the key.
 *
 * Writes go to a temporary file created with mode 0600 and are renamed over the target, so a crash
 * never leaves half a file and the secret is never briefly world-readable.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  exportIdentity,
  generateIdentity,
  type IdentityExport,
  type IdentityKeyPair,
  importIdentity,
  type PinRecord,
  type PinStorage,
  type PublicIdentityJson,
  webCryptoRandom,
} from '@enkrypted/crypto';
import { generatePeerId, generateToken } from '@enkrypted/peer';
import { CLI_ERROR, CliError } from './errors.js';

export const DEFAULT_HOME = join(homedir(), '.enkrypted');
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
/** Permission bits that must be clear: nothing for group or others. */
const FOREIGN_BITS = 0o077;
/** Largest home file we read: far above any real identity or contact list, bounds a corrupt file. */
const MAX_HOME_FILE_BYTES = 4 * 1024 * 1024;
const HOME_VERSION = 1;

export interface Profile {
  readonly peerId: string;
  /** The broker registration secret for our id (kept so a restart can reclaim it). */
  readonly token: string;
  readonly identity: IdentityKeyPair;
}

export interface ContactRecord {
  /** The identity the contact proved in its last handshake (for the safety number). */
  readonly identity: PublicIdentityJson;
  /** The display name it announced in its hello. */
  readonly name: string;
  readonly lastSeen: number;
}

interface ProfileFile {
  version: number;
  peerId: string;
  token: string;
  identity: IdentityExport;
}

export class Home {
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Creates the folder (0700) if missing; refuses one that group or others can access. */
  static async open(dir: string = DEFAULT_HOME): Promise<Home> {
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    const s = await stat(dir);
    if (!s.isDirectory()) throw new CliError(CLI_ERROR.homeInsecure, `${dir} is not a folder.`);
    if ((s.mode & FOREIGN_BITS) !== 0) {
      throw new CliError(
        CLI_ERROR.homeInsecure,
        `${dir} is accessible by other users (mode ${(s.mode & 0o777).toString(8)}); run chmod 700 on it.`,
      );
    }
    return new Home(dir);
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** The profile, created on first use. */
  async profile(): Promise<{ profile: Profile; created: boolean }> {
    const data = await this.#readJson<ProfileFile>('identity.json');
    if (data !== undefined) {
      if (
        data.version !== HOME_VERSION ||
        typeof data.peerId !== 'string' ||
        typeof data.token !== 'string' ||
        typeof data.identity !== 'object'
      ) {
        throw new CliError(
          CLI_ERROR.homeCorrupt,
          `${this.path('identity.json')} is not a valid identity file.`,
        );
      }
      let identity: IdentityKeyPair;
      try {
        identity = importIdentity(data.identity);
      } catch (err) {
        throw new CliError(CLI_ERROR.homeCorrupt, `${this.path('identity.json')} holds no valid identity.`, {
          cause: err,
        });
      }
      return { profile: { peerId: data.peerId, token: data.token, identity }, created: false };
    }
    const identity = generateIdentity(webCryptoRandom);
    const profile: Profile = { peerId: generatePeerId(), token: generateToken(), identity };
    await this.#writeJson('identity.json', {
      version: HOME_VERSION,
      peerId: profile.peerId,
      token: profile.token,
      identity: exportIdentity(identity),
    } satisfies ProfileFile);
    return { profile, created: true };
  }

  async contacts(): Promise<Record<string, ContactRecord>> {
    return (await this.#readJson<Record<string, ContactRecord>>('contacts.json')) ?? {};
  }

  async putContact(id: string, record: ContactRecord): Promise<void> {
    const all = await this.contacts();
    all[id] = record;
    await this.#writeJson('contacts.json', all);
  }

  /** TOFU pin storage for ContactPins, persisted in pins.json. */
  pinStorage(): PinStorage {
    const read = async () => (await this.#readJson<Record<string, PinRecord>>('pins.json')) ?? {};
    return {
      get: async (id) => (await read())[id],
      set: async (id, record) => {
        const all = await read();
        all[id] = record;
        await this.#writeJson('pins.json', all);
      },
      delete: async (id) => {
        const all = await read();
        delete all[id];
        await this.#writeJson('pins.json', all);
      },
    };
  }

  async #readJson<T>(name: string): Promise<T | undefined> {
    const file = this.path(name);
    let s: Awaited<ReturnType<typeof stat>>;
    try {
      s = await stat(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CliError(CLI_ERROR.homeInsecure, `Cannot read ${file}.`, { cause: err });
    }
    if (!s.isFile() || s.size > MAX_HOME_FILE_BYTES) {
      throw new CliError(CLI_ERROR.homeCorrupt, `${file} is not a regular file of a sane size.`);
    }
    if ((s.mode & FOREIGN_BITS) !== 0) {
      throw new CliError(
        CLI_ERROR.homeInsecure,
        `${file} is readable by other users (mode ${(s.mode & 0o777).toString(8)}); run chmod 600 on it.`,
      );
    }
    try {
      return JSON.parse(await readFile(file, 'utf8')) as T;
    } catch (err) {
      throw new CliError(CLI_ERROR.homeCorrupt, `${file} is not valid JSON.`, { cause: err });
    }
  }

  async #writeJson(name: string, value: unknown): Promise<void> {
    const target = this.path(name);
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(tmp, 'wx', FILE_MODE);
    try {
      await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await chmod(tmp, FILE_MODE); // the umask may have cleared bits, never added: this is exact
      await rename(tmp, target);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }
}
