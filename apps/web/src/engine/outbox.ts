/**
 * Frames going out: the queue of text messages (sent in order once the session is Ready and the
 * contact's identity was checked), hello, receipts and typing, and the raw channels file transfers
 * use. Never writes to a session that is not Ready, except file chunks (the session queues those).
 */
import { type ControlFrame, encodeControl, nextStatus, TYPING_SEND_INTERVAL_MS } from '@enkrypted/chat';
import { type IdentityKeyPair, publicIdentityToJson } from '@enkrypted/crypto';
import type { DataConnection, Peer } from '@enkrypted/peer';
import { WEB_ERROR, WebError } from '../logic/errors.js';
import type { Records } from './records.js';
import type { Sessions } from './sessions.js';

export interface OutboxDeps {
  records: Records;
  sessions: Sessions;
  peer(): Peer | undefined;
  identity(): IdentityKeyPair | undefined;
}

export class Outbox {
  readonly #d: OutboxDeps;
  readonly #lastTypingSent = new Map<string, number>();

  constructor(deps: OutboxDeps) {
    this.#d = deps;
  }

  get #state() {
    return this.#d.records.state.value;
  }

  /** Sends a control frame if the session is Ready (the session refuses otherwise). */
  async sendControl(id: string, frame: ControlFrame): Promise<void> {
    const chat = this.#d.sessions.get(id);
    if (!chat?.ready) throw new WebError(WEB_ERROR.notEncrypted, 'Not connected.');
    await chat.session.send(encodeControl(frame));
  }

  async sendRaw(id: string, bytes: Uint8Array): Promise<void> {
    const chat = this.#d.sessions.get(id);
    if (!chat) throw new WebError(WEB_ERROR.transferFailed, 'Not connected.');
    await chat.session.send(bytes);
  }

  async openFastPath(id: string, transferId: string): Promise<DataConnection> {
    const peer = this.#d.peer();
    if (!peer) throw new WebError(WEB_ERROR.transferFailed, 'Not connected.');
    return peer.connect(id, {
      label: `fast-${transferId}`,
      serialization: 'raw',
      metadata: { enkryptedFastPath: transferId },
    });
  }

  async sendHello(id: string): Promise<void> {
    const profile = this.#state.profile;
    const identity = this.#d.identity();
    if (!profile || !identity) return;
    await this.sendControl(id, {
      t: 'hello',
      name: profile.displayName,
      identity: publicIdentityToJson(identity.publicIdentity),
    }).catch(() => undefined);
  }

  async sendReceipt(id: string, kind: 'delivered' | 'read', ids: string[]): Promise<void> {
    const s = this.#state.settings;
    if (kind === 'delivered' ? !s.sendDeliveryReceipts : !s.sendReadReceipts) return;
    await this.sendControl(id, { t: 'receipt', kind, ids }).catch(() => undefined);
  }

  /** Sends the queued text messages in order while the session stays Ready; safe to call often. */
  async flush(id: string): Promise<void> {
    const chat = this.#d.sessions.get(id);
    if (!chat?.ready || chat.flushing) return;
    if (!this.#state.links[id]?.identityChecked) return;
    chat.flushing = true;
    try {
      for (;;) {
        const next = (this.#state.messages[id] ?? []).find(
          (m) => m.direction === 'out' && m.status === 'queued' && !m.file,
        );
        if (!next || this.#d.sessions.get(id) !== chat || !chat.ready) return;
        try {
          await chat.session.send(
            encodeControl({ t: 'msg', id: next.id, text: next.text, sentAt: next.sentAt }),
          );
        } catch {
          return; // stays queued; the next Ready flushes it again
        }
        const current = (this.#state.messages[id] ?? []).find((m) => m.id === next.id);
        if (current?.status)
          await this.#d.records.saveMessage({ ...current, status: nextStatus(current.status, 'SENT') });
      }
    } finally {
      chat.flushing = false;
    }
  }

  /** A message was just queued: the next keystroke may announce typing again at once. */
  resetTyping(id: string): void {
    this.#lastTypingSent.delete(id);
  }

  /** Called on input: sends "typing" at most every TYPING_SEND_INTERVAL_MS, if enabled. */
  typing(id: string, on: boolean): void {
    if (!this.#state.settings.sendTyping || !this.#d.sessions.get(id)?.ready) return;
    const last = this.#lastTypingSent.get(id) ?? 0;
    const now = Date.now();
    if (on && now - last < TYPING_SEND_INTERVAL_MS) return;
    if (!on && last === 0) return;
    this.#lastTypingSent.set(id, on ? now : 0);
    void this.sendControl(id, { t: 'typing', on }).catch(() => undefined);
  }
}
