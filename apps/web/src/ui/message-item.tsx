import { useEffect, useState } from 'preact/hooks';
import type { TransferView } from '../engine/state.js';
import { canPreview } from '../engine/transfers.js';
import { formatBytes, formatTime } from '../logic/format.js';
import type { ChatMessage } from '../logic/model.js';
import { useEngine } from './use-engine.js';

const STATUS_TEXT = {
  queued: 'Queued',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not sent',
} as const;
const STATUS_ICON = { queued: '◷', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' } as const;

export function MessageItem({ m, transfer }: { m: ChatMessage; transfer: TransferView | undefined }) {
  return (
    <li class={`msg msg-${m.direction}`} data-message-id={m.id} data-status={m.status}>
      <div class="bubble">
        {m.file ? <FileBody m={m} transfer={transfer} /> : <p class="text">{m.text}</p>}
        <div class="meta">
          <time dateTime={new Date(m.sentAt).toISOString()}>{formatTime(m.sentAt)}</time>
          {m.status && (
            <span class={`status status-${m.status}`} data-testid="status" title={STATUS_TEXT[m.status]}>
              <span aria-hidden="true">{STATUS_ICON[m.status]}</span>
              <span class="status-text">{STATUS_TEXT[m.status]}</span>
            </span>
          )}
        </div>
      </div>
    </li>
  );
}

function FileBody({ m, transfer }: { m: ChatMessage; transfer: TransferView | undefined }) {
  const engine = useEngine();
  const f = m.file!;
  const [url, setUrl] = useState<string>();
  const state = transfer?.state ?? (f.state === 'transferring' ? 'failed' : f.state);
  useEffect(() => {
    if (state !== 'done') return;
    let live = true;
    void engine.fileUrl(f.transferId).then((u) => live && setUrl(u));
    return () => {
      live = false;
    };
  }, [state, f.transferId, engine]);
  const done = transfer?.done ?? (state === 'done' ? f.size : 0);
  const pct = f.size === 0 ? 100 : Math.floor((done / f.size) * 100);
  return (
    <div class="file" data-transfer-id={f.transferId} data-transfer-state={state}>
      {f.fastPath && (
        <p class="warn-inline" role="note">
          ⚠ Fast path: this file travelled with DTLS only, not end-to-end encrypted.
        </p>
      )}
      {url && canPreview(f.mime) && <img class="preview" src={url} alt={`Preview of ${f.name}`} />}
      <div class="file-name">
        {url ? (
          <a href={url} download={f.name}>
            {f.name}
          </a>
        ) : (
          <span>{f.name}</span>
        )}{' '}
        <span class="muted">({formatBytes(f.size)})</span>
      </div>
      {state === 'transferring' && (
        <div class="row">
          <progress max={100} value={pct} aria-label={`Transfer of ${f.name}`} data-testid="progress">
            {pct}%
          </progress>
          <span class="pct">{pct}%</span>
          <button type="button" class="secondary small" onClick={() => engine.cancelTransfer(f.transferId)}>
            Cancel
          </button>
        </div>
      )}
      {state === 'cancelled' && <p class="muted">Cancelled.</p>}
      {state === 'failed' && (
        <p class="error">Transfer failed{transfer?.error ? `: ${transfer.error}` : '.'}</p>
      )}
    </div>
  );
}
