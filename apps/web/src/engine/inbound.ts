/**
 * Frames coming in from a contact's session: decoded (a malformed frame is dropped with a notice),
 * then dispatched: hello to Trust, messages into the history (once, whatever the resends), receipts
 * to the status machine of our messages, typing to the indicator, file frames to Transfers.
 */
import { decodeFrame, nextStatus, type StatusEvent, TYPING_TTL_MS } from '@enkrypted/chat';
import type { PublicIdentityJson } from '@enkrypted/crypto';
import type { ChatMessage } from '../logic/model.js';
import type { Outbox } from './outbox.js';
import type { Records } from './records.js';
import type { Transfers } from './transfers.js';

export interface InboundDeps {
  records: Records;
  outbox: Outbox;
  transfers: Transfers;
  /** Checks the identity a hello announces (Trust.onHello). */
  onHello(id: string, identity: PublicIdentityJson, name: string): Promise<void>;
  notify(text: string, kind: 'info' | 'error'): void;
}

export class Inbound {
  readonly #d: InboundDeps;

  constructor(deps: InboundDeps) {
    this.#d = deps;
  }

  get #state() {
    return this.#d.records.state.value;
  }

  async onFrame(id: string, raw: string | Uint8Array): Promise<void> {
    let decoded: ReturnType<typeof decodeFrame>;
    try {
      decoded = decodeFrame(raw instanceof ArrayBuffer ? new Uint8Array(raw) : raw);
    } catch (err) {
      this.#d.notify(`${(err as Error).message} (from ${this.#d.records.name(id)}; dropped)`, 'error');
      return;
    }
    if (decoded.kind === 'chunk') {
      this.#d.transfers.onChunk(id, decoded.chunk, false);
      return;
    }
    const f = decoded.frame;
    switch (f.t) {
      case 'hello':
        await this.#d.onHello(id, f.identity, f.name);
        void this.#d.outbox.flush(id);
        return;
      case 'msg':
        await this.#onMessage(id, f.id, f.text, f.sentAt);
        return;
      case 'receipt':
        for (const msgId of f.ids)
          await this.#applyStatus(id, msgId, f.kind === 'read' ? 'READ' : 'DELIVERED');
        return;
      case 'typing':
        this.#d.records.patch({
          typing: { ...this.#state.typing, [id]: f.on ? Date.now() + TYPING_TTL_MS : 0 },
        });
        return;
      case 'file-offer':
        this.#d.transfers.onOffer(id, f);
        return;
      case 'file-cancel':
        this.#d.transfers.onCancel(id, f.id);
        return;
    }
  }

  async #onMessage(id: string, msgId: string, text: string, sentAt: number): Promise<void> {
    const { records, outbox } = this.#d;
    const known = (this.#state.messages[id] ?? []).some((m) => m.id === msgId);
    if (!known) {
      const active = this.#state.activeContact === id && isVisible();
      const msg: ChatMessage = {
        id: msgId,
        contactId: id,
        direction: 'in',
        text,
        sentAt,
        receivedAt: Date.now(),
        read: active,
      };
      await records.saveMessage(msg);
      const c = records.contact(id);
      if (c)
        await records.putContact({ ...c, unread: active ? 0 : c.unread + 1, lastActivity: msg.receivedAt });
      records.patch({ typing: { ...this.#state.typing, [id]: 0 } });
      void outbox.sendReceipt(id, 'delivered', [msgId]);
      if (active) void outbox.sendReceipt(id, 'read', [msgId]);
      return;
    }
    // A resend of something we have: the sender missed our receipt.
    void outbox.sendReceipt(id, 'delivered', [msgId]);
  }

  async #applyStatus(id: string, msgId: string, event: StatusEvent): Promise<void> {
    const m = (this.#state.messages[id] ?? []).find((x) => x.id === msgId && x.direction === 'out');
    if (!m?.status) return;
    const status = nextStatus(m.status, event);
    if (status !== m.status) await this.#d.records.saveMessage({ ...m, status });
  }
}

function isVisible(): boolean {
  return typeof document === 'undefined' || document.visibilityState === 'visible';
}
