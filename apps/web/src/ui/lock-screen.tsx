import { useState } from 'preact/hooks';
import { errorText, useEngine } from './use-engine.js';

export function LockScreen() {
  const engine = useEngine();
  const [pass, setPass] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await engine.unlock(pass);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="center-card" aria-labelledby="lock-title">
      <h1 id="lock-title">Enkrypted is locked</h1>
      <p>Your identity, contacts and history are encrypted on this device.</p>
      <form onSubmit={submit}>
        <label for="unlock-pass">Passphrase</label>
        <input
          id="unlock-pass"
          type="password"
          autocomplete="current-password"
          value={pass}
          onInput={(e) => setPass(e.currentTarget.value)}
          autofocus
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || pass === ''}>
          {busy ? 'Unlocking…' : 'Unlock'}
        </button>
      </form>
    </main>
  );
}
