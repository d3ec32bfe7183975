/**
 * The session lifecycle: one Session per contact, dialled or accepted, with crossing dials resolved
 * the same way on both sides, the link state the UI shows, and redials with backoff after a session
 * closed. What flows through a session (frames in and out) belongs to other modules, reached through
 * the deps.
 */
import {
  type DataConnection,
  isPeerError,
  PEER_ERROR,
  type Peer,
  Session,
  type SessionOptions,
} from '@enkrypted/peer';
import { describePeerError, shortId } from '../logic/display.js';
import type { Records } from './records.js';
import type { LinkInfo } from './state.js';

/** Redial backoff after a session closed: first retry soon, then no more than every 30 s. */
const REDIAL_MIN_MS = 1_000;
const REDIAL_MAX_MS = 30_000;

export interface Chat {
  session: Session;
  /** Receipts and hello may go out; set once the session reached Ready. */
  ready: boolean;
  flushing: boolean;
}

export interface SessionsDeps {
  records: Records;
  /** The Peer registered on the broker; undefined while offline. */
  peer(): Peer | undefined;
  /** Options for a new session (encryption mode, handshake hook). */
  options(): SessionOptions;
  /** Whether the P3 handshake authenticated this contact's identity. */
  isAuthenticated(id: string): boolean;
  /** An incoming fast-path channel of a file transfer (not a session). */
  acceptFastPath(conn: DataConnection, transferId: string): void;
  /** The session reached Ready (again): say hello, flush the queue. */
  onReady(id: string): void;
  onFrame(id: string, frame: string | Uint8Array): void;
  /** The session closed for good: transfers through it failed. */
  onClosed(id: string): void;
  notify(text: string, kind: 'info' | 'error'): void;
}

export class Sessions {
  readonly #d: SessionsDeps;
  readonly #chats = new Map<string, Chat>();
  readonly #redial = new Map<string, { timer: ReturnType<typeof setTimeout>; delay: number }>();

  constructor(deps: SessionsDeps) {
    this.#d = deps;
  }

