/**
 * Outgoing message status as an explicit table. A status only moves forward: a late "delivered"
 * after "read", or a duplicated receipt, changes nothing. `failed` is reachable only before the
 * peer confirmed anything, and a retry moves a failed message back to `queued`.
 *
 *   queued ──SENT──▶ sent ──DELIVERED──▶ delivered ──READ──▶ read
 *     │  ▲                └──────────READ──────────────────────▲
 *   FAILED│RETRY
 *     ▼  │
 *    failed
 */
export const MESSAGE_STATUSES = ['queued', 'sent', 'delivered', 'read', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const STATUS_EVENTS = ['SENT', 'DELIVERED', 'READ', 'FAILED', 'RETRY'] as const;
export type StatusEvent = (typeof STATUS_EVENTS)[number];

const TABLE: { readonly [S in MessageStatus]: Partial<Readonly<Record<StatusEvent, MessageStatus>>> } = {
  queued: { SENT: 'sent', DELIVERED: 'delivered', READ: 'read', FAILED: 'failed' },
  sent: { DELIVERED: 'delivered', READ: 'read' },
  delivered: { READ: 'read' },
  read: {},
  // A receipt can still arrive for a message we thought failed (the write raced the outage).
  failed: { RETRY: 'queued', DELIVERED: 'delivered', READ: 'read' },
};

/** The next status; events that do not apply leave the status unchanged (receipts are idempotent). */
export function nextStatus(status: MessageStatus, event: StatusEvent): MessageStatus {
  return TABLE[status][event] ?? status;
}

export function isMessageStatus(value: unknown): value is MessageStatus {
  return typeof value === 'string' && (MESSAGE_STATUSES as readonly string[]).includes(value);
}
