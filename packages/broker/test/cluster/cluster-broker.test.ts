/**
 * Cluster options and an in-process broker in cluster mode: bad flags are refused with a code; a
 * node whose Redis is not there at start still starts, serves local peers, reports 503 and
 * recovers when Redis appears; frames sent before OPEN are kept while the claim is decided.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { REDIS_MISSING, startRedis } from '../../../../tests/cluster/redis-server.js';
import { freePort } from '../../../../tests/support/brokers.js';
import { WireClient, waitFor } from '../../../../tests/support/wire-client.js';
import { parseCli } from '../../src/cli-options.js';
import { BROKER_ERROR, isBrokerError } from '../../src/errors.js';
import { resolveOptions } from '../../src/options.js';
import { createBroker } from '../../src/server.js';

describe('cluster options', () => {
  it('parses --redis, --redis-prefix and --cluster-lapse (and their environment variables)', () => {
    const plan = parseCli(['--redis', 'redis://127.0.0.1:6379', '--cluster-lapse', '5000'], {
      ENKRYPTED_BROKER_REDIS_PREFIX: 'app1:',
    });
    assert.equal(plan.options.redisUrl, 'redis://127.0.0.1:6379');
    assert.equal(plan.options.clusterLapseMs, 5000);
    assert.equal(plan.options.redisPrefix, 'app1:');
    assert.equal(parseCli([], { ENKRYPTED_BROKER_REDIS: 'rediss://h:1' }).options.redisUrl, 'rediss://h:1');
  });

  it('refuses a malformed Redis URL, prefix or lapse with BROKER_INVALID_OPTION', () => {
    for (const bad of [
      { redisUrl: 'http://127.0.0.1:6379' },
      { redisUrl: 'redis://has space' },
      { redisUrl: '' },
      { redisPrefix: 'x'.repeat(65) },
      { redisPrefix: 'with space' },
      { clusterLapseMs: 999 },
      { clusterLapseMs: 1.5 },
    ]) {
      assert.throws(
        () => resolveOptions(bad),
        (err) => isBrokerError(err, BROKER_ERROR.invalidOption),
        JSON.stringify(bad),
      );
    }
    assert.throws(
      () => parseCli(['--cluster-lapse', 'soon'], {}),
      (err) => isBrokerError(err, BROKER_ERROR.invalidOption),
    );
  });
});

describe('broker in cluster mode', { skip: REDIS_MISSING }, () => {
  it('starts without Redis, serves local peers, reports 503, and recovers when Redis appears', async () => {
    const port = await freePort();
    const broker = createBroker({ port: 0, redisUrl: `redis://127.0.0.1:${port}` });
    await broker.start();
    try {
      const health = async () => {
        const res = await fetch(`http://127.0.0.1:${broker.port}/healthz`);
        return { status: res.status, body: (await res.json()) as { status: string; reason?: string } };
      };
      assert.deepEqual((await health()).status, 503);
      assert.equal((await health()).body.reason, 'redis-unreachable');
      const ws = (id: string) => `ws://127.0.0.1:${broker.port}/peerjs?key=peerjs&id=${id}&token=tok`;
      const a = await WireClient.register(ws('alpha'));
      const b = await WireClient.register(ws('beta'));
      a.send({ type: 'OFFER', dst: 'beta', payload: { sdp: 'x' } });
      assert.equal((await b.next((f) => f.type === 'OFFER')).src, 'alpha');
      // An id this node does not hold is unreachable while Redis is away: EXPIRE at once.
      a.send({ type: 'OFFER', dst: 'elsewhere', payload: { sdp: 'x' } });
      assert.equal((await a.next((f) => f.type === 'EXPIRE')).src, 'elsewhere');
      const metrics = await (await fetch(`http://127.0.0.1:${broker.port}/metrics`)).text();
      assert.match(metrics, /^broker_store_up 0$/m);
      // Redis appears on the configured port: the node connects and re-asserts its peers.
      const redis = await startRedis(port);
      try {
        await waitFor(async () => (await health()).status === 200, 'healthy', 20_000);
        assert.equal(await broker.registry.isRegistered('alpha'), true);
        assert.equal(await broker.registry.holdsToken('beta', 'tok'), true);
        await a.close();
        await b.close();
      } finally {
        await broker.stop();
        await redis.stop();
      }
    } finally {
      await broker.stop();
    }
  });

  it('keeps frames a client sends before OPEN and relays them once the claim is decided', async () => {
    const redis = await startRedis();
    const broker = createBroker({ port: 0, redisUrl: redis.url });
    await broker.start();
    try {
      const ws = (id: string) => `ws://127.0.0.1:${broker.port}/peerjs?key=peerjs&id=${id}&token=tok`;
      const dst = await WireClient.register(ws('dst'));
      // Hold Redis's writes for a moment so the claim is certainly still pending when the frames
      // arrive (sent on the WebSocket's open event, before the broker's OPEN frame).
      const admin = new Redis(redis.url);
      await admin.call('CLIENT', 'PAUSE', '400', 'WRITE');
      admin.disconnect();
      const early = new WireClient(ws('early'));
      await early.opened;
      for (let i = 0; i < 3; i++) early.send({ type: 'OFFER', dst: 'dst', payload: { n: i } });
      await early.next((f) => f.type === 'OPEN');
      for (let i = 0; i < 3; i++) {
        const f = await dst.next((m) => m.type === 'OFFER');
        assert.deepEqual(f.payload, { n: i });
      }
      await early.close();
      await dst.close();
    } finally {
      await broker.stop();
      await redis.stop();
    }
  });
});
