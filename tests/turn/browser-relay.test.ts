/**
 * A Chromium page in relay-only mode, with credentials it fetches from the broker, connects to a
 * relay-only Node peer through a real coturn; the broker's own counter of relayed candidate types
 * shows that no host, srflx or prflx candidate crossed it (only relay), and the page's selected
 * pair is relay. The page is served from another origin than the broker, so the credentials
 * request also goes through CORS (preflight included) as in a deployment.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DataConnection, Peer } from '@enkrypted/peer';
import type { Browser } from 'playwright-core';
import { type BundlePage, openBundlePage, serveBundlePage } from '../peer/browser/bundle.js';
import type { BrokerUnderTest } from '../support/brokers.js';
import { CHROMIUM_MISSING, launchChromium } from '../support/chromium.js';
import { COTURN_MISSING, type Coturn, startCoturn } from './coturn.js';
import { relayedCandidateCounts, selectedPairTypes, startTurnBroker, turnPeerOptions } from './support.js';

const MESSAGES = 20;

describe('Chromium relay-only ↔ Node through coturn', { skip: CHROMIUM_MISSING || COTURN_MISSING }, () => {
  let coturn: Coturn;
  let broker: BrokerUnderTest;
  let dir: string;
  let site: BundlePage;
  let browser: Browser;
  let origin: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'turn-browser-'));
    [coturn, site] = await Promise.all([startCoturn(), serveBundlePage()]);
    origin = site.origin;
    broker = await startTurnBroker(coturn, dir);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await broker?.stop();
    await coturn?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  interface PageRun {
    echoes: unknown[];
    /** Dials the page needed (a second one only after a failed ICE negotiation). */
    attempts: number;
    local: unknown;
    remote: unknown;
    nodePair: Awaited<ReturnType<typeof selectedPairTypes>> | undefined;
  }

  /**
   * A relay-only Node peer (broker-issued credentials) echoes; the page opens a relay-only Peer with
   * `pageOptions`, sends MESSAGES and reports its selected pair from getStats.
   */
  async function runPage(pageOptions: Record<string, unknown>): Promise<PageRun> {
    const node = await Peer.open(turnPeerOptions(broker, { turn: 'broker', iceTransportPolicy: 'relay' }), {
      timeoutMs: 20_000,
    });
    // Read while the connection is up (the page closes its side when done).
    let nodePair: ReturnType<typeof selectedPairTypes> | undefined;
    node.on('connection', (conn: DataConnection) => {
      conn.on('data', (d) => {
        nodePair ??= selectedPairTypes(conn.peerConnection);
        void conn.send({ echo: d });
      });
    });
    const page = await openBundlePage(browser, origin);
    try {
      const result = await page.evaluate(
        async ({ options, remoteId, count }) => {
          // As in tests/peer/browser.test.ts: full interface enumeration, so host candidates would
          // exist if relay-only leaked them.
          const media = await navigator.mediaDevices.getUserMedia({ audio: true });
          for (const t of media.getTracks()) t.stop();
          const lib = (globalThis as unknown as { enkryptedPeer: typeof import('@enkrypted/peer') })
            .enkryptedPeer;
          const peer = await lib.Peer.open(
            { ...(options as import('@enkrypted/peer').PeerOptions), iceTransportPolicy: 'relay' },
            { timeoutMs: 20_000 },
          );
          // A relayed ICE negotiation between Chromium and libjuice on a loaded loopback fails now
          // and then (about 1 in 4 CI runs; cause not found yet, see the session note). Apps redial;
          // so does the page, once. Every attempt's candidates count for the broker-side check.
          let conn: import('@enkrypted/peer').DataConnection | undefined;
          let attempts = 0;
          while (!conn) {
            attempts += 1;
            try {
              conn = await peer.connect(remoteId, { serialization: 'json', timeoutMs: 30_000 });
            } catch (err) {
              if (attempts >= 2 || (err as { code?: string }).code !== 'NEGOTIATION_FAILED') throw err;
            }
          }
          const echoes: unknown[] = [];
          const done = new Promise<void>((resolve) =>
            conn.on('data', (d) => {
              echoes.push(d);
              if (echoes.length === count) resolve();
            }),
          );
          for (let i = 0; i < count; i++) await conn.send({ i });
          await done;
          const stats = await conn.peerConnection!.getStats();
          const byId = new Map<string, Record<string, unknown>>();
          stats.forEach((v: Record<string, unknown>) => {
            byId.set(String(v.id), v);
          });
          let pair: Record<string, unknown> | undefined;
          for (const v of byId.values()) {
            if (v.type === 'transport' && typeof v.selectedCandidatePairId === 'string') {
              pair = byId.get(v.selectedCandidatePairId);
            }
          }
          const local = pair ? byId.get(String(pair.localCandidateId)) : undefined;
          const remote = pair ? byId.get(String(pair.remoteCandidateId)) : undefined;
          await peer.close();
          return {
            echoes,
            attempts,
            local: local?.candidateType,
            remote: remote?.candidateType,
          };
        },
        {
          options: {
            host: broker.host,
            port: broker.port,
            path: broker.path,
            key: broker.key,
            ...pageOptions,
          },
          remoteId: node.id,
          count: MESSAGES,
        },
      );
      return { ...result, nodePair: await nodePair };
    } finally {
      await page.close();
      await node.close();
    }
  }

  test('the page connects relay↔relay and none of its host or srflx candidates reach the broker', async (t) => {
    const before = await relayedCandidateCounts(broker);
    const run = await runPage({ turn: 'broker' });
    if (run.attempts > 1) t.diagnostic(`the page needed ${run.attempts} dials (relayed ICE failed once)`);
    assert.deepEqual(
      run.echoes,
      Array.from({ length: MESSAGES }, (_, i) => ({ echo: { i } })),
    );
    assert.equal(run.local, 'relay', 'the page sent through its relay');
    assert.equal(run.remote, 'relay');
    assert.deepEqual(run.nodePair, { local: 'relay', remote: 'relay' });
    const after = await relayedCandidateCounts(broker);
    assert.ok((after.relay ?? 0) > (before.relay ?? 0), 'relay candidates crossed the broker');
    for (const type of ['host', 'srflx', 'prflx']) {
      assert.equal(after[type], before[type], `no ${type} candidate crossed the broker`);
    }
  });
});
