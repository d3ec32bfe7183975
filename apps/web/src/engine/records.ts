/**
 * The app's records in two places at once: the AppState the UI renders and the Repo in IndexedDB.
 * Every module of the engine writes contacts, messages and link states through here, so memory and
 * storage never disagree.
 */
import { shortId } from '../logic/display.js';
import type { ChatMessage, Contact } from '../logic/model.js';
import type { Repo } from '../store/repo.js';
import type { AppState, LinkInfo, Observable } from './state.js';

export class Records {
  readonly state: Observable<AppState>;
  readonly #repo: Repo;

  constructor(state: Observable<AppState>, repo: Repo) {
    this.state = state;
    this.#repo = repo;
  }

  patch(p: Partial<AppState>): void {
    this.state.set({ ...this.state.value, ...p });
  }

  /** Saves a message of a contact; one of a removed contact (a late write) is dropped. */
  async saveMessage(m: ChatMessage): Promise<void> {
    if (!this.contact(m.contactId)) return;
    const all = this.state.value.messages;
    const list = all[m.contactId] ?? [];
    const i = list.findIndex((x) => x.id === m.id);
    const next = i === -1 ? [...list, m] : list.map((x, j) => (j === i ? m : x));
    this.patch({ messages: { ...all, [m.contactId]: next } });
    await this.#repo.putMessage(m);
  }

  async putContact(c: Contact): Promise<void> {
    const list = this.state.value.contacts;
    const i = list.findIndex((x) => x.id === c.id);
    this.patch({ contacts: i === -1 ? [...list, c] : list.map((x, j) => (j === i ? c : x)) });
    await this.#repo.putContact(c);
  }

  /** Forgets a contact in memory: its record, history, link, typing, transfers and trust state. */
  dropContact(id: string): void {
    const s = this.state.value;
    const without = <T>(r: Record<string, T>) => {
      const next = { ...r };
      delete next[id];
      return next;
    };
    const transfers = Object.fromEntries(Object.entries(s.transfers).filter(([, t]) => t.contactId !== id));
    this.patch({
      contacts: s.contacts.filter((c) => c.id !== id),
      messages: without(s.messages),
      links: without(s.links),
      typing: without(s.typing),
      remoteIdentities: without(s.remoteIdentities),
      pins: without(s.pins),
      keyChanged: without(s.keyChanged),
      transfers,
      activeContact: s.activeContact === id ? undefined : s.activeContact,
    });
  }

  contact(id: string): Contact | undefined {
    return this.state.value.contacts.find((c) => c.id === id);
  }

  /** The contact's display name, or its short id when it is not (or no longer) a contact. */
  name(id: string): string {
    return this.contact(id)?.name ?? shortId(id);
  }

  setLink(id: string, link: LinkInfo): void {
    this.patch({ links: { ...this.state.value.links, [id]: link } });
  }
}
