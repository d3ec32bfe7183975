import { safetyNumberQrPayload, verifySafetyNumberQrPayload } from '@enkrypted/crypto';
import { decodeBase64, encodeBase64 } from '@enkrypted/protocol';
import { useMemo, useState } from 'preact/hooks';
import { decodeQrFile, QrImage } from './qr.js';
import { RemoveContact } from './remove-contact.js';
import { errorText, useAppState, useEngine } from './use-engine.js';

/** Prefix of the text in safety-number QR codes. */
const SAFETY_QR_PREFIX = 'enkrypted:safety:';

export function SafetyNumberPanel({
  id,
  onBack,
  onRemoved,
}: {
  id: string;
  onBack: () => void;
  onRemoved: () => void;
}) {
  const engine = useEngine();
  const state = useAppState();
  const contact = state.contacts.find((c) => c.id === id);
  const identity = state.remoteIdentities[id];
  const sn = useMemo(() => {
    try {
      return engine.safetyNumber(id);
    } catch {
      return undefined;
    }
  }, [engine, id, identity]);
  const [msg, setMsg] = useState<{ text: string; ok: boolean }>();
  const pin = state.pins[id];
  const changed = id in state.keyChanged;
  const link = state.links[id];

  const onScan = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file || !sn) return;
    try {
      const text = await decodeQrFile(file);
      if (!text?.startsWith(SAFETY_QR_PREFIX))
        throw new Error('No safety-number QR code found in that image.');
      const ok = verifySafetyNumberQrPayload(sn, decodeBase64(text.slice(SAFETY_QR_PREFIX.length)));
      setMsg(
        ok
          ? { text: 'The codes match.', ok: true }
          : { text: 'The codes do NOT match: do not trust this chat.', ok: false },
      );
      if (ok && !changed) await engine.markVerified(id, true);
    } catch (err) {
      setMsg({ text: errorText(err), ok: false });
    }
  };

  return (
    <section class="panel" aria-labelledby="sn-title">
      <button type="button" class="secondary small" onClick={onBack}>
        ← Back to chat
      </button>
      <h2 id="sn-title">Safety number with {contact?.name ?? id}</h2>
      {changed && state.keyChanged[id] === null ? (
        <p class="banner banner-danger" role="alert">
          {contact?.name ?? 'This contact'} presented a different identity key, and the handshake refused it.
          Once you accept the new key in the chat, its safety number appears here: compare it with them before
          trusting the chat.
        </p>
      ) : !sn ? (
        <p>The safety number appears once {contact?.name ?? 'the contact'} has connected at least once.</p>
      ) : (
        <>
          {changed && (
            <p class="banner banner-danger" role="alert">
              This is the NEW key's safety number. It differs from the one you had.
            </p>
          )}
          {link && !link.encrypted && (
            <p class="banner banner-warn">
              Debug mode: the identity below was announced over an unencrypted channel and is not
              authenticated by it.
            </p>
          )}
          <p>
            Compare these numbers with {contact?.name ?? 'your contact'} in person or over a trusted call.
          </p>
          <p class="safety-digits" data-testid="safety-number">
            {sn.display.split(' ').map((g, i) => (
              <span key={i}>{g}</span>
            ))}
          </p>
          <QrImage
            text={`${SAFETY_QR_PREFIX}${encodeBase64(safetyNumberQrPayload(sn))}`}
            label="Safety number QR code"
          />
          <div class="row">
            {!changed && (
              <label class="check">
                <input
                  type="checkbox"
                  data-testid="verified-toggle"
                  checked={pin?.verified ?? false}
                  onChange={(e) => void engine.markVerified(id, e.currentTarget.checked)}
                />
                I compared the numbers: mark as verified
              </label>
            )}
            <label class="button secondary small file-button">
              Scan their code (image)
              <input
                type="file"
                accept="image/*"
                onChange={onScan}
                aria-label="Upload their safety-number QR image"
              />
            </label>
          </div>
          {msg && (
            <p class={msg.ok ? 'ok' : 'error'} role="alert">
              {msg.text}
            </p>
          )}
        </>
      )}
      {contact && <RemoveContact id={id} name={contact.name} onRemoved={onRemoved} />}
    </section>
  );
}
