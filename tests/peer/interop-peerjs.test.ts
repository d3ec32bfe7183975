/**
 * Interop with the stock `peerjs` 1.5.5 client through our broker, both directions, for the
 * serializations we implement: 'binary' (BinaryPack, the stock default, with chunking), 'raw', 'json'.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DataConnection, generatePeerId } from '@enkrypted/peer';
import { type BrokerUnderTest, startOurBroker } from '../support/brokers.js';
import { openStockPeer, type StockDataConnection } from './stock-peerjs.js';
import { collect, openPeer } from './support.js';

function stockCollect(conn: StockDataConnection, n: number): Promise<unknown[]> {
  return new Promise((resolve) => {
    const got: unknown[] = [];
    conn.on('data', (d) => {
      got.push(d);
      if (got.length === n) resolve(got);
    });
  });
}

describe('interop with the stock peerjs client through our broker', () => {
  let broker: BrokerUnderTest;
  before(async () => {
    broker = await startOurBroker();
  });
  after(async () => {
    await broker.stop();
  });

  test('stock peerjs → our peer, json: objects both ways, metadata kept', async () => {
    const ours = await openPeer(broker);
    const stock = await openStockPeer(broker, generatePeerId());
    try {
      const incoming = new Promise<DataConnection>((r) => ours.once('connection', r));
      const sc = stock.connect(ours.id, {
        serialization: 'json',
        reliable: true,
        metadata: { from: 'stock' },
      });
      const oc = await incoming;
      await oc.whenOpen({ timeoutMs: 20_000 });
      assert.equal(oc.serialization, 'json');
      assert.deepEqual(oc.metadata, { from: 'stock' });
      await new Promise<void>((r) => (sc.open ? r() : sc.on('open', r)));
      const atOurs = collect(oc, 3);
      sc.send({ n: 1, text: 'héllo' });
      sc.send([1, 2, 3]);
      sc.send('plain string');
      assert.deepEqual(await atOurs, [{ n: 1, text: 'héllo' }, [1, 2, 3], 'plain string']);
      const atStock = stockCollect(sc, 2);
      await oc.send({ reply: true });
      await oc.send(42);
      assert.deepEqual(await atStock, [{ reply: true }, 42]);
    } finally {
      stock.destroy();
      await ours.close();
    }
  });

  test('our peer → stock peerjs, raw: text and bytes both ways', async () => {
    const ours = await openPeer(broker);
    const stockId = generatePeerId();
    const stock = await openStockPeer(broker, stockId);
    try {
      const incoming = new Promise<StockDataConnection>((r) => stock.on('connection', r));
      const oc = await ours.connect(stockId, { serialization: 'raw', metadata: { from: 'ours' } });
      const sc = await incoming;
      assert.equal(sc.serialization, 'raw');
      assert.deepEqual(sc.metadata, { from: 'ours' });
      await new Promise<void>((r) => (sc.open ? r() : sc.on('open', r)));
      const atStock = stockCollect(sc, 2);
      await oc.send('hello stock');
      await oc.send(new Uint8Array([1, 2, 3]));
      const [t, b] = await atStock;
      assert.equal(t, 'hello stock');
      assert.deepEqual(new Uint8Array(b as ArrayBuffer), new Uint8Array([1, 2, 3]));
      const atOurs = collect(oc, 2);
      sc.send('hello ours');
      sc.send(new Uint8Array([4, 5]).buffer);
      const [t2, b2] = await atOurs;
      assert.equal(t2, 'hello ours');
      assert.deepEqual(b2, new Uint8Array([4, 5]));
    } finally {
      stock.destroy();
      await ours.close();
    }
  });

  test('stock peerjs with its defaults (binary) → our peer: values, bytes, chunked both ways, close', async () => {
    const ours = await openPeer(broker);
    const stock = await openStockPeer(broker, generatePeerId());
    try {
      const incoming = new Promise<DataConnection>((r) => ours.once('connection', r));
      const sc = stock.connect(ours.id); // peerjs's default serialization is 'binary'
      const oc = await incoming;
      await oc.whenOpen({ timeoutMs: 20_000 });
      assert.equal(oc.serialization, 'binary');
      await new Promise<void>((r) => (sc.open ? r() : sc.on('open', r)));
      const big = new Uint8Array(100_000).map((_, i) => i % 253);
      const atOurs = collect(oc, 3);
      sc.send({ n: 1, text: 'héllo', list: [1, 2.5, true, null] });
      sc.send(new Uint8Array([1, 2, 3]));
      sc.send({ big }); // > 16300 bytes packed: peerjs sends it in chunks
      const [obj, bytes, chunked] = await atOurs;
      assert.deepEqual(obj, { n: 1, text: 'héllo', list: [1, 2.5, true, null] });
      assert.deepEqual(new Uint8Array(bytes as ArrayBuffer), new Uint8Array([1, 2, 3]));
      assert.deepEqual(new Uint8Array((chunked as { big: ArrayBuffer }).big), big);
      const atStock = stockCollect(sc, 2);
      await oc.send({ reply: 'ok', when: 1700000000000 });
      await oc.send(big); // chunked by us, joined by stock
      const [reply, joined] = await atStock;
      assert.deepEqual(reply, { reply: 'ok', when: 1700000000000 });
      assert.deepEqual(new Uint8Array(joined as ArrayBuffer), big);
      assert.equal(oc.droppedFrames, 0);
      const stockClosed = new Promise<void>((r) => sc.on('close', r));
      await oc.close();
      await stockClosed;
    } finally {
      stock.destroy();
      await ours.close();
    }
  });

  test('our peer → stock peerjs, binary', async () => {
    const ours = await openPeer(broker);
    const stockId = generatePeerId();
    const stock = await openStockPeer(broker, stockId);
    try {
      const incoming = new Promise<StockDataConnection>((r) => stock.on('connection', r));
      const oc = await ours.connect(stockId, { serialization: 'binary' });
      const sc = await incoming;
      assert.equal(sc.serialization, 'binary');
      await new Promise<void>((r) => (sc.open ? r() : sc.on('open', r)));
      const atStock = stockCollect(sc, 1);
      await oc.send(['a', { b: new Uint8Array([9]) }]);
      const [got] = (await atStock) as [[string, { b: ArrayBuffer }]];
      assert.equal(got[0], 'a');
      assert.deepEqual(new Uint8Array(got[1].b), new Uint8Array([9]));
      const atOurs = collect(oc, 1);
      sc.send('back');
      assert.deepEqual(await atOurs, ['back']);
    } finally {
      stock.destroy();
      await ours.close();
    }
  });

  test('our peer → stock peerjs, json; then our close() closes the stock side', async () => {
    const ours = await openPeer(broker);
    const stockId = generatePeerId();
    const stock = await openStockPeer(broker, stockId);
    try {
      const incoming = new Promise<StockDataConnection>((r) => stock.on('connection', r));
      const oc = await ours.connect(stockId, { serialization: 'json' });
      const sc = await incoming;
      await new Promise<void>((r) => (sc.open ? r() : sc.on('open', r)));
      const atStock = stockCollect(sc, 1);
      await oc.send({ deep: { list: [1, 'two', null] } });
      assert.deepEqual(await atStock, [{ deep: { list: [1, 'two', null] } }]);
      const stockClosed = new Promise<void>((r) => sc.on('close', r));
      await oc.close();
      await stockClosed;
    } finally {
      stock.destroy();
      await ours.close();
    }
  });
});
