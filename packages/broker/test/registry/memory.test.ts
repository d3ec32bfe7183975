import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryRegistry, tokensEqual } from '../../src/registry/memory.js';
import { Conn } from './test-conn.js';

const bounds = { maxMessagesPerPeer: 2, maxBytesPerPeer: 1_000, maxBytesTotal: 10_000, overheadBytes: 0 };

describe('memory registry', () => {
  it('registers, refuses another token, re-attaches the same token', () => {
    const r = new MemoryRegistry({ ...bounds, concurrentLimit: 10 });
    const a = new Conn('a', 't1');
    assert.deepEqual(r.claim('a', 't1', a), { kind: 'registered' });
    assert.deepEqual(r.claim('a', 't2', new Conn('a', 't2')), { kind: 'taken' });
    const a2 = new Conn('a', 't1');
    assert.deepEqual(r.claim('a', 't1', a2), { kind: 'reattached', previous: a });
    assert.equal(r.holdsToken('a', 't1'), true);
    assert.equal(r.holdsToken('a', 't2'), false);
    assert.equal(r.holdsToken('b', 't1'), false);
    // The replaced connection's release does not unregister the new one.
    r.release('a', a);
    assert.equal(r.isRegistered('a'), true);
    r.release('a', a2);
    assert.equal(r.isRegistered('a'), false);
  });

  it('enforces the concurrent limit on new ids only', () => {
    const r = new MemoryRegistry({ ...bounds, concurrentLimit: 1 });
    const a = new Conn('a', 't');
    r.claim('a', 't', a);
    assert.deepEqual(r.claim('b', 't', new Conn('b', 't')), { kind: 'full' });
    assert.equal(r.claim('a', 't', new Conn('a', 't')).kind, 'reattached');
  });

  it('routes to connected ids, queues for offline ones, reports dead sockets', () => {
    const r = new MemoryRegistry({ ...bounds, concurrentLimit: 10 });
    const b = new Conn('b', 't');
    r.claim('b', 't', b);
    assert.equal(r.route('a', 'b', true, 'hello', 0), 'delivered');
    assert.deepEqual(b.received, ['hello']);
    assert.equal(r.route('a', 'c', true, 'q1', 0), 'queued');
    assert.equal(r.route('a', 'c', false, 'leave', 0), 'dropped');
    assert.deepEqual(r.takeQueued('c'), ['q1']);
    b.alive = false;
    assert.equal(r.route('a', 'b', true, 'x', 0), 'dead');
    assert.equal(r.isRegistered('b'), false);
  });

  it('compares tokens exactly', () => {
    assert.equal(tokensEqual('abc', 'abc'), true);
    assert.equal(tokensEqual('abc', 'abd'), false);
    assert.equal(tokensEqual('abc', 'abcd'), false);
  });
});
