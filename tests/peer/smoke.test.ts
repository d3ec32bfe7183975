import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startStockPeerServer } from '../support/brokers.js';
import { collect, openPeer } from './support.js';

test('smoke', async () => {
  const broker = await startStockPeerServer();
  try {
    const a = await openPeer(broker);
    const b = await openPeer(broker);
    const accepted = new Promise<import('@enkrypted/peer').DataConnection>((r) => b.on('connection', r));
    const ca = await a.connect(b.id);
    const cb = await accepted;
    await cb.whenOpen();
    const got = collect(cb, 3);
    await ca.send('x');
    await ca.send(new Uint8Array([1, 2]));
    await ca.send('z');
    assert.deepEqual((await got).length, 3);
    await a.close();
    await b.close();
  } finally {
    await broker.stop();
  }
});
