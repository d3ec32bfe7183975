/**
 * The Redis registry against a real redis-server: two registries on one Redis are two nodes.
 * Covers claim/ID-TAKEN/re-attach across nodes, cross-node routing in order, queues with their
 * bounds and expiry, lapse of a stopped node, Redis going away and coming back, and malformed data
 * written into Redis by someone else.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { REDIS_MISSING, type RedisUnderTest, startRedis } from '../../../../tests/cluster/redis-server.js';
import { waitFor } from '../../../../tests/support/wire-client.js';
import { silentLogger } from '../../src/logger.js';
import { settle } from '../../src/maybe-promise.js';
import { parsePayload } from '../../src/registry/redis/payload.js';
import { RedisRegistry, type RedisRegistryOptions } from '../../src/registry/redis/redis-registry.js';
import type { RouteOutcome } from '../../src/registry/registry.js';
import { Conn } from './test-conn.js';

const bounds = { maxMessagesPerPeer: 3, maxBytesPerPeer: 1_000, maxBytesTotal: 100_000, overheadBytes: 10 };
let prefixSeq = 0;

describe('redis registry', { skip: REDIS_MISSING }, () => {
  let redis: RedisUnderTest;
  let raw: Redis;
  const open: RedisRegistry[] = [];

  before(async () => {
    redis = await startRedis();
    raw = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    for (const r of open) await r.close();
    raw.disconnect();
    await redis.stop();
  });

  /** Nodes of one cluster (same prefix); each test uses its own prefix. */
  async function cluster(n: number, extra: Partial<RedisRegistryOptions> = {}): Promise<RedisRegistry[]> {
    prefixSeq += 1;
    const nodes: RedisRegistry[] = [];
    for (let i = 0; i < n; i++) {
      const r = new RedisRegistry({
        ...bounds,
        concurrentLimit: 100,
        lapseMs: 3_000,
        url: redis.url,
        prefix: `t${prefixSeq}:`,
        log: silentLogger(),
        ...extra,
      });
      open.push(r);
      await r.start();
      assert.equal(r.stats().health?.ok, true);
      nodes.push(r);
    }
    return nodes;
  }

  async function claim(r: RedisRegistry, id: string, token: string): Promise<{ kind: string; conn: Conn }> {
    const conn = new Conn(id, token);
    const out = await r.claim(id, token, conn);
    if (out.kind === 'registered' || out.kind === 'reattached') r.takeQueued(id);
    return { kind: out.kind, conn };
  }

  it('makes an id unique across nodes; the same token re-attaches from another node', async () => {
    const [a, b] = await cluster(2);
    const first = await claim(a!, 'alice', 'tok1');
    assert.equal(first.kind, 'registered');
    assert.equal((await claim(b!, 'alice', 'other')).kind, 'taken');
    assert.equal(await b!.holdsToken('alice', 'tok1'), true);
    assert.equal(await b!.holdsToken('alice', 'other'), false);
    assert.equal(await a!.holdsToken('alice', 'tok1'), true);
    const again = await claim(b!, 'alice', 'tok1');
    assert.equal(again.kind, 'reattached');
    // Node a is told to close its socket (replaced).
    await waitFor(() => first.conn.closed !== undefined, 'old socket closed');
    assert.equal(first.conn.closed, 4410);
    // The replaced socket's late release does not unregister the new holder.
    a!.release('alice', first.conn);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await b!.isRegistered('alice'), true);
    assert.equal(await a!.isRegistered('alice'), true);
    b!.release('alice', again.conn);
    await waitFor(async () => !(await a!.isRegistered('alice')), 'released cluster-wide');
  });

  it('routes between nodes in order and delivers each frame once', async () => {
    const [a, b] = await cluster(2);
    const alice = await claim(a!, 'alice', 't');
    const bob = await claim(b!, 'bob', 't');
    const outcomes: RouteOutcome[] = [];
    for (let i = 0; i < 50; i++) {
      // Alternate a remote and a local destination: the local one must not overtake.
      settle(
        a!.route('alice', 'bob', true, `f${i}`, Date.now()),
        (o) => outcomes.push(o),
        (e) => assert.fail(String(e)),
      );
    }
    await waitFor(() => bob.conn.received.length === 50, 'all frames at bob');
    assert.deepEqual(
      bob.conn.received,
      Array.from({ length: 50 }, (_, i) => `f${i}`),
    );
    assert.ok(outcomes.every((o) => o === 'delivered'));
    // Local delivery answers synchronously.
    const carol = await claim(a!, 'carol', 't');
    assert.equal(a!.route('carol', 'alice', true, 'local', Date.now()), 'delivered');
    assert.deepEqual(alice.conn.received, ['local']);
    assert.equal(carol.conn.received.length, 0);
  });

  it('holds a local frame behind a remote frame of the same sender still on its way to Redis', async () => {
    const [a, b] = await cluster(2);
    const local = await claim(a!, 'local', 't');
    const far = await claim(b!, 'far', 't');
    await claim(a!, 'src', 't');
    const p1 = a!.route('src', 'far', true, '1', Date.now());
    const p2 = a!.route('src', 'local', true, '2', Date.now());
    assert.ok(p1 instanceof Promise);
    assert.ok(p2 instanceof Promise, 'a local frame waits behind a remote one of the same sender');
    assert.equal(local.conn.received.length, 0);
    assert.equal(await p1, 'delivered');
    assert.equal(await p2, 'delivered');
    await waitFor(() => far.conn.received.length === 1, 'remote frame delivered');
    assert.deepEqual(local.conn.received, ['2']);
    // Once nothing is in flight, local delivery is synchronous again.
    await new Promise((r) => setImmediate(r));
    assert.equal(a!.route('src', 'local', true, '3', Date.now()), 'delivered');
  });

  it('queues for an offline id cluster-wide, within the bounds, and hands the queue to any node', async () => {
    const [a, b] = await cluster(2);
    await claim(a!, 'src', 't');
    assert.equal(await a!.route('src', 'off', true, 'q1', Date.now()), 'queued');
    assert.equal(await a!.route('src', 'off', true, 'q2', Date.now()), 'queued');
    assert.equal(await a!.route('src', 'off', false, 'leave', Date.now()), 'dropped');
    assert.equal(await a!.route('src', 'off', true, 'q3', Date.now()), 'queued');
    assert.equal(await a!.route('src', 'off', true, 'q4', Date.now()), 'refused');
    assert.equal(await a!.route('src', 'off', true, 'q5', Date.now()), 'refused-again');
    const conn = new Conn('off', 't');
    const out = await b!.claim('off', 't', conn);
    assert.equal(out.kind, 'registered');
    assert.deepEqual(b!.takeQueued('off'), ['q1', 'q2', 'q3']);
    // The queue is gone and the totals are back to zero.
    assert.equal(await raw.get(`t${prefixSeq}:qframes`), '0');
    assert.equal(await raw.get(`t${prefixSeq}:qbytes`), '0');
  });

  it('refuses a frame larger than the per-id byte bound and respects the total budget', async () => {
    const [a] = await cluster(1, { maxBytesTotal: 50 });
    assert.equal(await a!.route('s', 'x', true, 'y'.repeat(1_001), Date.now()), 'refused');
    assert.equal(await a!.route('s', 'x', true, 'y'.repeat(30), Date.now()), 'queued');
    // 30 + 10 overhead charged; another queue needs 10 + its frame.
    assert.equal(await a!.route('s', 'z', true, 'y'.repeat(5), Date.now()), 'refused');
  });

  it('expires queued frames per sender once, to exactly one node', async () => {
    const [a, b] = await cluster(2);
    assert.equal(await a!.route('s1', 'off', true, 'a', Date.now()), 'queued');
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(await a!.route('s2', 'off', true, 'b', Date.now()), 'queued');
    // s1's frame is 1.5 s old, s2's far younger than 1 s (margins for a loaded machine).
    const [da, db] = await Promise.all([a!.expire(Date.now(), 1_000), b!.expire(Date.now(), 1_000)]);
    assert.deepEqual([...da, ...db], [{ offline: 'off', sender: 's1' }]);
    const conn = new Conn('off', 't');
    await b!.claim('off', 't', conn);
    assert.deepEqual(b!.takeQueued('off'), ['b']);
  });

  it('does not owe an EXPIRE to a sender already told on refusal', async () => {
    const [a] = await cluster(1);
    for (const f of ['1', '2', '3']) assert.equal(await a!.route('s', 'off', true, f, Date.now()), 'queued');
    assert.equal(await a!.route('s', 'off', true, '4', Date.now()), 'refused');
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(await a!.expire(Date.now(), 100), []);
    assert.equal(await raw.zcard(`t${prefixSeq}:qidx`), 0);
  });

  it('lapses the ids of a node that stops heartbeating; routing to it then queues', async () => {
    const [a, b] = await cluster(2, { lapseMs: 1_000 });
    await claim(a!, 'gone', 't');
    // Simulate a crash: the node's subscriber and heartbeat vanish without releasing anything.
    await a!.close();
    // With no subscriber the record is dropped at once and the frame queued for a re-attach.
    assert.equal(await b!.route('x', 'gone', true, 'hello', Date.now()), 'queued');
    const c = await claim(b!, 'gone', 'another-token');
    assert.equal(c.kind, 'registered');
    assert.deepEqual(c.conn.received, []);
  });

  it('gives every registration a TTL of the lapse, which heartbeats renew', async () => {
    const [a] = await cluster(1, { lapseMs: 3_000 });
    await claim(a!, 'ttl', 't');
    const key = `t${prefixSeq}:peer:ttl`;
    const first = await raw.pttl(key);
    assert.ok(first > 0 && first <= 3_000, String(first));
    // Without renewal the remaining time would now be below first - 1600; heartbeats (every 1 s)
    // keep it above first - 1000.
    await new Promise((r) => setTimeout(r, 1_600));
    await waitFor(async () => (await raw.pttl(key)) > first - 1_000, 'TTL renewed', 15_000);
    // The token is stored hashed, never in clear.
    assert.notEqual(await raw.hget(key, 't'), 't');
  });

  it('closes a local socket whose id another connection took while the node could not tell', async () => {
    const [a] = await cluster(1, { lapseMs: 1_500 });
    const held = await claim(a!, 'held', 't');
    await raw.hset(`t${prefixSeq}:peer:held`, 'n', 'othernode', 'c', 'x');
    await waitFor(() => held.conn.closed !== undefined, 'a closes its stale socket', 15_000);
    assert.equal(held.conn.closed, 4409);
    assert.equal(a!.stats().peers, 0);
  });

  it('reports cluster figures from every node', async () => {
    const [a, b] = await cluster(2);
    await claim(a!, 'p1', 't');
    await claim(b!, 'p2', 't');
    await claim(b!, 'p3', 't');
    assert.deepEqual((await a!.listIds()).sort(), ['p1', 'p2', 'p3']);
    await waitFor(
      () => a!.stats().cluster?.peers === 3 && a!.stats().cluster?.nodes === 2,
      'cluster figures',
      15_000,
    );
    assert.equal(a!.stats().peers, 1);
  });

  it('survives malformed data and stray publishes in Redis', async () => {
    const [a, b] = await cluster(2);
    const p = `t${prefixSeq}:`;
    await raw.set(`${p}peer:bad`, 'not a hash');
    await raw.hset(`${p}peer:half`, 't', 'x');
    await raw.set(`${p}q:badq`, 'not a list');
    await raw.rpush(`${p}q:junk`, 'no separators', '12\nsrc\nok-frame');
    await raw.zadd(`${p}qidx`, 0, 'junk');
    await raw.set(`${p}qbytes`, 'NaN');
    await raw.publish(`${p}node:${a!.nodeId}`, 'garbage');
    await raw.publish(`${p}node:${a!.nodeId}`, 'B\nx\ny');
    assert.equal((await claim(a!, 'bad', 't')).kind, 'registered');
    assert.equal((await claim(b!, 'half', 't')).kind, 'registered');
    assert.equal(await a!.route('s', 'badq', true, 'f', Date.now()), 'queued');
    const due = await a!.expire(Date.now(), 1);
    assert.ok(due.some((d) => d.offline === 'junk' && d.sender === 'src'));
    await waitFor(() => a!.badPayloads === 2, 'stray payloads counted');
    assert.equal(a!.stats().health?.ok, true);
  });

  it('parses node payloads strictly', () => {
    const buf = (t: string) => Buffer.from(t, 'utf8');
    assert.deepEqual(parsePayload(buf('K\nid\nc1')), { kind: 'kick', id: 'id', conn: 'c1' });
    // Frames are delimited by their byte length: newlines and multi-byte characters inside are fine.
    const f1 = '{"a":\n"é"}';
    const f2 = 'x';
    const two = `B\nd\nc\ns\n1\n0\n${Buffer.byteLength(f1)}\n${f1}d2\nc2\ns2\n0\n1\n1\n${f2}`;
    assert.deepEqual(parsePayload(buf(two)), {
      kind: 'batch',
      frames: [
        { dst: 'd', conn: 'c', src: 's', queueable: true, hops: 0, frame: f1 },
        { dst: 'd2', conn: 'c2', src: 's2', queueable: false, hops: 1, frame: f2 },
      ],
    });
    // A malformed record ends the batch; the records before it are kept.
    const cut = parsePayload(buf('B\nd\nc\ns\n1\n0\n1\nxd\nc\ns\n7\n0\n1\ny'));
    assert.equal(cut?.kind === 'batch' && cut.frames.length, 1);
    for (const bad of [
      '',
      'X\n',
      'K\n\nc',
      'K\nid\n',
      'B\n',
      'B\nd\nc\ns\n2\n0\n1\nf',
      'B\nd\nc\ns\n1\n-1\n1\nf',
      'B\nd\nc\ns\n1\n0\n0\n',
      'B\nd\nc\ns\n1\n0\n5\nab',
    ]) {
      assert.equal(parsePayload(buf(bad)), null, JSON.stringify(bad));
    }
  });

  it('goes unhealthy when Redis stops answering on a live link, and back when it answers', async () => {
    const [a, b] = await cluster(2);
    await claim(a!, 'src', 't');
    await claim(b!, 'far', 't');
    // Redis holds every command for 3 s: longer than the 2 s command timeout.
    await raw.call('CLIENT', 'PAUSE', '3000', 'ALL');
    assert.equal(await a!.route('src', 'far', true, 'f', Date.now()), 'refused');
    assert.equal(a!.stats().health?.ok, false);
    await waitFor(() => a!.stats().health?.ok === true, 'healthy again', 15_000);
    // The pause may have outlasted far's registration (lapse 3 s): b's next heartbeat re-asserts it.
    await waitFor(async () => (await raw.exists(`t${prefixSeq}:peer:far`)) === 1, 'far re-asserted', 15_000);
    assert.equal(await a!.route('src', 'far', true, 'g', Date.now()), 'delivered');
  });

  it('serves local peers while Redis is down and re-asserts them when it returns', async () => {
    const [a, b] = await cluster(2);
    const x = await claim(a!, 'x', 't');
    const y = await claim(a!, 'y', 't');
    await redis.kill();
    await waitFor(
      () => a!.stats().health?.ok === false && b!.stats().health?.ok === false,
      'nodes unhealthy',
    );
    assert.equal(a!.stats().health?.reason, 'redis-unreachable');
    // Local relay still works, synchronously.
    assert.equal(a!.route('x', 'y', true, 'still', Date.now()), 'delivered');
    assert.deepEqual(y.conn.received, ['still']);
    // An id elsewhere cannot be reached: the sender is told at once.
    assert.equal(a!.route('x', 'nowhere', true, 'f', Date.now()), 'refused');
    // A new claim is decided locally.
    const z = new Conn('z', 't');
    assert.deepEqual(a!.claim('z', 't', z), { kind: 'registered' });
    a!.takeQueued('z');
    await redis.restart();
    await waitFor(
      () => a!.stats().health?.ok === true && b!.stats().health?.ok === true,
      'nodes healthy',
      15_000,
    );
    // The restarted Redis is empty: every local registration was re-asserted.
    for (const id of ['x', 'y', 'z']) assert.equal(await b!.isRegistered(id), true, id);
    const w = await claim(b!, 'w', 't');
    assert.equal(await b!.route('w', 'x', true, 'back', Date.now()), 'delivered');
    await waitFor(() => x.conn.received.includes('back'), 'cross-node relay again');
    assert.equal(w.kind, 'registered');
  });
});
