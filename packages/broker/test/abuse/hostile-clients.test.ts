/**
 * Hostile clients against a real broker process. In every case: the broker stays up, the offender
 * gets a clear ERROR or its own socket closed with a code and reason, other peers keep signaling,
 * and a message queued for an offline peer before the abuse is still delivered after it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { type BrokerUnderTest, startOurBroker } from '../../../../tests/support/brokers.js';
import { sleep, uniqueId, WAIT_MS, WireClient } from '../../../../tests/support/wire-client.js';

const PER_IP_LIMIT = 50;
const ALIVE_MS = 1_500;

/** A client appearing to come from `ip` (the broker runs with --trust-proxy). */
function connectFrom(url: string, ip: string): Promise<WireClient> {
  return WireClient.connectWith(url, { headers: { 'X-Forwarded-For': ip } });
}
async function registerFrom(url: string, ip: string): Promise<WireClient> {
  const c = await connectFrom(url, ip);
  const f = await c.next((m) => m.type === 'OPEN' || m.type === 'ERROR' || m.type === 'ID-TAKEN');
  if (f.type !== 'OPEN') throw new Error(`expected OPEN, got ${JSON.stringify(f)}`);
  return c;
}

describe('broker under abuse', () => {
  let b: BrokerUnderTest;
  const clients: WireClient[] = [];
  const track = (c: WireClient) => {
    clients.push(c);
    return c;
  };
  let n = 0;

  /** Bystanders from other addresses: an online pair and a message queued for an offline peer. */
  async function bystanders() {
    n += 1;
    const aId = uniqueId('by');
    const bId = uniqueId('by');
    const vId = uniqueId('victim');
    const a = track(await registerFrom(b.wsUrl(aId, 'tok'), `10.1.${n}.1`));
    const c = track(await registerFrom(b.wsUrl(bId, 'tok'), `10.1.${n}.2`));
    a.startHeartbeat(300);
    c.startHeartbeat(300);
    a.send({ type: 'OFFER', dst: vId, payload: { queued: n } });
    await sleep(100);
    return {
      async verify() {
        const r = await fetch(b.httpUrl('/healthz'));
        assert.equal(r.status, 200);
        await r.arrayBuffer();
        assert.ok(a.isOpen && c.isOpen, 'bystanders stay connected');
        a.send({ type: 'CANDIDATE', dst: bId, payload: { live: n } });
        assert.deepEqual((await c.next((f) => f.type === 'CANDIDATE')).payload, { live: n });
        const v = track(await registerFrom(b.wsUrl(vId, 'tok'), `10.1.${n}.3`));
        assert.deepEqual(await v.next((f) => f.type === 'OFFER'), {
          type: 'OFFER',
          src: aId,
          dst: vId,
          payload: { queued: n },
        });
      },
    };
  }

  before(async () => {
    b = await startOurBroker({
      aliveTimeoutMs: ALIVE_MS,
      expireTimeoutMs: 60_000,
      args: [
        '--trust-proxy',
        '--per-ip-limit',
        String(PER_IP_LIMIT),
        '--rate-limit',
        '50',
        '--rate-burst',
        '100',
        '--queue-total-bytes',
        '65536',
        '--log-level',
        'warn',
      ],
    });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await b.stop();
  });

  it('garbage frames: each answered with an ERROR code, the socket stays usable', async () => {
    const by = await bystanders();
    const bad = track(await registerFrom(b.wsUrl(uniqueId('bad'), 'tok'), '10.66.0.1'));
    const deep = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    const frames: Array<[unknown, string]> = [
      ['', 'SIGNALING_MALFORMED_JSON'],
      ['\u0000\u0001', 'SIGNALING_MALFORMED_JSON'],
      [deep, 'SIGNALING_NOT_AN_OBJECT'],
      ['null', 'SIGNALING_NOT_AN_OBJECT'],
      ['{"type":{"x":1},"dst":"a"}', 'SIGNALING_UNKNOWN_TYPE'],
      ['{"__proto__":{"type":"OFFER"},"dst":"a"}', 'SIGNALING_UNKNOWN_TYPE'],
      ['{"type":"OPEN"}', 'SIGNALING_UNKNOWN_TYPE'],
      ['{"type":"OFFER","dst":42}', 'SIGNALING_INVALID_DST'],
      ['{"type":"OFFER","dst":["a"]}', 'SIGNALING_INVALID_DST'],
      ['{"type":"OFFER","dst":"../../etc"}', 'SIGNALING_INVALID_DST'],
      ['{"type":"CANDIDATE","payload":{}}', 'SIGNALING_MISSING_DST'],
    ];
    for (const [f] of frames) bad.send(f as string);
    bad.ws.send(Buffer.from('{"type":"HEARTBEAT"}'), { binary: true });
    const codes: string[] = [];
    for (let i = 0; i < frames.length; i++) {
      codes.push(((await bad.next((m) => m.type === 'ERROR')).payload as { code: string }).code);
    }
    assert.deepEqual(
      codes,
      frames.map(([, code]) => code),
    );
    assert.ok(bad.isOpen);
    await by.verify();
  });

  it('invalid UTF-8 in a text frame: that socket is closed by the WebSocket layer (1007)', async () => {
    const by = await bystanders();
    const bad = track(await registerFrom(b.wsUrl(uniqueId('bad'), 'tok'), '10.66.0.2'));
    // A text frame whose bytes are not UTF-8: ws on the client would refuse to build one, so send
    // the frame by hand on the raw socket.
    const payload = Buffer.from([0xff, 0xfe, 0xfd]);
    const mask = Buffer.from([1, 2, 3, 4]);
    const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
    const raw = (bad.ws as unknown as { _socket: import('node:net').Socket })._socket;
    raw.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
    const closed = await bad.closed;
    assert.equal(closed.code, 1007);
    await by.verify();
  });

  it('an oversized frame (1 MiB) closes that socket with 1009; an SDP-sized one is relayed', async () => {
    const by = await bystanders();
    const dstId = uniqueId('dst');
    const dst = track(await registerFrom(b.wsUrl(dstId, 'tok'), '10.66.0.3'));
    const bad = track(await registerFrom(b.wsUrl(uniqueId('big'), 'tok'), '10.66.0.4'));
    const sdp = `v=0\r\n${'a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\r\n'.repeat(150)}`;
    bad.send({ type: 'OFFER', dst: dstId, payload: { sdp: { type: 'offer', sdp } } });
    const got = await dst.next((f) => f.type === 'OFFER');
    assert.equal((got.payload as { sdp: { sdp: string } }).sdp.sdp, sdp);
    bad.send({ type: 'OFFER', dst: dstId, payload: 'x'.repeat(1024 * 1024) });
    const closed = await bad.closed;
    assert.equal(closed.code, 1009);
    assert.ok(dst.isOpen);
    await by.verify();
  });

  it('a flood from one client: ERROR BROKER_RATE_LIMITED, then that socket is closed with 4429', async () => {
    const by = await bystanders();
    const sink = track(await registerFrom(b.wsUrl(uniqueId('sink'), 'tok'), '10.66.0.5'));
    const bad = track(await registerFrom(b.wsUrl(uniqueId('flood'), 'tok'), '10.66.0.6'));
    for (let i = 0; i < 2_000; i++) bad.send({ type: 'CANDIDATE', dst: uniqueId('nobody'), payload: { i } });
    const f = await bad.next(
      (m) => m.type === 'ERROR' && (m.payload as { code: string }).code === 'BROKER_RATE_LIMITED',
    );
    assert.ok(f);
    const closed = await bad.closed;
    assert.deepEqual(closed, { code: 4429, reason: 'rate limit exceeded' });
    assert.ok(sink.isOpen);
    await by.verify();
  });

  it('spraying offers at offline ids: queues stay bounded, the sprayer gets EXPIRE, queued data of others kept', async () => {
    const by = await bystanders();
    const bad = track(await registerFrom(b.wsUrl(uniqueId('spray'), 'tok'), '10.66.0.7'));
    const big = 'y'.repeat(4_000);
    for (let i = 0; i < 90; i++) bad.send({ type: 'OFFER', dst: `ghost${i}`, payload: big });
    // The 64 KiB global budget holds ~14 of these; the rest are refused with an immediate EXPIRE.
    await bad.next((m) => m.type === 'EXPIRE');
    const metrics = await (await fetch(b.httpUrl('/metrics'))).text();
    const queued = Number(/^broker_queued_bytes (\d+)/m.exec(metrics)?.[1]);
    assert.ok(queued <= 65_536, `queued bytes ${queued} within the budget`);
    assert.ok(bad.isOpen);
    await by.verify();
  });

  it(`connections beyond the per-IP limit (${PER_IP_LIMIT}) are refused with HTTP 429`, async () => {
    const by = await bystanders();
    const attempts = await Promise.all(
      Array.from({ length: 200 }, (_, i) => connectFrom(b.wsUrl(`many${i}`, 'tok'), '10.66.0.8')),
    );
    for (const c of attempts) track(c);
    const accepted = attempts.filter((c) => c.isOpen);
    const statuses = await Promise.all(attempts.filter((c) => !c.isOpen).map((c) => c.opened));
    assert.equal(accepted.length, PER_IP_LIMIT);
    assert.equal(statuses.length, 200 - PER_IP_LIMIT);
    assert.ok(statuses.every((s) => s.status === 429));
    await by.verify();
    // Slots come back when sockets close.
    await Promise.all(accepted.slice(0, 5).map((c) => c.close()));
    const again = track(await registerFrom(b.wsUrl(uniqueId('again'), 'tok'), '10.66.0.8'));
    assert.ok(again.isOpen);
    await Promise.all(accepted.map((c) => c.close()));
  });

  it('hostile ids, tokens and keys: ERROR with a code, socket closed with 4400/4401', async () => {
    const by = await bystanders();
    const cases: Array<[string, string, string, string, number]> = [
      ['a\u0000b', 'tok', 'peerjs', 'SIGNALING_INVALID_ID', 4400],
      ['ünïcode', 'tok', 'peerjs', 'SIGNALING_INVALID_ID', 4400],
      ['x'.repeat(5_000), 'tok', 'peerjs', 'SIGNALING_INVALID_ID', 4400],
      ['ok', 'to ken', 'peerjs', 'SIGNALING_INVALID_TOKEN', 4400],
      ['ok', 't\r\nX-Injected: 1', 'peerjs', 'SIGNALING_INVALID_TOKEN', 4400],
      ['ok', 'x'.repeat(300), 'peerjs', 'SIGNALING_INVALID_TOKEN', 4400],
      ['ok', 'tok', '"><script>', 'SIGNALING_INVALID_KEY', 4401],
    ];
    for (const [id, token, key, code, closeCode] of cases) {
      const c = track(await connectFrom(b.wsUrl(id, token, key), '10.66.0.9'));
      const f = await c.next();
      assert.equal(f.type, 'ERROR');
      assert.equal((f.payload as { code: string }).code, code);
      assert.equal((await c.closed).code, closeCode);
    }
    // A request line too long for the HTTP parser is refused before any WebSocket exists.
    const huge = track(await connectFrom(b.wsUrl('x'.repeat(70_000), 'tok'), '10.66.0.9'));
    assert.equal(huge.isOpen, false);
    await by.verify();
  });

  it('a client that never heartbeats is closed with 4408 after alive_timeout; its queue is kept', async () => {
    const by = await bystanders();
    const silentId = uniqueId('silent');
    const silent = track(await registerFrom(b.wsUrl(silentId, 'tok'), '10.66.0.10'));
    const closed = await Promise.race([silent.closed, sleep(ALIVE_MS * 3 + WAIT_MS).then(() => null)]);
    assert.deepEqual(closed, { code: 4408, reason: 'alive timeout' });
    await by.verify();
  });

  it('a socket that never completes admission (no upgrade) and raw garbage do not disturb the broker', async () => {
    const by = await bystanders();
    const net = await import('node:net');
    const sock = net.connect(b.port, b.host);
    await new Promise((r) => sock.once('connect', r));
    sock.write(
      'GET /peerjs?key=peerjs&id=x&token=t HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    );
    const g = net.connect(b.port, b.host);
    await new Promise((r) => g.once('connect', r));
    g.write(Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10]));
    await sleep(200);
    sock.destroy();
    g.destroy();
    const ws = new WebSocket(`ws://${b.host}:${b.port}/elsewhere`);
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
      });
      ws.once('error', () => resolve(0));
    });
    assert.equal(status, 404);
    ws.terminate();
    await by.verify();
  });
});
