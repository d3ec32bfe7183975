import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MESSAGE_STATUSES, nextStatus, STATUS_EVENTS } from '../src/message-status.js';

const RANK = { queued: 0, failed: 0, sent: 1, delivered: 2, read: 3 } as const;

describe('message status reducer', () => {
  it('moves forward through sent, delivered, read', () => {
    assert.equal(nextStatus('queued', 'SENT'), 'sent');
    assert.equal(nextStatus('sent', 'DELIVERED'), 'delivered');
    assert.equal(nextStatus('delivered', 'READ'), 'read');
    assert.equal(nextStatus('sent', 'READ'), 'read');
  });

  it('never moves backwards: late or duplicated receipts change nothing', () => {
    assert.equal(nextStatus('read', 'DELIVERED'), 'read');
    assert.equal(nextStatus('read', 'SENT'), 'read');
    assert.equal(nextStatus('delivered', 'SENT'), 'delivered');
    assert.equal(nextStatus('delivered', 'DELIVERED'), 'delivered');
    assert.equal(nextStatus('delivered', 'FAILED'), 'delivered');
  });

  it('failed messages can be retried, and a late receipt still counts', () => {
    assert.equal(nextStatus('queued', 'FAILED'), 'failed');
    assert.equal(nextStatus('failed', 'RETRY'), 'queued');
    assert.equal(nextStatus('failed', 'DELIVERED'), 'delivered');
  });

  it('every (status, event) pair is monotone except the explicit retry', () => {
    for (const s of MESSAGE_STATUSES) {
      for (const e of STATUS_EVENTS) {
        const n = nextStatus(s, e);
        assert.ok(MESSAGE_STATUSES.includes(n));
        if (!(s === 'queued' && e === 'FAILED') && !(s === 'failed' && e === 'RETRY')) {
          assert.ok(RANK[n] >= RANK[s], `${s} --${e}--> ${n}`);
        }
      }
    }
  });
});
