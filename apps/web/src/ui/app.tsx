import { useState } from 'preact/hooks';
import { AddContact } from './add-contact.js';
import { ChatView } from './chat-view.js';
import { ContactList } from './contact-list.js';
import { LockScreen } from './lock-screen.js';
import { Onboarding } from './onboarding.js';
import { ProfilePanel } from './profile.js';
import { SafetyNumberPanel } from './safety-number.js';
import { SettingsPanel } from './settings-panel.js';
import { useAppState, useEngine } from './use-engine.js';

type View =
  | { kind: 'home' }
  | { kind: 'chat'; id: string }
  | { kind: 'safety'; id: string }
  | { kind: 'settings' }
  | { kind: 'me' }
  | { kind: 'add' };

const SIGNALING_TEXT = {
  idle: 'Offline',
  connecting: 'Connecting to broker…',
  open: 'Online',
  reconnecting: 'Broker unreachable, retrying…',
  closed: 'Offline',
} as const;

export function App() {
  const state = useAppState();
  switch (state.phase) {
    case 'loading':
      return <p class="center-card">Loading…</p>;
    case 'locked':
      return <LockScreen />;
    case 'onboarding':
      return <Onboarding />;
    case 'fatal':
      return (
        <main class="center-card" role="alert">
          <h1>Enkrypted cannot start</h1>
          <p>{state.fatal}</p>
        </main>
      );
    case 'ready':
      return <Shell />;
  }
}

function Shell() {
  const engine = useEngine();
  const state = useAppState();
  const [view, setView] = useState<View>({ kind: 'home' });
  const go = (v: View) => {
    setView(v);
    engine.openChat(v.kind === 'chat' ? v.id : undefined);
  };
  const contactId = view.kind === 'chat' || view.kind === 'safety' ? view.id : undefined;
  return (
    <div class="app">
      {state.notice && (
        <div
          class={`notice notice-${state.notice.kind}`}
          role={state.notice.kind === 'error' ? 'alert' : 'status'}
        >
          <span>{state.notice.text}</span>
          <button
            type="button"
            class="secondary small"
            onClick={() => engine.dismissNotice()}
            aria-label="Dismiss"
          >
            ✕
          </button>
        </div>
      )}
      <div class={`shell ${view.kind === 'home' ? 'show-list' : 'show-main'}`}>
        <aside class="sidebar" aria-label="Navigation">
          <header class="sidebar-header">
            <h1 class="brand">Enkrypted</h1>
            <span class={`net net-${state.signaling}`} role="status" data-testid="broker-state">
              {SIGNALING_TEXT[state.signaling]}
            </span>
          </header>
          {state.signalingError && <p class="error small pad">{state.signalingError}</p>}
          {state.settings.debugUnencrypted && (
            <p class="banner banner-danger" role="status">
              DEBUG MODE: chats are NOT end-to-end encrypted.
            </p>
          )}
          <nav class="row pad">
            <button type="button" onClick={() => go({ kind: 'add' })}>
              Add contact
            </button>
            <button type="button" class="secondary" onClick={() => go({ kind: 'me' })}>
              My id
            </button>
            <button type="button" class="secondary" onClick={() => go({ kind: 'settings' })}>
              Settings
            </button>
          </nav>
          <ContactList active={contactId} onOpen={(id) => go({ kind: 'chat', id })} />
        </aside>
        <main class="main">
          {view.kind !== 'chat' && view.kind !== 'home' && (
            <button type="button" class="back secondary small" onClick={() => go({ kind: 'home' })}>
              ← Contacts
            </button>
          )}
          {view.kind === 'home' && <ProfilePanel />}
          {view.kind === 'me' && <ProfilePanel />}
          {view.kind === 'add' && <AddContact onAdded={(id) => go({ kind: 'chat', id })} />}
          {view.kind === 'settings' && <SettingsPanel />}
          {view.kind === 'chat' && (
            <ChatView
              id={view.id}
              onSafety={() => go({ kind: 'safety', id: view.id })}
              onBack={() => go({ kind: 'home' })}
            />
          )}
          {view.kind === 'safety' && (
            <SafetyNumberPanel
              id={view.id}
              onBack={() => go({ kind: 'chat', id: view.id })}
              onRemoved={() => {
                go({ kind: 'home' });
                engine.notify('Contact removed.');
              }}
            />
          )}
        </main>
      </div>
    </div>
  );
}
