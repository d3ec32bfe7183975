/** The app state the UI renders, and a minimal observable holding it. */
import type { PinRecord, PublicIdentityJson } from '@enkrypted/crypto';
import type { ConnectionState, SignalingState } from '@enkrypted/peer';
import type { ChatMessage, Contact, Profile } from '../logic/model.js';
import { DEFAULT_SETTINGS, type Settings } from '../logic/settings.js';

export interface LinkInfo {
  /** P7 state of the current session; undefined when there is none. */
  state: ConnectionState | undefined;
  /** The session runs the end-to-end handshake (false only in debug mode). */
  encrypted: boolean;
  everReady: boolean;
  /** The peer's hello arrived and its identity key matches the pin. */
  identityChecked: boolean;
  /** Why the last attempt failed, for the user. */
  error?: string;
}

export interface TransferView {
  id: string;
  contactId: string;
  direction: 'in' | 'out';
  name: string;
  size: number;
  mime: string;
  done: number;
  fastPath: boolean;
  state: 'transferring' | 'done' | 'cancelled' | 'failed';
  error?: string;
}

export interface AppState {
  phase: 'loading' | 'locked' | 'onboarding' | 'ready' | 'fatal';
  fatal?: string;
  profile?: Profile;
  settings: Settings;
  contacts: Contact[];
  messages: Record<string, ChatMessage[]>;
  links: Record<string, LinkInfo>;
  /** contactId → time until which "typing…" is shown. */
  typing: Record<string, number>;
  transfers: Record<string, TransferView>;
  /** Identity each contact presented in its hello (what the safety number is computed from). */
  remoteIdentities: Record<string, PublicIdentityJson>;
  pins: Record<string, PinRecord>;
  /**
   * Contacts whose identity key changed: chat blocked until the user decides. The new key when it
   * is known (debug-mode hello); null when the handshake refused it before revealing it to the app.
   */
  keyChanged: Record<string, PublicIdentityJson | null>;
  signaling: SignalingState;
  signalingError?: string;
  activeContact?: string;
  /** This build carries the P3 handshake (else only debug mode can chat). */
  handshakeAvailable: boolean;
  /** At-rest encryption is on. */
  protected: boolean;
  /** A transient notice for the user (errors of actions, dropped malformed frames). */
  notice?: { text: string; kind: 'info' | 'error'; at: number };
}

export const INITIAL_STATE: AppState = {
  phase: 'loading',
  settings: DEFAULT_SETTINGS,
  contacts: [],
  messages: {},
  links: {},
  typing: {},
  transfers: {},
  remoteIdentities: {},
  pins: {},
  keyChanged: {},
  signaling: 'idle',
  handshakeAvailable: false,
  protected: false,
};

export class Observable<T> {
  #value: T;
  readonly #listeners = new Set<(value: T) => void>();
  constructor(value: T) {
    this.#value = value;
  }
  get value(): T {
    return this.#value;
  }
  set(next: T): void {
    this.#value = next;
    for (const l of [...this.#listeners]) l(next);
  }
  update(fn: (value: T) => T): void {
    this.set(fn(this.#value));
  }
  subscribe(listener: (value: T) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
