import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OfflineQueues } from '../../src/registry/offline-queues.js';

const bounds = { maxMessagesPerPeer: 3, maxBytesPerPeer: 100, maxBytesTotal: 1_000, overheadBytes: 10 };

describe('offline queues', () => {
  it('takes frames in FIFO order and forgets the queue', () => {
    const q = new OfflineQueues(bounds);
    assert.equal(q.enqueue('bob', 'alice', 'f1', 0), 'queued');
    assert.equal(q.enqueue('bob', 'carol', 'f2', 1), 'queued');
    assert.equal(q.frames, 2);
    assert.equal(q.bytes, 4 + 10);
    assert.deepEqual(q.take('bob'), ['f1', 'f2']);
    assert.deepEqual(q.take('bob'), []);
    assert.equal(q.bytes, 0);
    assert.equal(q.frames, 0);
    assert.equal(q.queues, 0);
  });

  it('bounds frames per destination and tells each sender once', () => {
    const q = new OfflineQueues(bounds);
    for (let i = 0; i < 3; i++) assert.equal(q.enqueue('bob', 'alice', `f${i}`, 0), 'queued');
    assert.equal(q.enqueue('bob', 'alice', 'f3', 0), 'refused');
    assert.equal(q.enqueue('bob', 'alice', 'f4', 0), 'refused-again');
    assert.equal(q.enqueue('bob', 'carol', 'f5', 0), 'refused');
    assert.equal(q.enqueue('dave', 'alice', 'f6', 0), 'queued');
    assert.deepEqual(q.take('bob'), ['f0', 'f1', 'f2']);
  });

  it('bounds bytes per destination and in total', () => {
    const q = new OfflineQueues(bounds);
    assert.equal(q.enqueue('bob', 'a', 'x'.repeat(100), 0), 'queued');
    assert.equal(q.enqueue('bob', 'a', 'y', 0), 'refused');
    const total = new OfflineQueues({ ...bounds, maxBytesTotal: 150 });
    assert.equal(total.enqueue('b1', 'a', 'x'.repeat(90), 0), 'queued');
    // 100 charged so far; a second queue would cost 10 + 50 > 50 left.
    assert.equal(total.enqueue('b2', 'a', 'x'.repeat(50), 0), 'refused');
    assert.equal(total.enqueue('b2', 'a', 'x'.repeat(40), 0), 'queued');
    assert.equal(total.bytes, 150);
  });

  it('counts UTF-8 bytes, not UTF-16 units', () => {
    const q = new OfflineQueues({ ...bounds, maxBytesPerPeer: 5 });
    assert.equal(q.enqueue('bob', 'a', 'ééé', 0), 'refused');
    assert.equal(q.enqueue('bob2', 'a', 'éé', 0), 'queued');
  });

  it('expires per sender after the timeout, one notice per sender/destination', () => {
    const q = new OfflineQueues(bounds);
    q.enqueue('bob', 'alice', 'a1', 0);
    q.enqueue('bob', 'alice', 'a2', 0);
    q.enqueue('bob', 'carol', 'c1', 400);
    assert.deepEqual(q.expire(499, 500), []);
    assert.deepEqual(q.expire(500, 500), [{ offline: 'bob', sender: 'alice' }]);
    // carol's frame keeps its own age.
    assert.equal(q.frames, 1);
    assert.deepEqual(q.expire(899, 500), []);
    assert.deepEqual(q.expire(900, 500), [{ offline: 'bob', sender: 'carol' }]);
    assert.equal(q.queues, 0);
    assert.equal(q.bytes, 0);
  });

  it('does not tell a sender twice when it was told on refusal', () => {
    const q = new OfflineQueues({ ...bounds, maxMessagesPerPeer: 1 });
    q.enqueue('bob', 'carol', 'c1', 0);
    assert.equal(q.enqueue('bob', 'alice', 'a1', 0), 'refused');
    assert.deepEqual(q.expire(1_000, 500), [{ offline: 'bob', sender: 'carol' }]);
  });

  it('a late frame from a sender does not reset its oldest frame', () => {
    const q = new OfflineQueues(bounds);
    q.enqueue('bob', 'alice', 'a1', 0);
    q.enqueue('bob', 'alice', 'a2', 450);
    assert.deepEqual(q.expire(500, 500), [{ offline: 'bob', sender: 'alice' }]);
    assert.equal(q.frames, 0);
  });
});
