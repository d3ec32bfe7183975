import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SendQueue } from '../../src/connection/send-queue.js';
import { isPeerError, PEER_ERROR } from '../../src/errors.js';

test('bounded by count and bytes: overflow is refused with QUEUE_FULL, never dropped', async () => {
  const q = new SendQueue<string>(2, 10);
  const first = q.push('a', 4);
  const second = q.push('b', 4);
  await assert.rejects(q.push('c', 1), (e) => isPeerError(e, PEER_ERROR.queueFull));
  assert.equal(q.length, 2);
  q.shiftWritten();
  await first;
  await assert.rejects(q.push('d', 7), (e) => isPeerError(e, PEER_ERROR.queueFull));
  const third = q.push('e', 6);
  assert.equal(q.bytes, 10);
  q.rejectAll(new (await import('../../src/errors.js')).PeerError(PEER_ERROR.recoveryFailed, 'x'));
  await assert.rejects(second, (e) => isPeerError(e, PEER_ERROR.recoveryFailed));
  await assert.rejects(third, (e) => isPeerError(e, PEER_ERROR.recoveryFailed));
  assert.equal(q.length, 0);
  assert.equal(q.bytes, 0);
});

test('an aborted send leaves the queue and rejects with ABORTED; order of the rest is kept', async () => {
  const q = new SendQueue<string>(10, 100);
  const ac = new AbortController();
  q.push('a', 1);
  const b = q.push('b', 1, ac.signal);
  q.push('c', 1);
  ac.abort();
  await assert.rejects(b, (e) => isPeerError(e, PEER_ERROR.aborted));
  assert.equal(q.peek()?.item, 'a');
  q.shiftWritten();
  assert.equal(q.peek()?.item, 'c');
  assert.equal(q.bytes, 1);
});
