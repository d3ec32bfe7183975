import { linkView } from '../logic/connection-label.js';
import { useAppState } from './use-engine.js';

export function ContactList({
  active,
  onOpen,
}: {
  active: string | undefined;
  onOpen: (id: string) => void;
}) {
  const state = useAppState();
  const contacts = [...state.contacts].sort((a, b) => b.lastActivity - a.lastActivity);
  if (contacts.length === 0) return <p class="muted pad">No contacts yet.</p>;
  return (
    <ul class="contacts" aria-label="Contacts">
      {contacts.map((c) => {
        const link = state.links[c.id];
        const view = linkView(link?.state, link?.encrypted ?? true, link?.everReady ?? false);
        return (
          <li key={c.id}>
            <button
              type="button"
              class={`contact ${active === c.id ? 'active' : ''}`}
              aria-current={active === c.id ? 'page' : undefined}
              onClick={() => onOpen(c.id)}
              data-contact={c.id}
            >
              <span class={`dot dot-${view.state}`} aria-hidden="true" />
              <span class="contact-name">{c.name}</span>
              {c.id in state.keyChanged && <span class="warn-tag">key changed</span>}
              {c.unread > 0 && (
                <span class="unread" data-testid="unread">
                  {c.unread}
                  <span class="visually-hidden"> unread</span>
                </span>
              )}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
