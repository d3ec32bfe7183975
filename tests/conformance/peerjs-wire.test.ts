/**
 * The PeerJS wire protocol, written once and run against our broker and the stock `peer` 1.0.2
 * server in the same run (shared/reference/peerjs-protocol.md §1–2, checklist §7).
 *
 * Where the stock server deviates, the case is titled "[improvement]": our behaviour is asserted for
 * ours, and the stock server's known deviation is asserted for it (and reported as a diagnostic),
 * so a change on either side fails the test instead of being skipped.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import {
  type BrokerUnderTest,
  type StartOptions,
  startOurBroker,
  startStockPeerServer,
} from '../support/brokers.js';
import { sleep, uniqueId, WAIT_MS, WireClient, waitFor } from '../support/wire-client.js';

const EXPIRE_MS = 600;
const ALIVE_MS = 1_200;
/** Long enough for a few housekeeping sweeps of either server after a deadline. */
const SETTLE_MS = 1_200;

const TEXT = {
  missing: 'No id, token, or key supplied to websocket server',
  invalidKey: 'Invalid key provided',
  idTaken: 'ID is taken',
  full: 'Server has reached its concurrent user limit',
};

interface Target {
  name: 'enkrypted' | 'stock-peer';
  start(opts?: StartOptions): Promise<BrokerUnderTest>;
}
const TARGETS: Target[] = [
  { name: 'enkrypted', start: startOurBroker },
  { name: 'stock-peer', start: startStockPeerServer },
];

