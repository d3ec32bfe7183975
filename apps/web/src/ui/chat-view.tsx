import { MAX_TEXT_CHARS } from '@enkrypted/chat';
import { useEffect, useRef, useState } from 'preact/hooks';
import { linkView } from '../logic/connection-label.js';
import { LinkBadge } from './link-badge.js';
import { MessageItem } from './message-item.js';
import { errorText, useAppState, useEngine } from './use-engine.js';

export function ChatView({ id, onSafety, onBack }: { id: string; onSafety: () => void; onBack: () => void }) {
  const engine = useEngine();
  const state = useAppState();
  const contact = state.contacts.find((c) => c.id === id);
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const [fastPath, setFastPath] = useState(false);
  const [now, setNow] = useState(Date.now());
  const listRef = useRef<HTMLOListElement>(null);
  const messages = state.messages[id] ?? [];
  const link = state.links[id];
  const view = linkView(link?.state, link?.encrypted ?? true, link?.everReady ?? false);
  let blocked: string | undefined;
  try {
    engine.assertCanSend(id);
  } catch (err) {
    blocked = errorText(err);
  }
  const typingUntil = state.typing[id] ?? 0;

  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages.length, id]);
  useEffect(() => {
    void engine.markRead(id);
  }, [id, messages.length, engine]);
  useEffect(() => {
    if (typingUntil <= now) return;
    const t = setTimeout(() => setNow(Date.now()), typingUntil - now + 50);
    return () => clearTimeout(t);
  }, [typingUntil, now]);

  if (!contact) return <p class="pad">Unknown contact.</p>;

  const send = async () => {
    const draft = text;
    setError(undefined);
    // Clear at once, so text typed while the message is being stored is not wiped afterwards.
    setText('');
    try {
      await engine.sendText(id, draft);
      engine.typing(id, false);
    } catch (err) {
      setText((current) => (current === '' ? draft : current));
      setError(errorText(err));
    }
  };
  const onFile = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    setError(undefined);
    try {
      await engine.sendFile(id, file, fastPath);
      setFastPath(false);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const keyChanged = id in state.keyChanged;
  const typing = typingUntil > Date.now();
  const pin = state.pins[id];

  return (
    <section class="chat" aria-labelledby="chat-title">
      <header class="chat-header">
        <button type="button" class="back secondary small" onClick={onBack} aria-label="Back to contacts">
          ←
        </button>
        <div class="chat-title">
          <h2 id="chat-title">
            {contact.name}
            {pin?.verified && !keyChanged && (
              <span class="verified" title="Safety number verified" data-testid="verified">
                ✔ verified
              </span>
            )}
          </h2>
          <LinkBadge link={link} blocked={blocked && !keyChanged ? blocked : undefined} />
        </div>
        <button type="button" class="secondary small" onClick={onSafety}>
          Safety number
        </button>
        {!link?.state && !keyChanged && (
          <button type="button" class="small" onClick={() => engine.connect(id)}>
            Connect
          </button>
        )}
      </header>
      {(blocked || link?.error || (view.state === 'ready' && !view.encrypted)) && !keyChanged && (
        <p
          class={`banner ${view.state === 'ready' && !view.encrypted ? 'banner-danger' : 'banner-warn'}`}
          role="status"
        >
          {blocked ?? (view.state === 'ready' && !view.encrypted ? view.detail : link?.error)}
        </p>
      )}
      {keyChanged ? (
        <div class="blocking" role="alertdialog" aria-labelledby="kc-title" aria-describedby="kc-text">
          <h3 id="kc-title">⚠ {contact.name}'s identity key changed</h3>
          <p id="kc-text">
            This can mean they reinstalled, or that someone is intercepting the chat. The chat is blocked
            until you decide. If you accept the new key, compare the new safety number with them in person or
            by a trusted call before trusting the chat again.
          </p>
          <div class="row">
            <button type="button" class="secondary" onClick={onSafety}>
              Review safety number
            </button>
            <button type="button" class="danger" onClick={() => void engine.acceptNewKey(id)}>
              Accept the new key
            </button>
          </div>
        </div>
      ) : (
        <>
          <ol class="messages" ref={listRef} aria-label={`Messages with ${contact.name}`} aria-live="polite">
            {messages.map((m) => (
              <MessageItem key={m.id} m={m} transfer={state.transfers[m.id]} />
            ))}
          </ol>
          <p class="typing" aria-live="polite" data-testid="typing">
            {typing ? `${contact.name} is typing…` : ''}
          </p>
          <form
            class="composer"
            onSubmit={(e) => {
              e.preventDefault();
              void send();
            }}
          >
            <label for="composer-text" class="visually-hidden">
              Message
            </label>
            <textarea
              id="composer-text"
              rows={1}
              maxLength={MAX_TEXT_CHARS}
              value={text}
              disabled={!!blocked}
              placeholder={
                blocked
                  ? 'Sending disabled'
                  : view.state === 'ready'
                    ? 'Message'
                    : 'Message (sent when connected)'
              }
              onInput={(e) => {
                setText(e.currentTarget.value);
                engine.typing(id, e.currentTarget.value !== '');
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey) {
                  e.preventDefault();
                  void send();
                }
              }}
            />
            <button type="submit" disabled={!!blocked || text.trim() === ''}>
              Send
            </button>
          </form>
          <div class="attach row">
            <label class="button secondary small file-button">
              Send a file
              <input type="file" onChange={onFile} disabled={!!blocked} aria-label="Choose a file to send" />
            </label>
            <label class="check">
              <input
                type="checkbox"
                checked={fastPath}
                onChange={(e) => setFastPath(e.currentTarget.checked)}
              />
              Fast path (DTLS only)
            </label>
            {fastPath && (
              <span class="warn-inline" role="alert">
                ⚠ The next file skips end-to-end encryption: only the DTLS link protects it.
              </span>
            )}
          </div>
        </>
      )}
      {error && (
        <p class="error" role="alert" data-testid="chat-error">
          {error}
        </p>
      )}
    </section>
  );
}
