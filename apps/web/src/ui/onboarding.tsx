import { MAX_DISPLAY_NAME_CHARS } from '@enkrypted/chat';
import { useState } from 'preact/hooks';
import { DEFAULT_SETTINGS } from '../logic/settings.js';
import { errorText, useEngine } from './use-engine.js';

/** First run: creates the identity. The broker defaults to the server that delivered the page. */
export function Onboarding() {
  const engine = useEngine();
  const [name, setName] = useState('');
  const [broker, setBroker] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await engine.createProfile(name, { ...DEFAULT_SETTINGS, brokerUrl: broker.trim() });
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <main class="center-card" aria-labelledby="welcome-title">
      <h1 id="welcome-title">Welcome to Enkrypted</h1>
      <p>
        Private chat, browser to browser. Creating your identity makes a new key pair on this device; it never
        leaves it except in an encrypted backup you make.
      </p>
      <form onSubmit={submit}>
        <label for="onb-name">Display name (optional, shown to your contacts)</label>
        <input
          id="onb-name"
          maxLength={MAX_DISPLAY_NAME_CHARS}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          autofocus
        />
        <details>
          <summary>Advanced: broker</summary>
          <label for="onb-broker">Broker URL (empty: this server)</label>
          <input
            id="onb-broker"
            placeholder="https://broker.example"
            value={broker}
            onInput={(e) => setBroker(e.currentTarget.value)}
          />
        </details>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create my identity'}
        </button>
      </form>
    </main>
  );
}