for (const target of TARGETS) {
  const ours = target.name === 'enkrypted';
  /** Runs `forOurs` on our broker, `forStock` (the documented deviation) on the stock server. */
  const improvement = (
    t: TestContext,
    note: string,
    forOurs: () => Promise<void>,
    forStock: () => Promise<void>,
  ) => {
    if (ours) return forOurs();
    t.diagnostic(`stock peer deviates (our improvement): ${note}`);
    return forStock();
  };

  describe(`PeerJS wire conformance: ${target.name}`, () => {
    let b: BrokerUnderTest;
    const clients: WireClient[] = [];
    const track = (c: WireClient) => {
      clients.push(c);
      return c;
    };
    const register = async (id = uniqueId(), token = uniqueId('t')) =>
      track(await WireClient.register(b.wsUrl(id, token)));

    before(async () => {
      b = await target.start({ expireTimeoutMs: EXPIRE_MS });
    });
    after(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await b.stop();
    });

    it('answers a registration with exactly {"type":"OPEN"}', async () => {
      const c = track(await WireClient.connect(b.wsUrl(uniqueId(), 'tok')));
      await c.next((f) => f.type === 'OPEN');
      assert.equal(c.raw[0], '{"type":"OPEN"}');
    });

    for (const [what, make] of [
      ['id', (b: BrokerUnderTest) => b.wsUrl('', 'tok')],
      ['token', (b: BrokerUnderTest) => b.wsUrl(uniqueId(), '')],
      ['key', (b: BrokerUnderTest) => b.wsUrl(uniqueId(), 'tok', '')],
    ] as const) {
      it(`refuses a missing ${what} with ERROR then closes`, async () => {
        const c = track(await WireClient.connect(make(b)));
        const f = await c.next();
        assert.equal(f.type, 'ERROR');
        assert.equal((f.payload as { msg: string }).msg, TEXT.missing);
        await c.closed;
        if (ours) {
          assert.equal((f.payload as { code: string }).code, 'BROKER_MISSING_PARAMS');
          assert.equal((await c.closed).code, 4400);
        }
      });
    }

    it('refuses a wrong key with ERROR "Invalid key provided" then closes', async () => {
      const c = track(await WireClient.connect(b.wsUrl(uniqueId(), 'tok', 'not-the-key')));
      const f = await c.next();
      assert.deepEqual(
        { type: f.type, msg: (f.payload as { msg: string }).msg },
        { type: 'ERROR', msg: TEXT.invalidKey },
      );
      const closed = await c.closed;
      if (ours) assert.equal(closed.code, 4401);
    });

    it('answers ID-TAKEN to a second socket with the same id and another token', async () => {
      const id = uniqueId();
      await register(id, 'first-token');
      const c = track(await WireClient.connect(b.wsUrl(id, 'other-token')));
      const f = await c.next();
      assert.equal(f.type, 'ID-TAKEN');
      assert.equal((f.payload as { msg: string }).msg, TEXT.idTaken);
      const closed = await c.closed;
      if (ours) assert.equal(closed.code, 4409);
    });

    it('relays OFFER/ANSWER/CANDIDATE with src set by the broker and only type,src,dst,payload', async () => {
      const alice = uniqueId('alice');
      const bob = uniqueId('bob');
      const a = await register(alice);
      const c = await register(bob);
      const payload = {
        sdp: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' },
        n: [1, 'é', null],
        connectionId: 'dc_x',
      };
      for (const type of ['OFFER', 'ANSWER', 'CANDIDATE']) {
        a.send({ type, dst: bob, src: 'mallory', extra: 'dropped', payload });
        const f = await c.next((m) => m.type === type);
        assert.deepEqual(f, { type, src: alice, dst: bob, payload });
        assert.deepEqual(Object.keys(f), ['type', 'src', 'dst', 'payload']);
      }
      c.send({ type: 'ANSWER', dst: alice, payload: { x: 1 } });
      assert.deepEqual(await a.next((m) => m.type === 'ANSWER'), {
        type: 'ANSWER',
        src: bob,
        dst: alice,
        payload: { x: 1 },
      });
    });

    it('accepts HEARTBEAT without answering', async () => {
      const c = await register();
      c.send({ type: 'HEARTBEAT' });
      c.send({ type: 'HEARTBEAT' });
      await sleep(300);
      assert.deepEqual(c.raw, ['{"type":"OPEN"}']);
      assert.ok(c.isOpen);
    });

    it('queues messages for an offline id and delivers them in order after its OPEN', async () => {
      const sender = uniqueId('s');
      const late = uniqueId('late');
      const s = await register(sender);
      s.send({ type: 'OFFER', dst: late, payload: { seq: 1 } });
      s.send({ type: 'CANDIDATE', dst: late, payload: { seq: 2 } });
      await sleep(100);
      const c = track(await WireClient.connect(b.wsUrl(late, 'tok')));
      const f1 = await c.next();
      const f2 = await c.next();
      const f3 = await c.next();
      assert.equal(f1.type, 'OPEN');
      assert.deepEqual(f2, { type: 'OFFER', src: sender, dst: late, payload: { seq: 1 } });
      assert.deepEqual(f3, { type: 'CANDIDATE', src: sender, dst: late, payload: { seq: 2 } });
    });

    it('answers EXPIRE once per sender/destination when queued messages time out', async () => {
      const sender = uniqueId('s');
      const ghost = uniqueId('ghost');
      const s = await register(sender);
      s.send({ type: 'OFFER', dst: ghost, payload: { a: 1 } });
      s.send({ type: 'CANDIDATE', dst: ghost, payload: { a: 2 } });
      s.send({ type: 'CANDIDATE', dst: ghost, payload: { a: 3 } });
      const f = await s.next((m) => m.type === 'EXPIRE');
      assert.deepEqual(f, { type: 'EXPIRE', src: ghost, dst: sender });
      await sleep(SETTLE_MS);
      assert.equal(s.ofType('EXPIRE').length, 1);
      // The queue is gone: the ghost registering now receives nothing but OPEN.
      const g = track(await WireClient.register(b.wsUrl(ghost, 'tok')));
      await sleep(300);
      assert.deepEqual(g.raw, ['{"type":"OPEN"}']);
    });

    it('does not queue LEAVE or EXPIRE for an offline id', async () => {
      const s = await register();
      const ghost = uniqueId('ghost');
      s.send({ type: 'LEAVE', dst: ghost });
      s.send({ type: 'EXPIRE', dst: ghost });
      await sleep(200);
      const g = track(await WireClient.register(b.wsUrl(ghost, 'tok')));
      await sleep(300);
      assert.deepEqual(g.raw, ['{"type":"OPEN"}']);
      assert.equal(s.ofType('EXPIRE').length, 0);
    });

    it('relays a client LEAVE to a connected id with the true src', async () => {
      const a = await register(uniqueId('a'));
      const bobId = uniqueId('bob');
      const c = await register(bobId);
      a.send({ type: 'LEAVE', dst: bobId, src: 'forged' });
      const f = await c.next((m) => m.type === 'LEAVE');
      assert.notEqual(f.src, 'forged');
    });

    it('frees an id when its socket closes', async () => {
      const id = uniqueId();
      const c = await register(id, 'one');
      await c.close();
      await waitFor(async () => {
        const again = await WireClient.connect(b.wsUrl(id, 'two'));
        const f = await again.next();
        track(again);
        if (f.type === 'OPEN') return true;
        await again.close();
        return false;
      }, 'id to be released');
    });

    it('[improvement] same-token re-attach: OPEN and the old socket closed', async (t) => {
      const id = uniqueId('re');
      const old = await register(id, 'same-token');
      const fresh = track(await WireClient.connect(b.wsUrl(id, 'same-token')));
      const peer = await register();
      await improvement(
        t,
        'no OPEN on same-token re-attach and the old socket stays open (peerjs#1289, peerjs-server PR #462)',
        async () => {
          await fresh.next((f) => f.type === 'OPEN');
          assert.equal((await old.closed).code, 4410);
        },
        async () => {
          await sleep(500);
          assert.equal(fresh.ofType('OPEN').length, 0);
          assert.ok(old.isOpen);
        },
      );
      // Either way, messages for the id now go to the new socket.
      peer.send({ type: 'OFFER', dst: id, payload: { to: 'new' } });
      assert.deepEqual((await fresh.next((f) => f.type === 'OFFER')).payload, { to: 'new' });
    });

    it('[improvement] malformed, non-object and unknown-type frames: ERROR, socket stays usable', async (t) => {
      const a = await register();
      const bobId = uniqueId('bob');
      const c = await register(bobId);
      a.send('{not json');
      a.send('[1,2,3]');
      a.send('"text"');
      a.send({ type: 'NOT-A-TYPE', dst: bobId });
      a.send({ type: 'OFFER' });
      a.send({ type: 'OFFER', dst: bobId, payload: { still: 'works' } });
      await improvement(
        t,
        'bad frames get no ERROR; after an unparsable frame the stock server stops relaying that socket',
        async () => {
          const codes: unknown[] = [];
          for (let i = 0; i < 5; i++)
            codes.push(((await a.next((f) => f.type === 'ERROR')).payload as { code: string }).code);
          assert.deepEqual(codes, [
            'SIGNALING_MALFORMED_JSON',
            'SIGNALING_NOT_AN_OBJECT',
            'SIGNALING_NOT_AN_OBJECT',
            'SIGNALING_UNKNOWN_TYPE',
            'SIGNALING_MISSING_DST',
          ]);
          assert.deepEqual((await c.next((f) => f.type === 'OFFER')).payload, { still: 'works' });
          assert.ok(a.isOpen);
        },
        async () => {
          await sleep(500);
          assert.equal(a.ofType('ERROR').length, 0);
          t.diagnostic(
            `stock peer relayed ${c.ofType('OFFER').length} of 1 valid frames sent after the bad ones`,
          );
        },
      );
      // Either way the server keeps serving other sockets.
      const other = await register();
      other.send({ type: 'OFFER', dst: bobId, payload: { from: 'other' } });
      assert.deepEqual(
        (await c.next((f) => f.type === 'OFFER' && (f.payload as { from?: string }).from === 'other'))
          .payload,
        {
          from: 'other',
        },
      );
    });

    it('[improvement] hostile ids are refused at admission', async (t) => {
      const hostile = ['a/b', '<script>', 'x'.repeat(300), 'a  b', '-lead', 'new\nline'];
      for (const id of hostile) {
        const c = track(await WireClient.connect(b.wsUrl(id, 'tok')));
        const f = await c.next();
        await improvement(
          t,
          `id ${JSON.stringify(id.slice(0, 20))} accepted (no id validation, peerjs-server#61)`,
          async () => {
            assert.equal(f.type, 'ERROR');
            assert.equal((f.payload as { code: string }).code, 'SIGNALING_INVALID_ID');
            assert.equal((await c.closed).code, 4400);
          },
          async () => {
            assert.equal(f.type, 'OPEN');
            await c.close();
          },
        );
      }
    });

    it('GET {path} answers JSON with name and description', async () => {
      const r = await fetch(b.httpUrl('/'));
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
      const body = (await r.json()) as Record<string, unknown>;
      assert.equal(typeof body.name, 'string');
      assert.equal(typeof body.description, 'string');
    });

    it('GET {path}{key}/id answers a bare unregistered UUID as text/html', async () => {
      const r = await fetch(b.httpUrl('/peerjs/id?ts=123&version=1.5.5'));
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await r.text(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });

    it('GET {path}{key}/peers is 401 without discovery', async () => {
      const r = await fetch(b.httpUrl('/peerjs/peers'));
      assert.equal(r.status, 401);
      await r.arrayBuffer();
    });

    it('CORS reflects the Origin by default', async () => {
      const r = await fetch(b.httpUrl('/peerjs/id'), { headers: { Origin: 'https://app.example' } });
      assert.equal(r.headers.get('access-control-allow-origin'), 'https://app.example');
      await r.text();
    });

    it('unknown HTTP routes are 404', async () => {
      const r = await fetch(b.httpUrl('/nope/nope/nope'));
      assert.equal(r.status, 404);
      await r.arrayBuffer();
    });
  });

  describe(`PeerJS wire conformance: ${target.name}, liveness (alive_timeout ${ALIVE_MS} ms)`, () => {
    let b: BrokerUnderTest;
    const clients: WireClient[] = [];
    before(async () => {
      b = await target.start({ aliveTimeoutMs: ALIVE_MS, expireTimeoutMs: 5_000 });
    });
    after(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await b.stop();
    });

    it('keeps a heartbeating client and drops a silent one, freeing its id', async () => {
      const liveId = uniqueId('live');
      const silentId = uniqueId('silent');
      const live = await WireClient.register(b.wsUrl(liveId, 'tok'));
      const silent = await WireClient.register(b.wsUrl(silentId, 'tok'));
      clients.push(live, silent);
      live.startHeartbeat(250);
      const closed = await Promise.race([
        silent.closed,
        sleep(ALIVE_MS * 2 + WAIT_MS).then(() => assert.fail('silent client was not dropped')),
      ]);
      if (ours) assert.equal(closed.code, 4408);
      assert.ok(live.isOpen, 'heartbeating client must stay connected');
      // The silent id is free for a new token.
      const again = await WireClient.register(b.wsUrl(silentId, 'new-token'));
      clients.push(again);
      // And the live client still relays.
      again.send({ type: 'OFFER', dst: liveId, payload: { ok: true } });
      assert.deepEqual((await live.next((f) => f.type === 'OFFER')).payload, { ok: true });
    });
  });

  describe(`PeerJS wire conformance: ${target.name}, options (path, limit, discovery, CORS list)`, () => {
    let b: BrokerUnderTest;
    const clients: WireClient[] = [];
    before(async () => {
      b = await target.start({
        path: '/myapp',
        concurrentLimit: 2,
        allowDiscovery: true,
        args: ['--cors', 'https://a.example', '--cors', 'https://b.example'],
      });
    });
    after(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await b.stop();
    });

    it('serves WebSocket and HTTP under the path prefix', async () => {
      const id = uniqueId();
      const c = await WireClient.register(b.wsUrl(id, 'tok'));
      clients.push(c);
      assert.ok(b.wsUrl(id, 'tok').includes('/myapp/peerjs?'));
      const r = await fetch(b.httpUrl('/myapp/peerjs/peers'));
      assert.equal(r.status, 200);
      assert.ok(((await r.json()) as string[]).includes(id));
      const info = await fetch(b.httpUrl('/myapp'));
      assert.equal(info.status, 200);
      await info.arrayBuffer();
    });

    it('refuses registrations beyond concurrent_limit with ERROR', async () => {
      const second = await WireClient.register(b.wsUrl(uniqueId(), 'tok'));
      clients.push(second);
      const third = await WireClient.connect(b.wsUrl(uniqueId(), 'tok'));
      clients.push(third);
      const f = await third.next();
      assert.equal(f.type, 'ERROR');
      assert.equal((f.payload as { msg: string }).msg, TEXT.full);
      const closed = await third.closed;
      if (ours) assert.equal(closed.code, 4503);
    });

    it('CORS with an allow-list reflects listed origins only', async () => {
      const ok = await fetch(b.httpUrl('/myapp/peerjs/id'), { headers: { Origin: 'https://b.example' } });
      assert.equal(ok.headers.get('access-control-allow-origin'), 'https://b.example');
      await ok.text();
      const no = await fetch(b.httpUrl('/myapp/peerjs/id'), { headers: { Origin: 'https://evil.example' } });
      assert.equal(no.headers.get('access-control-allow-origin'), null);
      await no.text();
    });
  });
}
