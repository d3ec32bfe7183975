import { useState } from 'preact/hooks';
import { parseContactQr } from '../logic/contact-id.js';
import { decodeQrFile } from './qr.js';
import { errorText, useAppState, useEngine } from './use-engine.js';

export function AddContact({ onAdded }: { onAdded: (id: string) => void }) {
  const engine = useEngine();
  const state = useAppState();
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const add = async (input: string) => {
    setError(undefined);
    try {
      const id = await engine.addContact(input, name);
      setText('');
      setName('');
      onAdded(id);
    } catch (err) {
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
      const id = parseContactQr(await decodeQrFile(file), state.profile?.peerId ?? '');
      await add(id);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section class="panel" aria-labelledby="add-title">
      <h2 id="add-title">Add a contact</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void add(text);
        }}
      >
        <label for="add-id">Their peer id</label>
        <input
          id="add-id"
          autocomplete="off"
          spellcheck={false}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          placeholder="paste the id they shared"
        />
        <label for="add-name">Name (optional)</label>
        <input id="add-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <div class="row">
          <button type="submit">Add and connect</button>
          <label class="button secondary file-button">
            Scan a QR image
            <input type="file" accept="image/*" onChange={onFile} aria-label="Upload a QR code image" />
          </label>
        </div>
      </form>
      {error && (
        <p class="error" role="alert" data-testid="add-error">
          {error}
        </p>
      )}
    </section>
  );
}
