import { MAX_DISPLAY_NAME_CHARS } from '@enkrypted/chat';
import { useState } from 'preact/hooks';
import { contactQrText } from '../logic/contact-id.js';
import { QrImage } from './qr.js';
import { errorText, useAppState, useEngine } from './use-engine.js';

/** Own identity: peer id with copy and QR, display name. */
export function ProfilePanel() {
  const engine = useEngine();
  const { profile } = useAppState();
  const [name, setName] = useState(profile?.displayName ?? '');
  const [msg, setMsg] = useState<string>();
  if (!profile) return null;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(profile.peerId);
      setMsg('Copied.');
    } catch {
      setMsg('Copy failed: select the id and copy it by hand.');
    }
  };
  return (
    <section class="panel" aria-labelledby="me-title">
      <h2 id="me-title">My identity</h2>
      <p>Share your id (or let them scan the code) so a contact can add you.</p>
      <div class="id-row">
        <code id="own-id" data-testid="own-id">
          {profile.peerId}
        </code>
        <button type="button" onClick={copy} aria-describedby="own-id">
          Copy id
        </button>
      </div>
      {msg && <p role="status">{msg}</p>}
      <QrImage text={contactQrText(profile.peerId)} label="QR code of your peer id" />
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            await engine.setDisplayName(name);
            setMsg('Name saved.');
          } catch (err) {
            setMsg(errorText(err));
          }
        }}
      >
        <label for="me-name">Display name</label>
        <div class="row">
          <input
            id="me-name"
            maxLength={MAX_DISPLAY_NAME_CHARS}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <button type="submit">Save</button>
        </div>
      </form>
    </section>
  );
}
