/**
 * The chat engine: one Peer on the broker, one Session per contact, the app frames inside them,
 * persistence through the Repo, and the AppState the UI renders. UI components call its methods and
 * subscribe to `state`; nothing here touches the DOM except blob URLs for previews.
 */
import {
  type ControlFrame,
  decodeFrame,
  encodeControl,
  MAX_TEXT_CHARS,
  nextStatus,
  randomId,
  type StatusEvent,
  TYPING_SEND_INTERVAL_MS,
  TYPING_TTL_MS,
} from '@enkrypted/chat';
import {
  exportIdentity,
  generateIdentity,
  type IdentityKeyPair,
  importIdentity,
  publicIdentityToJson,
  type SafetyNumber,
  webCryptoRandom,
} from '@enkrypted/crypto';
import {
  type DataConnection,
  generatePeerId,
  generateToken,
  isPeerError,
  PEER_ERROR,
  Peer,
  type PeerOptions,
  Session,
  type SessionOptions,
} from '@enkrypted/peer';
import { exportBackup, importBackup } from '../logic/backup.js';
import { parseContactId } from '../logic/contact-id.js';
import { cleanName, describePeerError, shortId } from '../logic/display.js';
import { WEB_ERROR, WebError } from '../logic/errors.js';
import type { ChatMessage, Contact, Profile } from '../logic/model.js';
import { brokerAddress, type Settings } from '../logic/settings.js';
import type { Repo } from '../store/repo.js';
import { handshakeAvailable } from './handshake.js';
import { peerOptions, transportChanged } from './peer-options.js';
import { type AppState, INITIAL_STATE, type LinkInfo, Observable } from './state.js';
import { Transfers } from './transfers.js';
import { Trust } from './trust.js';

/** Redial backoff after a session closed: first retry soon, then no more than every 30 s. */
const REDIAL_MIN_MS = 1_000;
const REDIAL_MAX_MS = 30_000;
/** Retry period for the first broker registration (later drops are retried by the peer library). */
const BROKER_RETRY_MS = 3_000;
/** How long a notice stays on screen. */
export const NOTICE_MS = 6_000;

interface Chat {
  session: Session;
  /** Receipts and hello may go out; set once the session reached Ready. */
  ready: boolean;
  flushing: boolean;
}

export class ChatEngine {
  readonly state = new Observable<AppState>(INITIAL_STATE);
  readonly #repo: Repo;
  readonly #pageUrl: string;
  #identity: IdentityKeyPair | undefined;
  #trust: Trust | undefined;
  #peer: Peer | undefined;
  #chats = new Map<string, Chat>();
  #redial = new Map<string, { timer: ReturnType<typeof setTimeout>; delay: number }>();
  #brokerTimer: ReturnType<typeof setTimeout> | undefined;
  #lastTypingSent = new Map<string, number>();
  #transfers: Transfers;
  #generation = 0;

