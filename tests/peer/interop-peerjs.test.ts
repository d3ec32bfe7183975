/**
 * Interop with the stock `peerjs` 1.5.5 client through our broker, both directions, for the
 * serializations we implement: 'binary' (BinaryPack, the stock default, with chunking), 'raw', 'json'.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ConnectOptions, type DataConnection, generatePeerId } from '@enkrypted/peer';
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

function opened(sc: StockDataConnection): Promise<void> {
  return new Promise<void>((r) => (sc.open ? r() : sc.on('open', r)));
}

interface Pair {
  oc: DataConnection;
  sc: StockDataConnection;
  close(): Promise<void>;
}

/** A stock peerjs client dials our peer (`options` as stock's connect takes them); both ends open. */
async function stockDials(broker: BrokerUnderTest, options?: Record<string, unknown>): Promise<Pair> {
  const ours = await openPeer(broker);
  const stock = await openStockPeer(broker, generatePeerId());
  const close = async () => {
    stock.destroy();
    await ours.close();
  };
  try {
    const incoming = new Promise<DataConnection>((r) => ours.once('connection', r));
    const sc = stock.connect(ours.id, options);
    const oc = await incoming;
    await oc.whenOpen({ timeoutMs: 20_000 });
    await opened(sc);
    return { oc, sc, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Our peer dials a stock peerjs client; both ends open. */
async function weDial(broker: BrokerUnderTest, options: ConnectOptions): Promise<Pair> {
  const ours = await openPeer(broker);
  const stockId = generatePeerId();
  const stock = await openStockPeer(broker, stockId);
  const close = async () => {
    stock.destroy();
    await ours.close();
  };
  try {
    const incoming = new Promise<StockDataConnection>((r) => stock.on('connection', r));
    const oc = await ours.connect(stockId, options);
    const sc = await incoming;
    await opened(sc);
    return { oc, sc, close };
  } catch (err) {
    await close();
    throw err;
  }
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
    const { oc, sc, close } = await stockDials(broker, {
      serialization: 'json',
      reliable: true,
      metadata: { from: 'stock' },
    });
    try {
      assert.equal(oc.serialization, 'json');
      assert.deepEqual(oc.metadata, { from: 'stock' });
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
      await close();
    }
  });

  test('our peer → stock peerjs, raw: text and bytes both ways', async () => {
    const { oc, sc, close } = await weDial(broker, { serialization: 'raw', metadata: { from: 'ours' } });
    try {
      assert.equal(sc.serialization, 'raw');
      assert.deepEqual(sc.metadata, { from: 'ours' });
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
      await close();
    }
  });

  test('stock peerjs with its defaults (binary) → our peer: values, bytes, chunked both ways, close', async () => {
    const { oc, sc, close } = await stockDials(broker); // peerjs's default serialization is 'binary'
    try {
      assert.equal(oc.serialization, 'binary');
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
      await close();
    }
  });

  test('our peer → stock peerjs, binary', async () => {
    const { oc, sc, close } = await weDial(broker, { serialization: 'binary' });
    try {
      assert.equal(sc.serialization, 'binary');
      const atStock = stockCollect(sc, 1);
      await oc.send(['a', { b: new Uint8Array([9]) }]);
      const [got] = (await atStock) as [[string, { b: ArrayBuffer }]];
      assert.equal(got[0], 'a');
      assert.deepEqual(new Uint8Array(got[1].b), new Uint8Array([9]));
      const atOurs = collect(oc, 1);
      sc.send('back');
      assert.deepEqual(await atOurs, ['back']);
    } finally {
      await close();
    }
  });

  test('our peer → stock peerjs, json; then our close() closes the stock side', async () => {
    const { oc, sc, close } = await weDial(broker, { serialization: 'json' });
    try {
      const atStock = stockCollect(sc, 1);
      await oc.send({ deep: { list: [1, 'two', null] } });
      assert.deepEqual(await atStock, [{ deep: { list: [1, 'two', null] } }]);
      const stockClosed = new Promise<void>((r) => sc.on('close', r));
      await oc.close();
      await stockClosed;
    } finally {
      await close();
    }
  });
});
