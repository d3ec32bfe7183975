import { useState } from 'preact/hooks';
import { formatIceServers, parseIceServers, type Settings } from '../logic/settings.js';
import { errorText, useAppState, useEngine } from './use-engine.js';

export function SettingsPanel() {
  const engine = useEngine();
  const state = useAppState();
  const [s, setS] = useState<Settings>(state.settings);
  const [ice, setIce] = useState(formatIceServers(state.settings.iceServers));
  const [msg, setMsg] = useState<{ text: string; ok: boolean }>();
  const flag = (k: keyof Settings) => ({
    checked: s[k] as boolean,
    onChange: (e: Event) => setS({ ...s, [k]: (e.currentTarget as HTMLInputElement).checked }),
  });
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      await engine.saveSettings({ ...s, iceServers: parseIceServers(ice) });
      setMsg({ text: 'Settings saved.', ok: true });
    } catch (err) {
      setMsg({ text: errorText(err), ok: false });
    }
  };
  return (
    <section class="panel" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <form onSubmit={save}>
        <fieldset>
          <legend>Network</legend>
          <label for="set-broker">Broker URL (empty: the server this page came from)</label>
          <input
            id="set-broker"
            value={s.brokerUrl}
            placeholder="https://broker.example"
            onInput={(e) => setS({ ...s, brokerUrl: e.currentTarget.value })}
          />
          <label for="set-ice">
            STUN/TURN servers, one per line: "stun:host:port" or "turn:host:port user password"
          </label>
          <textarea
            id="set-ice"
            rows={3}
            value={ice}
            onInput={(e) => setIce(e.currentTarget.value)}
            spellcheck={false}
          />
          <label class="check">
            <input type="checkbox" {...flag('turnFromBroker')} /> TURN from the broker (short-lived
            credentials issued by your broker; its operator runs the relay)
          </label>
          <label class="check">
            <input type="checkbox" {...flag('relayOnly')} /> Relay only (hide my IP address from contacts;
            needs TURN)
          </label>
        </fieldset>
        <fieldset>
          <legend>Privacy</legend>
          <label class="check">
            <input type="checkbox" {...flag('sendDeliveryReceipts')} /> Send delivery receipts
          </label>
          <label class="check">
            <input type="checkbox" {...flag('sendReadReceipts')} /> Send read receipts
          </label>
          <label class="check">
            <input type="checkbox" {...flag('sendTyping')} /> Send typing indicator
          </label>
        </fieldset>
        <fieldset class="danger-zone">
          <legend>Debug</legend>
          <label class="check">
            <input type="checkbox" data-testid="debug-toggle" {...flag('debugUnencrypted')} />
            <span>
              <strong>DEBUG: chat WITHOUT end-to-end encryption.</strong> Only DTLS protects messages; anyone
              controlling the broker could read them. Never use for real conversations.
            </span>
          </label>
        </fieldset>
        <button type="submit">Save settings</button>
        {msg && (
          <p class={msg.ok ? 'ok' : 'error'} role="alert">
            {msg.text}
          </p>
        )}
      </form>
      <PassphraseForm />
      <BackupForm />
    </section>
  );
}

function PassphraseForm() {
  const engine = useEngine();
  const state = useAppState();
  const [pass, setPass] = useState('');
  const [again, setAgain] = useState('');
  const [msg, setMsg] = useState<{ text: string; ok: boolean }>();
  const [busy, setBusy] = useState(false);
  const run = async (next: string | null) => {
    if (next !== null && next !== again) {
      setMsg({ text: 'The two passphrases differ.', ok: false });
      return;
    }
    setBusy(true);
    try {
      await engine.setPassphrase(next);
      setPass('');
      setAgain('');
      setMsg({
        text: next === null ? 'Passphrase removed.' : 'Data on this device is now encrypted.',
        ok: true,
      });
    } catch (err) {
      setMsg({ text: errorText(err), ok: false });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="subpanel"
      onSubmit={(e) => {
        e.preventDefault();
        void run(pass);
      }}
    >
      <h3>Encryption on this device</h3>
      <p>
        {state.protected
          ? 'Your data is encrypted under your passphrase (PBKDF2-SHA-256, AES-256-GCM).'
          : 'Your data is stored unencrypted in this browser. Set a passphrase to encrypt it.'}
      </p>
      <label for="pp-new">{state.protected ? 'New passphrase' : 'Passphrase'}</label>
      <input
        id="pp-new"
        type="password"
        autocomplete="new-password"
        value={pass}
        onInput={(e) => setPass(e.currentTarget.value)}
      />
      <label for="pp-again">Repeat it</label>
      <input
        id="pp-again"
        type="password"
        autocomplete="new-password"
        value={again}
        onInput={(e) => setAgain(e.currentTarget.value)}
      />
      <div class="row">
        <button type="submit" disabled={busy || pass === ''}>
          {state.protected ? 'Change passphrase' : 'Set passphrase'}
        </button>
        {state.protected && (
          <>
            <button type="button" class="secondary" onClick={() => void engine.lock()}>
              Lock now
            </button>
            <button type="button" class="secondary" disabled={busy} onClick={() => void run(null)}>
              Remove passphrase
            </button>
          </>
        )}
      </div>
      {msg && (
        <p class={msg.ok ? 'ok' : 'error'} role="alert">
          {msg.text}
        </p>
      )}
    </form>
  );
}

function BackupForm() {
  const engine = useEngine();
  const [pass, setPass] = useState('');
  const [msg, setMsg] = useState<{ text: string; ok: boolean }>();
  const [busy, setBusy] = useState(false);
  const exportNow = async () => {
    setBusy(true);
    try {
      const text = await engine.exportBackup(pass);
      const url = URL.createObjectURL(new Blob([text], { type: 'application/octet-stream' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `enkrypted-backup-${new Date().toISOString().slice(0, 10)}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setMsg({ text: 'Backup written.', ok: true });
    } catch (err) {
      setMsg({ text: errorText(err), ok: false });
    } finally {
      setBusy(false);
    }
  };
  const importNow = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    setBusy(true);
    try {
      await engine.importBackup(await file.text(), pass);
      setMsg({ text: 'Backup restored.', ok: true });
    } catch (err) {
      setMsg({ text: errorText(err), ok: false });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="subpanel" onSubmit={(e) => e.preventDefault()}>
      <h3>Encrypted backup</h3>
      <p>Your identity, contacts and history in one file, encrypted under the passphrase below.</p>
      <label for="bk-pass">Backup passphrase</label>
      <input
        id="bk-pass"
        type="password"
        autocomplete="new-password"
        value={pass}
        onInput={(e) => setPass(e.currentTarget.value)}
      />
      <div class="row">
        <button type="button" disabled={busy || pass === ''} onClick={() => void exportNow()}>
          Export backup
        </button>
        <label class={`button secondary file-button ${pass === '' ? 'disabled' : ''}`}>
          Import backup (replaces everything)
          <input
            type="file"
            accept=".json,application/json"
            disabled={busy || pass === ''}
            onChange={importNow}
          />
        </label>
      </div>
      {msg && (
        <p class={msg.ok ? 'ok' : 'error'} role="alert">
          {msg.text}
        </p>
      )}
    </form>
  );
}
