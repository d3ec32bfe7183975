import { useState } from 'preact/hooks';
import { errorText, useEngine } from './use-engine.js';

/**
 * Removing a contact, behind a confirmation that says what goes: the history and files on this
 * device and the pinned identity key (re-adding the contact trusts its key on first use again).
 */
export function RemoveContact({ id, name, onRemoved }: { id: string; name: string; onRemoved: () => void }) {
  const engine = useEngine();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const remove = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await engine.removeContact(id);
      onRemoved();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <section class="remove-contact" aria-labelledby="rm-title">
      <h3 id="rm-title">Remove contact</h3>
      {!confirming ? (
        <button type="button" class="danger small" onClick={() => setConfirming(true)}>
          Remove {name}…
        </button>
      ) : (
        <div
          class="blocking"
          role="alertdialog"
          aria-labelledby="rm-confirm-title"
          aria-describedby="rm-text"
        >
          <h4 id="rm-confirm-title">Remove {name}?</h4>
          <p id="rm-text">
            This closes the chat and deletes its messages and files from this device. {name}'s identity key is
            forgotten too: if you add {name} again, the first key they present is trusted again (trust on
            first use), so compare the safety number with them again.
          </p>
          <div class="row">
            <button type="button" class="danger" disabled={busy} onClick={() => void remove()}>
              Remove and delete history
            </button>
            <button type="button" class="secondary" disabled={busy} onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
