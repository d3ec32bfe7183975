import type { LinkInfo } from '../engine/state.js';
import { linkView } from '../logic/connection-label.js';

/** The connection + encryption state of one chat, always visible in its header. */
export function LinkBadge({ link, blocked }: { link: LinkInfo | undefined; blocked?: string }) {
  const view = linkView(link?.state, link?.encrypted ?? true, link?.everReady ?? false);
  const cls = blocked ? 'blocked' : view.state === 'ready' && !view.encrypted ? 'plain' : view.state;
  return (
    <span
      class={`badge badge-${cls}`}
      role="status"
      aria-live="polite"
      data-link-state={view.state}
      title={view.detail}
    >
      <span class="dot" aria-hidden="true" />
      {blocked ? 'Sending disabled' : view.label}
      <span class="visually-hidden">: {blocked ?? link?.error ?? view.detail}</span>
    </span>
  );
}