  get #state() {
    return this.#d.records.state.value;
  }

  get(id: string): Chat | undefined {
    return this.#chats.get(id);
  }

  /** Every current chat, for broadcasts (a new display name). */
  entries(): IterableIterator<[string, Chat]> {
    return this.#chats.entries();
  }

  /** Dials a contact unless a session exists; safe to call repeatedly. */
  connect(id: string): void {
    const peer = this.#d.peer();
    if (!peer || this.#chats.has(id) || id in this.#state.keyChanged) return;
    this.#clearRedial(id);
    const session = Session.dial(peer, id, this.#d.options());
    this.#attach(id, session);
  }

  /** After registering on the broker: dials every contact this side is meant to dial. */
  dialAll(): void {
    for (const c of this.#state.contacts) if (this.#shouldAutoDial(c.id)) this.connect(c.id);
  }

  /** A connection the broker brought in: a fast-path channel, or a session (maybe a crossing dial). */
  onIncoming(conn: DataConnection): void {
    const meta = conn.metadata as { enkryptedFastPath?: unknown } | undefined;
    if (typeof meta?.enkryptedFastPath === 'string') {
      this.#d.acceptFastPath(conn, meta.enkryptedFastPath);
      return;
    }
    const id = conn.remoteId;
    if (id in this.#state.keyChanged) {
      void conn.close();
      return;
    }
    const existing = this.#chats.get(id);
    if (existing && existing.session.state !== 'Ready') {
      // Both sides dialled at once: the dial of the lower id wins, on both sides alike.
      const ownId = this.#state.profile?.peerId ?? '';
      if (existing.session.role === 'initiator' && ownId < id) {
        void conn.close();
        return;
      }
    }
    if (existing) {
      this.#chats.delete(id);
      void existing.session.close();
    }
    if (!this.#d.records.contact(id)) {
      const now = Date.now();
      void this.#d.records.putContact({ id, name: shortId(id), addedAt: now, unread: 0, lastActivity: now });
      this.#d.notify('A new contact connected to you.', 'info');
    }
    this.#clearRedial(id);
    this.#attach(id, Session.accept(conn, this.#d.options()));
  }

  /** Closes the session with a contact; `block` also forgets it here and stops redialling. */
  async close(id: string, block: boolean): Promise<void> {
    const chat = this.#chats.get(id);
    if (block) {
      this.#chats.delete(id);
      this.#clearRedial(id);
      const link = this.#state.links[id];
      if (link) this.#d.records.setLink(id, { ...link, state: undefined, identityChecked: false });
    }
    await chat?.session.close();
  }

  /** Closes every session and cancels every redial (going offline). */
  async closeAll(): Promise<void> {
    for (const r of this.#redial.values()) clearTimeout(r.timer);
    this.#redial.clear();
    const chats = [...this.#chats.values()];
    this.#chats.clear();
    await Promise.all(chats.map((c) => c.session.close()));
  }

  #attach(id: string, session: Session): void {
    const records = this.#d.records;
    const chat: Chat = { session, ready: false, flushing: false };
    this.#chats.set(id, chat);
    records.setLink(id, {
      state: session.state,
      encrypted: session.encrypted,
      everReady: false,
      identityChecked: false,
    });
    session.on('state', (state) => {
      if (this.#chats.get(id) !== chat) return;
      const link = this.#state.links[id];
      const everReady = (link?.everReady ?? false) || state === 'Ready';
      records.setLink(id, { ...(link ?? defaultLink(session)), state, everReady, error: undefined });
      if (state === 'Ready') {
        chat.ready = true;
        this.#clearRedial(id);
        // With the handshake, the peer's identity was authenticated and checked against its pin
        // before Ready; in debug mode, its hello (checked by Trust.onHello) has to arrive first.
        if (session.encrypted && this.#d.isAuthenticated(id)) {
          const current = this.#state.links[id];
          if (current) records.setLink(id, { ...current, identityChecked: true });
        }
        this.#d.onReady(id);
      } else {
        chat.ready = false;
      }
    });
    session.on('message', (frame) => {
      if (this.#chats.get(id) === chat) this.#d.onFrame(id, frame);
    });
    session.on('error', (err) => {
      if (this.#chats.get(id) === chat)
        this.#d.notify(`Dropped a frame from ${records.name(id)} (${err.code}).`, 'error');
    });
    session.ready().catch((err: unknown) => {
      if (this.#chats.get(id) !== chat) return;
      if (isPeerError(err, PEER_ERROR.encryptionRequired)) {
        const link = this.#state.links[id] ?? defaultLink(session);
        records.setLink(id, {
          ...link,
          error: 'End-to-end encryption is not available in this build, so nothing can be sent.',
        });
      }
    });
    session.on('close', (reason) => {
      if (this.#chats.get(id) !== chat) return;
      this.#chats.delete(id);
      const link = this.#state.links[id];
      records.setLink(id, {
        ...(link ?? defaultLink(session)),
        state: undefined,
        identityChecked: false,
        error: reason ? describePeerError(reason.code) : undefined,
      });
      this.#d.onClosed(id);
      this.#scheduleRedial(id);
    });
  }

  /** The lower id dials; the higher one dials only to deliver queued messages. */
  #shouldAutoDial(id: string): boolean {
    const ownId = this.#state.profile?.peerId ?? '';
    const queued = (this.#state.messages[id] ?? []).some(
      (m) => m.direction === 'out' && m.status === 'queued',
    );
    return ownId < id || queued;
  }

  #scheduleRedial(id: string): void {
    if (
      !this.#d.peer() ||
      id in this.#state.keyChanged ||
      !this.#d.records.contact(id) ||
      !this.#shouldAutoDial(id)
    )
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
}

function defaultLink(session: Session): LinkInfo {
  return { state: session.state, encrypted: session.encrypted, everReady: false, identityChecked: false };
}
