/**
 * The chat engine: the façade the UI calls. It owns the profile, the broker registration and the
 * contacts, and wires the parts that do the rest: Sessions (one Session per contact, dials and
 * redials), Outbox (frames out), Inbound (frames in), Trust (identity keys), Transfers (files), all
 * writing through Records to the AppState the UI subscribes to and to IndexedDB. Nothing here touches
 * the DOM.
 */
import { MAX_TEXT_CHARS, randomId } from '@enkrypted/chat';
import {
  exportIdentity,
  generateIdentity,
  type IdentityKeyPair,
  importIdentity,
  type SafetyNumber,
  webCryptoRandom,
} from '@enkrypted/crypto';
import {
  generatePeerId,
  generateToken,
  isPeerError,
  PEER_ERROR,
  Peer,
  type PeerOptions,
  type SessionOptions,
} from '@enkrypted/peer';
import { exportBackup, importBackup } from '../logic/backup.js';
import { parseContactId } from '../logic/contact-id.js';
import { cleanName, describePeerError, shortId } from '../logic/display.js';
import { WEB_ERROR, WebError } from '../logic/errors.js';
import type { ChatMessage, Profile } from '../logic/model.js';
import { brokerAddress, type Settings } from '../logic/settings.js';
import type { Repo } from '../store/repo.js';
import { handshakeAvailable } from './handshake.js';
import { Inbound } from './inbound.js';
import { Outbox } from './outbox.js';
import { peerOptions, transportChanged } from './peer-options.js';
import { Records } from './records.js';
import { Sessions } from './sessions.js';
import { type AppState, INITIAL_STATE, Observable } from './state.js';
import { Transfers } from './transfers.js';
import { Trust } from './trust.js';

/** Retry period for the first broker registration (later drops are retried by the peer library). */
const BROKER_RETRY_MS = 3_000;
/** How long a notice stays on screen. */
export const NOTICE_MS = 6_000;

export class ChatEngine {
  readonly state = new Observable<AppState>(INITIAL_STATE);
  readonly #repo: Repo;
  readonly #pageUrl: string;
  readonly #records: Records;
  readonly #sessions: Sessions;
  readonly #outbox: Outbox;
  readonly #inbound: Inbound;
  readonly #transfers: Transfers;
  #identity: IdentityKeyPair | undefined;
  #trust: Trust | undefined;
  #peer: Peer | undefined;
  #brokerTimer: ReturnType<typeof setTimeout> | undefined;
  #generation = 0;

