/**
 * Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core): a page using our library
 * registers on our broker, dials a Node peer (the browser offers: deps.md caveat B) and exchanges
 * messages both ways. ICE stays on 127.0.0.1: Chromium only gathers loopback candidates with the
 * loopback flag plus a media permission (deps.md §5), and both sides filter candidates to loopback.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DataConnection, Peer } from '@enkrypted/peer';
import type { Browser } from 'playwright-core';
import { type BrokerUnderTest, startOurBroker } from '../support/brokers.js';
import { CHROMIUM_MISSING, launchChromium } from '../support/chromium.js';
import { type BundlePage, openBundlePage, serveBundlePage } from './browser/bundle.js';
import { openPeer } from './support.js';

const MESSAGES = 200;

describe('browser (headless Chromium) ↔ Node through our broker', {
  skip: CHROMIUM_MISSING,
}, () => {
  let broker: BrokerUnderTest;
  let site: BundlePage;
  let browser: Browser;
  let origin: string;

  before(async () => {
    [broker, site] = await Promise.all([startOurBroker(), serveBundlePage()]);
    origin = site.origin;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await broker?.stop();
  });

  test('a page dials a Node peer, json messages both ways in order', async () => {
    const node: Peer = await openPeer(broker);
    // The Node side echoes every message back with a marker.
    node.on('connection', (conn: DataConnection) => {
      conn.on('data', (d) => {
        void conn.send({ echo: d });
      });
    });
    const page = await openBundlePage(browser, origin);
    try {
      const result = await page.evaluate(
        async ({ broker, remoteId, count }) => {
          // A media permission unlocks full interface enumeration, hence a 127.0.0.1 host candidate.
          const media = await navigator.mediaDevices.getUserMedia({ audio: true });
          for (const t of media.getTracks()) t.stop();
          const lib = (globalThis as unknown as { enkryptedPeer: typeof import('@enkrypted/peer') })
            .enkryptedPeer;
          const peer = await lib.Peer.open(
            { ...broker, candidateFilter: (c: string) => / 127\.0\.0\.1 /.test(c) },
            { timeoutMs: 20_000 },
          );
          const conn = await peer.connect(remoteId, { serialization: 'json', timeoutMs: 30_000 });
          const echoes: unknown[] = [];
          const done = new Promise<void>((resolve) =>
            conn.on('data', (d) => {
              echoes.push(d);
              if (echoes.length === count) resolve();
            }),
          );
          for (let i = 0; i < count; i++) await conn.send({ i, from: 'browser' });
          await done;
          const state = conn.state;
          await peer.close();
          return { echoes, state, peerId: peer.id };
        },
        {
          broker: { host: broker.host, port: broker.port, path: broker.path, key: broker.key },
          remoteId: node.id,
          count: MESSAGES,
        },
      );
      assert.equal(result.state, 'open');
      assert.deepEqual(
        result.echoes,
        Array.from({ length: MESSAGES }, (_, i) => ({ echo: { i, from: 'browser' } })),
      );
    } finally {
      await page.close();
      await node.close();
    }
  });
});
