/**
 * Trust in contacts' identity keys: TOFU pins (ContactPins over IndexedDB), the identities the P3
 * handshake authenticated, the hello check, key-change blocking, re-approval, verification marks
 * and safety numbers. Owns no session; asks the engine to close or redial through its deps.
 */
import {
  ContactPins,
  computeSafetyNumber,
  type IdentityKeyPair,
  isCryptoError,
  type PinStorage,
  type PublicIdentityJson,
  publicIdentityFromJson,
  publicIdentityToJson,
  type SafetyNumber,
} from '@enkrypted/crypto';
import type { HandshakeHook } from '@enkrypted/peer';
import { handshakeHook } from './handshake.js';
import type { AppState, Observable } from './state.js';

export interface TrustDeps {
  state: Observable<AppState>;
  pinStorage: PinStorage;
  /** The RTCPeerConnection of the current session with a contact (for channel binding). */
  peerConnection(id: string): RTCPeerConnection | undefined;
  /** Whether the current session with the contact runs the handshake. */
  sessionEncrypted(id: string): boolean;
  /** Closes the session; `block` also stops redialling (identity key changed). */
  closeSession(id: string, block: boolean): Promise<void>;
  connect(id: string): void;
  /** The contact's identity passed its check: the session may carry messages. */
  identityChecked(id: string): void;
  /** The peer announced its display name. */
  announcedName(id: string, name: string): Promise<void>;
  notify(text: string, kind: 'info' | 'error'): void;
  name(id: string): string;
}

export class Trust {
  readonly #d: TrustDeps;
  readonly #pins: ContactPins;
  /** Identities the P3 handshake authenticated, per contact (the hello must announce the same). */
  readonly #authenticated = new Map<string, PublicIdentityJson>();

  constructor(deps: TrustDeps) {
    this.#d = deps;
    this.#pins = new ContactPins({ storage: deps.pinStorage });
  }

  #patch(p: Partial<AppState>): void {
    this.#d.state.update((s) => ({ ...s, ...p }));
  }

  get #s(): AppState {
    return this.#d.state.value;
  }

  hook(identity: IdentityKeyPair): HandshakeHook | undefined {
    return handshakeHook({
      identity,
      pins: this.#pins,
      peerConnection: (id) => this.#d.peerConnection(id),
      onKeyChanged: (id) => {
        this.#patch({ keyChanged: { ...this.#s.keyChanged, [id]: null } });
      },
      onAuthenticated: (id, remote) => {
        const json = publicIdentityToJson(remote);
        this.#authenticated.set(id, json);
        this.#patch({ remoteIdentities: { ...this.#s.remoteIdentities, [id]: json } });
      },
    });
  }

  isAuthenticated(id: string): boolean {
    return this.#authenticated.has(id);
  }

  isBlocked(id: string): boolean {
    return id in this.#s.keyChanged;
  }

  /**
   * The peer's hello. With the handshake, its identity must be the authenticated one; in debug mode
   * it is checked against the pin here (first use pins it; another key blocks the chat).
   */
  async onHello(id: string, identityJson: PublicIdentityJson, name: string): Promise<void> {
    if (this.#d.sessionEncrypted(id)) {
      if (JSON.stringify(this.#authenticated.get(id)) !== JSON.stringify(identityJson)) {
        this.#d.notify(
          `${this.#d.name(id)} announced an identity other than the one the handshake proved.`,
          'error',
        );
        await this.#d.closeSession(id, false);
        return;
      }
    }
    try {
      const check = await this.#pins.check(id, publicIdentityFromJson(identityJson));
      this.#patch({
        remoteIdentities: { ...this.#s.remoteIdentities, [id]: identityJson },
        pins: { ...this.#s.pins, [id]: check.record },
      });
      this.#d.identityChecked(id);
      await this.#d.announcedName(id, name);
    } catch (err) {
      if (isCryptoError(err, 'CRYPTO_IDENTITY_KEY_CHANGED')) {
        // Blocking: close the chat and keep it closed until the user re-approves.
        this.#patch({
          keyChanged: { ...this.#s.keyChanged, [id]: identityJson },
          remoteIdentities: { ...this.#s.remoteIdentities, [id]: identityJson },
        });
        await this.#d.closeSession(id, true);
        return;
      }
      this.#d.notify(`${this.#d.name(id)} sent an invalid identity; the chat is not trusted.`, 'error');
      await this.#d.closeSession(id, false);
    }
  }

  /** After a key-change warning: accept the new key and reconnect. */
  async acceptNewKey(id: string): Promise<void> {
    if (!this.isBlocked(id)) return;
    const json = this.#s.keyChanged[id];
    const pins = { ...this.#s.pins };
    if (json) {
      pins[id] = await this.#pins.approve(id, publicIdentityFromJson(json), false);
    } else {
      // The handshake did not reveal the new key: forget the pin, so the next handshake pins the
      // key it authenticates (unverified, with a fresh safety number to compare).
      await this.#pins.forget(id);
      delete pins[id];
    }
    const keyChanged = { ...this.#s.keyChanged };
    delete keyChanged[id];
    this.#patch({ keyChanged, pins });
    this.#d.connect(id);
  }

  async markVerified(id: string, verified: boolean): Promise<void> {
    const json = this.#s.remoteIdentities[id];
    if (!json) return;
    const identity = publicIdentityFromJson(json);
    const record = verified
      ? await this.#pins.markVerified(id, identity)
      : await this.#pins.approve(id, identity, false);
    this.#patch({ pins: { ...this.#s.pins, [id]: record } });
  }

  /** The contact is being removed: forget the identity its handshake authenticated (the pin goes with its records). */
  forget(id: string): void {
    this.#authenticated.delete(id);
  }

  /** The safety number with a contact, once it presented its identity; undefined before. */
  safetyNumber(id: string, own: IdentityKeyPair, ownId: string): SafetyNumber | undefined {
    const json = this.#s.remoteIdentities[id];
    if (!json) return undefined;
    return computeSafetyNumber(
      { identity: own.publicIdentity, stableId: ownId },
      { identity: publicIdentityFromJson(json), stableId: id },
    );
  }
}