  constructor(repo: Repo, pageUrl: string) {
    this.#repo = repo;
    this.#pageUrl = pageUrl;
    const records = new Records(this.state, repo);
    this.#records = records;
    const notify = (text: string, kind: 'info' | 'error') => this.notify(text, kind);
    this.#sessions = new Sessions({
      records,
      peer: () => this.#peer,
      options: () => this.#sessionOptions(),
      isAuthenticated: (id) => this.#trust?.isAuthenticated(id) ?? false,
      acceptFastPath: (conn, transferId) => this.#transfers.acceptFastPath(conn, transferId),
      onReady: (id) => {
        void this.#outbox.sendHello(id);
        void this.#outbox.flush(id);
      },
      onFrame: (id, frame) => void this.#inbound.onFrame(id, frame),
      onClosed: (id) => this.#transfers.sessionClosed(id),
      notify,
    });
    this.#outbox = new Outbox({
      records,
      sessions: this.#sessions,
      peer: () => this.#peer,
      identity: () => this.#identity,
    });
    this.#transfers = new Transfers({
      repo,
      state: this.state,
      sendControl: (id, frame) => this.#outbox.sendControl(id, frame),
      sendChunkFrame: (id, bytes) => this.#outbox.sendRaw(id, bytes),
      openFastPath: (id, transferId) => this.#outbox.openFastPath(id, transferId),
      receipt: (id, msgId) => this.#outbox.sendReceipt(id, 'delivered', [msgId]),
      saveMessage: (m) => records.saveMessage(m),
      notify,
    });
    this.#inbound = new Inbound({
      records,
      outbox: this.#outbox,
      transfers: this.#transfers,
      onHello: async (id, identity, name) => this.#trust?.onHello(id, identity, name),
      notify,
    });
  }

  // ── Boot, lock, profile ───────────────────────────────────────────────────────────────────

  async boot(): Promise<void> {
    if (this.#repo.locked) {
      this.#records.patch({ phase: 'locked', protected: true });
      return;
    }
    await this.#load();
  }

  /** WEB_WRONG_PASSPHRASE leaves the lock screen up. */
  async unlock(passphrase: string): Promise<void> {
    await this.#repo.unlock(passphrase);
    await this.#load();
  }

  async lock(): Promise<void> {
    await this.#stopPeer();
    this.#repo.lock();
    this.#transfers.reset();
    this.state.set({ ...INITIAL_STATE, phase: 'locked', protected: true });
  }

  async #load(): Promise<void> {
    const data = await this.#repo.loadAll();
    const messages: Record<string, ChatMessage[]> = {};
    for (const m of data.messages) {
      const list = messages[m.contactId] ?? [];
      list.push(m);
      messages[m.contactId] = list;
    }
    this.#trust = this.#makeTrust();
    this.state.set({
      ...INITIAL_STATE,
      phase: data.profile ? 'ready' : 'onboarding',
      profile: data.profile,
      settings: data.settings,
      contacts: data.contacts,
      messages,
      pins: data.pins,
      protected: this.#repo.protected,
      handshakeAvailable: handshakeAvailable(),
    });
    if (data.profile) {
      this.#identity = importIdentity(data.profile.identity);
      await this.#startPeer();
    }
  }

  async createProfile(displayName: string, settings: Settings): Promise<void> {
    const identity = generateIdentity(webCryptoRandom);
    const profile: Profile = {
      peerId: generatePeerId(),
      token: generateToken(),
      displayName: cleanName(displayName),
      identity: exportIdentity(identity),
      createdAt: Date.now(),
    };
    brokerAddress(settings.brokerUrl, this.#pageUrl); // refuse an unusable URL before saving anything
    await this.#repo.putProfile(profile);
    await this.#repo.putSettings(settings);
    this.#identity = identity;
    this.#records.patch({ phase: 'ready', profile, settings });
    await this.#startPeer();
  }

  async setDisplayName(name: string): Promise<void> {
    const profile = this.state.value.profile;
    if (!profile) return;
    const next = { ...profile, displayName: cleanName(name) };
    await this.#repo.putProfile(next);
    this.#records.patch({ profile: next });
    for (const [id, chat] of this.#sessions.entries()) if (chat.ready) void this.#outbox.sendHello(id);
  }

  async saveSettings(settings: Settings): Promise<void> {
    brokerAddress(settings.brokerUrl, this.#pageUrl);
    const before = this.state.value.settings;
    await this.#repo.putSettings(settings);
    this.#records.patch({ settings });
    if (transportChanged(before, settings) && this.state.value.phase === 'ready') {
      await this.#stopPeer();
      await this.#startPeer();
    }
  }

  async setPassphrase(passphrase: string | null): Promise<void> {
    await this.#repo.setPassphrase(passphrase);
    this.#records.patch({ protected: this.#repo.protected });
  }

  async exportBackup(passphrase: string): Promise<string> {
    const s = this.state.value;
    if (!s.profile) throw new WebError(WEB_ERROR.malformedData, 'Nothing to back up yet.');
    const data = await this.#repo.loadAll();
    return exportBackup(
      {
        profile: s.profile,
        contacts: data.contacts,
        messages: data.messages,
        pins: data.pins,
        settings: data.settings,
      },
      passphrase,
    );
  }

  async importBackup(text: string, passphrase: string): Promise<void> {
    const data = await importBackup(text, passphrase);
    await this.#stopPeer();
    await this.#repo.replaceAll(data);
    this.#transfers.reset();
    await this.#load();
  }

  dismissNotice(): void {
    this.#records.patch({ notice: undefined });
  }

  notify(text: string, kind: 'info' | 'error' = 'info'): void {
    const at = Date.now();
    this.#records.patch({ notice: { text, kind, at } });
    setTimeout(() => {
      if (this.state.value.notice?.at === at) this.#records.patch({ notice: undefined });
    }, NOTICE_MS);
  }

  #makeTrust(): Trust {
    const records = this.#records;
    return new Trust({
      state: this.state,
      pinStorage: this.#repo.pinStorage(),
      peerConnection: (id) => this.#sessions.get(id)?.session.connection?.peerConnection,
      sessionEncrypted: (id) => this.#sessions.get(id)?.session.encrypted ?? false,
      closeSession: (id, block) => this.#sessions.close(id, block),
      connect: (id) => this.connect(id),
      identityChecked: (id) => {
        const link = this.state.value.links[id];
        if (link) records.setLink(id, { ...link, identityChecked: true });
      },
      announcedName: async (id, name) => {
        const c = records.contact(id);
        const clean = cleanName(name);
        if (c && clean && c.name === shortId(id)) await records.putContact({ ...c, name: clean });
      },
      notify: (text, kind) => this.notify(text, kind),
      name: (id) => records.name(id),
    });
  }

  // ── Broker ────────────────────────────────────────────────────────────────────────────────

  async #startPeer(): Promise<void> {
    const s = this.state.value;
    if (!s.profile) return;
    const generation = ++this.#generation;
    let options: PeerOptions;
    try {
      options = peerOptions(s.settings, this.#pageUrl, { id: s.profile.peerId, token: s.profile.token });
    } catch (err) {
      this.#records.patch({ signaling: 'closed', signalingError: (err as Error).message });
      return;
    }
    this.#records.patch({ signaling: 'connecting', signalingError: undefined });
    try {
      const peer = await Peer.open(options);
      if (generation !== this.#generation) {
        await peer.close();
        return;
      }
      this.#peer = peer;
      peer.on('signaling', (state) => this.#records.patch({ signaling: state }));
      peer.on('connection', (conn) => this.#sessions.onIncoming(conn));
      peer.on('error', (err) => {
        if (err.code === PEER_ERROR.peerUnavailable) return; // reported on the session that dialled
        this.#records.patch({ signalingError: describePeerError(err.code) });
      });
      this.#records.patch({ signaling: 'open', signalingError: undefined });
      this.#sessions.dialAll();
    } catch (err) {
      if (generation !== this.#generation) return;
      const code = isPeerError(err) ? err.code : undefined;
      this.#records.patch({ signaling: 'reconnecting', signalingError: describePeerError(code) });
      this.#brokerTimer = setTimeout(() => {
        if (generation === this.#generation) void this.#startPeer();
      }, BROKER_RETRY_MS);
    }
  }

  async #stopPeer(): Promise<void> {
    this.#generation++;
    clearTimeout(this.#brokerTimer);
    await this.#sessions.closeAll();
    await this.#peer?.close();
    this.#peer = undefined;
    this.#records.patch({ signaling: 'closed', links: {} });
  }

  #sessionOptions(): SessionOptions {
    const debug = this.state.value.settings.debugUnencrypted;
    const hook = this.#identity ? this.#trust?.hook(this.#identity) : undefined;
    return {
      encryption: debug ? 'disabled-for-debugging' : 'required',
      handshake: debug ? undefined : hook,
      onWarning: () => undefined, // the UI shows the unencrypted state on every screen instead
    };
  }

  // ── Contacts ──────────────────────────────────────────────────────────────────────────────

  /** Adds a contact from pasted or scanned text; throws WebError with a message for the user. */
  async addContact(input: string, name = ''): Promise<string> {
    const s = this.state.value;
    if (!s.profile) throw new WebError(WEB_ERROR.invalidPeerId, 'Create your identity first.');
    const id = parseContactId(input, s.profile.peerId);
    if (!s.contacts.some((c) => c.id === id)) {
      const now = Date.now();
      await this.#records.putContact({
        id,
        name: cleanName(name) || shortId(id),
        addedAt: now,
        unread: 0,
        lastActivity: now,
      });
    }
    this.connect(id);
    return id;
  }

  async renameContact(id: string, name: string): Promise<void> {
    const c = this.#records.contact(id);
    if (c) await this.#records.putContact({ ...c, name: cleanName(name) || c.name });
  }

  /**
   * Removes a contact: closes its session and stops redialling it, then deletes its history, its
   * files and its key pin, in memory and in IndexedDB. Adding it again starts trust on first use
   * anew (its key is pinned again at the next handshake, unverified).
   */
  async removeContact(id: string): Promise<void> {
    if (!this.#records.contact(id)) return;
    await this.#sessions.close(id, true);
    this.#transfers.forget(id);
    this.#trust?.forget(id);
    const messageIds = (this.state.value.messages[id] ?? []).map((m) => m.id);
    this.#records.dropContact(id);
    await this.#repo.removeContact(id, messageIds);
  }

  openChat(id: string | undefined): void {
    this.#records.patch({ activeContact: id });
    if (id) void this.markRead(id);
  }

  /** Marks incoming messages of the open chat read; sends read receipts when enabled. */
  async markRead(id: string): Promise<void> {
    const msgs = this.state.value.messages[id] ?? [];
    const unread = msgs.filter((m) => m.direction === 'in' && !m.read);
    for (const m of unread) await this.#records.saveMessage({ ...m, read: true });
    const c = this.#records.contact(id);
    if (c && c.unread !== 0) await this.#records.putContact({ ...c, unread: 0 });
    if (unread.length > 0 && this.state.value.settings.sendReadReceipts) {
      void this.#outbox.sendReceipt(
        id,
        'read',
        unread.map((m) => m.id),
      );
    }
  }

  /** Dials a contact unless a session exists; safe to call repeatedly. */
  connect(id: string): void {
    this.#sessions.connect(id);
  }

  // ── Trust ─────────────────────────────────────────────────────────────────────────────────

  /** After a key-change warning: accept the new key and reconnect. */
  acceptNewKey(id: string): Promise<void> {
    return this.#trust?.acceptNewKey(id) ?? Promise.resolve();
  }

  markVerified(id: string, verified: boolean): Promise<void> {
    return this.#trust?.markVerified(id, verified) ?? Promise.resolve();
  }

  /** The safety number with a contact, once it presented its identity; undefined before. */
  safetyNumber(id: string): SafetyNumber | undefined {
    const own = this.state.value.profile;
    if (!own || !this.#identity) return undefined;
    return this.#trust?.safetyNumber(id, this.#identity, own.peerId);
  }

  // ── Sending ───────────────────────────────────────────────────────────────────────────────

  /**
   * Queues a text message and sends it as soon as the session is Ready and the peer's identity was
   * checked. Throws WEB_NOT_ENCRYPTED when this build cannot encrypt and debug mode is off.
   */
  async sendText(id: string, text: string): Promise<void> {
    const trimmed = text.trim();
    if (trimmed === '') return;
    if ([...trimmed].length > MAX_TEXT_CHARS) {
      throw new WebError(WEB_ERROR.tooLarge, `Messages are limited to ${MAX_TEXT_CHARS} characters.`);
    }
    this.assertCanSend(id);
    const now = Date.now();
    await this.#records.saveMessage({
      id: randomId(),
      contactId: id,
      direction: 'out',
      text: trimmed,
      sentAt: now,
      receivedAt: now,
      status: 'queued',
    });
    this.#outbox.resetTyping(id);
    if (!this.#sessions.get(id)) this.connect(id);
    void this.#outbox.flush(id);
  }

  /** Throws WEB_NOT_ENCRYPTED (with the reason) or WEB_IDENTITY_KEY_CHANGED when sending is refused. */
  assertCanSend(id: string): void {
    const s = this.state.value;
    if (id in s.keyChanged) {
      throw new WebError(
        WEB_ERROR.identityKeyChanged,
        "This contact's identity key changed: review it first.",
      );
    }
    if (!s.settings.debugUnencrypted && !s.handshakeAvailable) {
      throw new WebError(
        WEB_ERROR.notEncrypted,
        'Sending is disabled: end-to-end encryption is not available in this build (debug mode would send unencrypted).',
      );
    }
  }

  /** Called on input: sends "typing" at most every TYPING_SEND_INTERVAL_MS, if enabled. */
  typing(id: string, on: boolean): void {
    this.#outbox.typing(id, on);
  }

  async sendFile(id: string, file: File, fastPath: boolean): Promise<void> {
    this.assertCanSend(id);
    const chat = this.#sessions.get(id);
    if (!chat?.ready || !this.state.value.links[id]?.identityChecked) {
      throw new WebError(WEB_ERROR.transferFailed, 'Files can be sent only while the chat is connected.');
    }
    await this.#transfers.send(id, file, fastPath);
  }

  cancelTransfer(transferId: string): void {
    this.#transfers.cancel(transferId);
  }

  fileUrl(transferId: string): Promise<string | undefined> {
    return this.#transfers.url(transferId);
  }

  async close(): Promise<void> {
    await this.#stopPeer();
  }
}