  constructor(repo: Repo, pageUrl: string) {
    this.#repo = repo;
    this.#pageUrl = pageUrl;
    this.#transfers = new Transfers({
      repo,
      state: this.state,
      sendControl: (id, frame) => this.#sendControl(id, frame),
      sendChunkFrame: (id, bytes) => this.#sendRaw(id, bytes),
      openFastPath: (id, transferId) => this.#openFastPath(id, transferId),
      receipt: (id, msgId) => this.#sendReceipt(id, 'delivered', [msgId]),
      saveMessage: (m) => this.#saveMessage(m),
      notify: (text, kind) => this.notify(text, kind),
    });
  }

  // ── Boot, lock, profile ───────────────────────────────────────────────────────────────────

  async boot(): Promise<void> {
    if (this.#repo.locked) {
      this.#patch({ phase: 'locked', protected: true });
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
    this.#patch({ phase: 'ready', profile, settings });
    await this.#startPeer();
  }

  async setDisplayName(name: string): Promise<void> {
    const profile = this.state.value.profile;
    if (!profile) return;
    const next = { ...profile, displayName: cleanName(name) };
    await this.#repo.putProfile(next);
    this.#patch({ profile: next });
    for (const [id, chat] of this.#chats) if (chat.ready) void this.#sendHello(id);
  }

  async saveSettings(settings: Settings): Promise<void> {
    brokerAddress(settings.brokerUrl, this.#pageUrl);
    const before = this.state.value.settings;
    await this.#repo.putSettings(settings);
    this.#patch({ settings });
    if (transportChanged(before, settings) && this.state.value.phase === 'ready') {
      await this.#stopPeer();
      await this.#startPeer();
    }
  }

  async setPassphrase(passphrase: string | null): Promise<void> {
    await this.#repo.setPassphrase(passphrase);
    this.#patch({ protected: this.#repo.protected });
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
    this.#patch({ notice: undefined });
  }

  notify(text: string, kind: 'info' | 'error' = 'info'): void {
    const at = Date.now();
    this.#patch({ notice: { text, kind, at } });
    setTimeout(() => {
      if (this.state.value.notice?.at === at) this.#patch({ notice: undefined });
    }, NOTICE_MS);
  }

  #makeTrust(): Trust {
    return new Trust({
      state: this.state,
      pinStorage: this.#repo.pinStorage(),
      peerConnection: (id) => this.#chats.get(id)?.session.connection?.peerConnection,
      sessionEncrypted: (id) => this.#chats.get(id)?.session.encrypted ?? false,
      closeSession: async (id, block) => {
        const chat = this.#chats.get(id);
        if (block) {
          this.#chats.delete(id);
          this.#clearRedial(id);
          const link = this.state.value.links[id];
          if (link) this.#setLink(id, { ...link, state: undefined, identityChecked: false });
        }
        await chat?.session.close();
      },
      connect: (id) => this.connect(id),
      identityChecked: (id) => {
        const link = this.state.value.links[id];
        if (link) this.#setLink(id, { ...link, identityChecked: true });
      },
      announcedName: async (id, name) => {
        const c = this.#contact(id);
        const clean = cleanName(name);
        if (c && clean && c.name === shortId(id)) await this.#putContact({ ...c, name: clean });
      },
      notify: (text, kind) => this.notify(text, kind),
      name: (id) => this.#name(id),
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
      this.#patch({ signaling: 'closed', signalingError: (err as Error).message });
      return;
    }
    this.#patch({ signaling: 'connecting', signalingError: undefined });
    try {
      const peer = await Peer.open(options);
      if (generation !== this.#generation) {
        await peer.close();
        return;
      }
      this.#peer = peer;
      peer.on('signaling', (state) => this.#patch({ signaling: state }));
      peer.on('connection', (conn) => this.#onIncoming(conn));
      peer.on('error', (err) => {
        if (err.code === PEER_ERROR.peerUnavailable) return; // reported on the session that dialled
        this.#patch({ signalingError: describePeerError(err.code) });
      });
      this.#patch({ signaling: 'open', signalingError: undefined });
      for (const c of this.state.value.contacts) if (this.#shouldAutoDial(c.id)) this.connect(c.id);
    } catch (err) {
      if (generation !== this.#generation) return;
      const code = isPeerError(err) ? err.code : undefined;
      this.#patch({ signaling: 'reconnecting', signalingError: describePeerError(code) });
      this.#brokerTimer = setTimeout(() => {
        if (generation === this.#generation) void this.#startPeer();
      }, BROKER_RETRY_MS);
    }
  }

  async #stopPeer(): Promise<void> {
    this.#generation++;
    clearTimeout(this.#brokerTimer);
    for (const r of this.#redial.values()) clearTimeout(r.timer);
    this.#redial.clear();
    const chats = [...this.#chats.values()];
    this.#chats.clear();
    await Promise.all(chats.map((c) => c.session.close()));
    await this.#peer?.close();
    this.#peer = undefined;
    this.#patch({ signaling: 'closed', links: {} });
  }

  // ── Contacts ──────────────────────────────────────────────────────────────────────────────

  /** Adds a contact from pasted or scanned text; throws WebError with a message for the user. */
  async addContact(input: string, name = ''): Promise<string> {
    const s = this.state.value;
    if (!s.profile) throw new WebError(WEB_ERROR.invalidPeerId, 'Create your identity first.');
    const id = parseContactId(input, s.profile.peerId);
    if (!s.contacts.some((c) => c.id === id)) {
      const now = Date.now();
      await this.#putContact({
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
    const c = this.#contact(id);
    if (c) await this.#putContact({ ...c, name: cleanName(name) || c.name });
  }

  openChat(id: string | undefined): void {
    this.#patch({ activeContact: id });
    if (id) void this.markRead(id);
  }

  /** Marks incoming messages of the open chat read; sends read receipts when enabled. */
  async markRead(id: string): Promise<void> {
    const msgs = this.state.value.messages[id] ?? [];
    const unread = msgs.filter((m) => m.direction === 'in' && !m.read);
    for (const m of unread) await this.#saveMessage({ ...m, read: true });
    const c = this.#contact(id);
    if (c && c.unread !== 0) await this.#putContact({ ...c, unread: 0 });
    if (unread.length > 0 && this.state.value.settings.sendReadReceipts) {
      void this.#sendReceipt(
        id,
        'read',
        unread.map((m) => m.id),
      );
    }
  }

  // ── Sessions ──────────────────────────────────────────────────────────────────────────────

  /** Dials a contact unless a session exists; safe to call repeatedly. */
  connect(id: string): void {
    const peer = this.#peer;
    if (!peer || this.#chats.has(id) || id in this.state.value.keyChanged) return;
    this.#clearRedial(id);
    const session = Session.dial(peer, id, this.#sessionOptions());
    this.#attach(id, session);
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

  #onIncoming(conn: DataConnection): void {
    const meta = conn.metadata as { enkryptedFastPath?: unknown } | undefined;
    if (typeof meta?.enkryptedFastPath === 'string') {
      this.#transfers.acceptFastPath(conn, meta.enkryptedFastPath);
      return;
    }
    const id = conn.remoteId;
    if (id in this.state.value.keyChanged) {
      void conn.close();
      return;
    }
    const existing = this.#chats.get(id);
    if (existing && existing.session.state !== 'Ready') {
      // Both sides dialled at once: the dial of the lower id wins, on both sides alike.
      const ownId = this.state.value.profile?.peerId ?? '';
      if (existing.session.role === 'initiator' && ownId < id) {
        void conn.close();
        return;
      }
    }
    if (existing) {
      this.#chats.delete(id);
      void existing.session.close();
    }
    if (!this.#contact(id)) {
      const now = Date.now();
      void this.#putContact({ id, name: shortId(id), addedAt: now, unread: 0, lastActivity: now });
      this.notify('A new contact connected to you.');
    }
    this.#clearRedial(id);
    this.#attach(id, Session.accept(conn, this.#sessionOptions()));
  }

  #attach(id: string, session: Session): void {
    const chat: Chat = { session, ready: false, flushing: false };
    this.#chats.set(id, chat);
    this.#setLink(id, {
      state: session.state,
      encrypted: session.encrypted,
      everReady: false,
      identityChecked: false,
    });
    session.on('state', (state) => {
      if (this.#chats.get(id) !== chat) return;
      const link = this.state.value.links[id];
      const everReady = (link?.everReady ?? false) || state === 'Ready';
      this.#setLink(id, { ...(link ?? defaultLink(session)), state, everReady, error: undefined });
      if (state === 'Ready') {
        chat.ready = true;
        this.#clearRedial(id);
        // With the handshake, the peer's identity was authenticated and checked against its pin
        // before Ready; in debug mode, its hello (checked in #onHello) has to arrive first.
        if (session.encrypted && this.#trust?.isAuthenticated(id)) {
          const current = this.state.value.links[id];
          if (current) this.#setLink(id, { ...current, identityChecked: true });
        }
        void this.#sendHello(id);
        void this.#flush(id);
      } else {
        chat.ready = false;
      }
    });
    session.on('message', (frame) => {
      if (this.#chats.get(id) === chat) void this.#onFrame(id, frame);
    });
    session.on('error', (err) => {
      if (this.#chats.get(id) === chat)
        this.notify(`Dropped a frame from ${this.#name(id)} (${err.code}).`, 'error');
    });
    session.ready().catch((err: unknown) => {
      if (this.#chats.get(id) !== chat) return;
      if (isPeerError(err, PEER_ERROR.encryptionRequired)) {
        const link = this.state.value.links[id] ?? defaultLink(session);
        this.#setLink(id, {
          ...link,
          error: 'End-to-end encryption is not available in this build, so nothing can be sent.',
        });
      }
    });
    session.on('close', (reason) => {
      if (this.#chats.get(id) !== chat) return;
      this.#chats.delete(id);
      const link = this.state.value.links[id];
      this.#setLink(id, {
        ...(link ?? defaultLink(session)),
        state: undefined,
        identityChecked: false,
        error: reason ? describePeerError(reason.code) : undefined,
      });
      this.#transfers.sessionClosed(id);
      this.#scheduleRedial(id);
    });
  }

  #shouldAutoDial(id: string): boolean {
    const ownId = this.state.value.profile?.peerId ?? '';
    const queued = (this.state.value.messages[id] ?? []).some(
      (m) => m.direction === 'out' && m.status === 'queued',
    );
    return ownId < id || queued;
  }

  #scheduleRedial(id: string): void {
    if (!this.#peer || id in this.state.value.keyChanged || !this.#contact(id) || !this.#shouldAutoDial(id))
      return;
    const prev = this.#redial.get(id);
    const delay = prev ? Math.min(prev.delay * 2, REDIAL_MAX_MS) : REDIAL_MIN_MS;
    if (prev) clearTimeout(prev.timer);
    const timer = setTimeout(() => this.connect(id), delay);
    this.#redial.set(id, { timer, delay });
  }

  #clearRedial(id: string): void {
    const r = this.#redial.get(id);
    if (r) clearTimeout(r.timer);
    this.#redial.delete(id);
  }

  #setLink(id: string, link: LinkInfo): void {
    this.#patch({ links: { ...this.state.value.links, [id]: link } });
  }

  // ── Frames ────────────────────────────────────────────────────────────────────────────────

  /** Sends a control frame if the session is Ready (the session refuses otherwise). */
  async #sendControl(id: string, frame: ControlFrame): Promise<void> {
    const chat = this.#chats.get(id);
    if (!chat?.ready) throw new WebError(WEB_ERROR.notEncrypted, 'Not connected.');
    await chat.session.send(encodeControl(frame));
  }

  async #sendRaw(id: string, bytes: Uint8Array): Promise<void> {
    const chat = this.#chats.get(id);
    if (!chat) throw new WebError(WEB_ERROR.transferFailed, 'Not connected.');
    await chat.session.send(bytes);
  }

  async #openFastPath(id: string, transferId: string): Promise<DataConnection> {
    if (!this.#peer) throw new WebError(WEB_ERROR.transferFailed, 'Not connected.');
    return this.#peer.connect(id, {
      label: `fast-${transferId}`,
      serialization: 'raw',
      metadata: { enkryptedFastPath: transferId },
    });
  }

  async #sendHello(id: string): Promise<void> {
    const s = this.state.value;
    if (!s.profile || !this.#identity) return;
    await this.#sendControl(id, {
      t: 'hello',
      name: s.profile.displayName,
      identity: publicIdentityToJson(this.#identity.publicIdentity),
    }).catch(() => undefined);
  }

  async #sendReceipt(id: string, kind: 'delivered' | 'read', ids: string[]): Promise<void> {
    const s = this.state.value.settings;
    if (kind === 'delivered' ? !s.sendDeliveryReceipts : !s.sendReadReceipts) return;
    await this.#sendControl(id, { t: 'receipt', kind, ids }).catch(() => undefined);
  }

  async #onFrame(id: string, raw: string | Uint8Array): Promise<void> {
    let decoded: ReturnType<typeof decodeFrame>;
    try {
      decoded = decodeFrame(raw instanceof ArrayBuffer ? new Uint8Array(raw) : raw);
    } catch (err) {
      this.notify(`${(err as Error).message} (from ${this.#name(id)}; dropped)`, 'error');
      return;
    }
    if (decoded.kind === 'chunk') {
      this.#transfers.onChunk(id, decoded.chunk, false);
      return;
    }
    const f = decoded.frame;
    switch (f.t) {
      case 'hello':
        await this.#trust?.onHello(id, f.identity, f.name);
        void this.#flush(id);
        return;
      case 'msg':
        await this.#onMessage(id, f.id, f.text, f.sentAt);
        return;
      case 'receipt':
        for (const msgId of f.ids)
          await this.#applyStatus(id, msgId, f.kind === 'read' ? 'READ' : 'DELIVERED');
        return;
      case 'typing':
        this.#patch({
          typing: { ...this.state.value.typing, [id]: f.on ? Date.now() + TYPING_TTL_MS : 0 },
        });
        return;
      case 'file-offer':
        this.#transfers.onOffer(id, f);
        return;
      case 'file-cancel':
        this.#transfers.onCancel(id, f.id);
        return;
    }
  }

  /** After a key-change warning: accept the new key and reconnect. */
  acceptNewKey(id: string): Promise<void> {
    return this.#trust?.acceptNewKey(id) ?? Promise.resolve();
  }

  markVerified(id: string, verified: boolean): Promise<void> {
    return this.#trust?.markVerified(id, verified) ?? Promise.resolve();
  }

  async #onMessage(id: string, msgId: string, text: string, sentAt: number): Promise<void> {
    const known = (this.state.value.messages[id] ?? []).some((m) => m.id === msgId);
    if (!known) {
      const active = this.state.value.activeContact === id && isVisible();
      const msg: ChatMessage = {
        id: msgId,
        contactId: id,
        direction: 'in',
        text,
        sentAt,
        receivedAt: Date.now(),
        read: active,
      };
      await this.#saveMessage(msg);
      const c = this.#contact(id);
      if (c)
        await this.#putContact({ ...c, unread: active ? 0 : c.unread + 1, lastActivity: msg.receivedAt });
      this.#patch({ typing: { ...this.state.value.typing, [id]: 0 } });
      void this.#sendReceipt(id, 'delivered', [msgId]);
      if (active) void this.#sendReceipt(id, 'read', [msgId]);
      return;
    }
    // A resend of something we have: the sender missed our receipt.
    void this.#sendReceipt(id, 'delivered', [msgId]);
  }

  async #applyStatus(id: string, msgId: string, event: StatusEvent): Promise<void> {
    const m = (this.state.value.messages[id] ?? []).find((x) => x.id === msgId && x.direction === 'out');
    if (!m?.status) return;
    const status = nextStatus(m.status, event);
    if (status !== m.status) await this.#saveMessage({ ...m, status });
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
    await this.#saveMessage({
      id: randomId(),
      contactId: id,
      direction: 'out',
      text: trimmed,
      sentAt: now,
      receivedAt: now,
      status: 'queued',
    });
    this.#lastTypingSent.delete(id);
    if (!this.#chats.has(id)) this.connect(id);
    void this.#flush(id);
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

  async #flush(id: string): Promise<void> {
    const chat = this.#chats.get(id);
    if (!chat?.ready || chat.flushing) return;
    if (!this.state.value.links[id]?.identityChecked) return;
    chat.flushing = true;
    try {
      for (;;) {
        const next = (this.state.value.messages[id] ?? []).find(
          (m) => m.direction === 'out' && m.status === 'queued' && !m.file,
        );
        if (!next || this.#chats.get(id) !== chat || !chat.ready) return;
        try {
          await chat.session.send(
            encodeControl({ t: 'msg', id: next.id, text: next.text, sentAt: next.sentAt }),
          );
        } catch {
          return; // stays queued; the next Ready flushes it again
        }
        const current = (this.state.value.messages[id] ?? []).find((m) => m.id === next.id);
        if (current?.status)
          await this.#saveMessage({ ...current, status: nextStatus(current.status, 'SENT') });
      }
    } finally {
      chat.flushing = false;
    }
  }

  /** Called on input: sends "typing" at most every TYPING_SEND_INTERVAL_MS, if enabled. */
  typing(id: string, on: boolean): void {
    if (!this.state.value.settings.sendTyping || !this.#chats.get(id)?.ready) return;
    const last = this.#lastTypingSent.get(id) ?? 0;
    const now = Date.now();
    if (on && now - last < TYPING_SEND_INTERVAL_MS) return;
    if (!on && last === 0) return;
    this.#lastTypingSent.set(id, on ? now : 0);
    void this.#sendControl(id, { t: 'typing', on }).catch(() => undefined);
  }

  async sendFile(id: string, file: File, fastPath: boolean): Promise<void> {
    this.assertCanSend(id);
    const chat = this.#chats.get(id);
    if (!chat?.ready || !this.state.value.links[id]?.identityChecked) {
      throw new WebError(WEB_ERROR.transferFailed, 'Files can be sent only while the chat is connected.');
    }
    await this.#transfers.send(id, file, fastPath);
  }

  /** The safety number with a contact, once it presented its identity; undefined before. */
  safetyNumber(id: string): SafetyNumber | undefined {
    const own = this.state.value.profile;
    if (!own || !this.#identity) return undefined;
    return this.#trust?.safetyNumber(id, this.#identity, own.peerId);
  }

  cancelTransfer(transferId: string): void {
    this.#transfers.cancel(transferId);
  }

  fileUrl(transferId: string): Promise<string | undefined> {
    return this.#transfers.url(transferId);
  }

  // ── Helpers ───────────────────────────────────────────────────────────────────────────────

  async #saveMessage(m: ChatMessage): Promise<void> {
    const all = this.state.value.messages;
    const list = all[m.contactId] ?? [];
    const i = list.findIndex((x) => x.id === m.id);
    const next = i === -1 ? [...list, m] : list.map((x, j) => (j === i ? m : x));
    this.#patch({ messages: { ...all, [m.contactId]: next } });
    await this.#repo.putMessage(m);
  }

  async #putContact(c: Contact): Promise<void> {
    const list = this.state.value.contacts;
    const i = list.findIndex((x) => x.id === c.id);
    this.#patch({ contacts: i === -1 ? [...list, c] : list.map((x, j) => (j === i ? c : x)) });
    await this.#repo.putContact(c);
  }

  #contact(id: string): Contact | undefined {
    return this.state.value.contacts.find((c) => c.id === id);
  }

  #name(id: string): string {
    return this.#contact(id)?.name ?? shortId(id);
  }

  #patch(p: Partial<AppState>): void {
    this.state.set({ ...this.state.value, ...p });
  }

  async close(): Promise<void> {
    await this.#stopPeer();
  }
}

function defaultLink(session: Session): LinkInfo {
  return { state: session.state, encrypted: session.encrypted, everReady: false, identityChecked: false };
}

function isVisible(): boolean {
  return typeof document === 'undefined' || document.visibilityState === 'visible';
}
