/**
 * Runs the MLS, ML-KEM and AES layers and the Cascade in real headless Chromium: browser-entry.ts is
 * bundled with esbuild (the bundler tsx already ships; the package's own code is not changed) and
 * served from 127.0.0.1. Proves these modules need nothing Node-specific and that ts-mls and
 * @noble/* work with the browser's WebCrypto.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../../tests/support/chromium.js';

const ENTRY = fileURLToPath(new URL('./browser-entry.ts', import.meta.url));

let server: Server;
let browser: Browser;
let base: string;

before(async () => {
  const bundle = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    target: 'es2022',
  });
  const code = bundle.outputFiles[0]?.text ?? '';
  server = createServer((req, res) => {
    if (req.url === '/')
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>crypto</title>');
    else if (req.url === '/entry.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium({ webrtc: false });
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

it('MLS → ML-KEM → AES cascade runs unchanged in Chromium', { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${base}/`);
    const result = await page.evaluate(async (url) => (await import(url)).run(), `${base}/entry.js`);
    assert.equal(result.hasBuffer, false);
    assert.equal(result.hasProcess, false);
    assert.equal(result.roundTrips, result.expectedRoundTrips);
    assert.equal(result.bulkRoundTrips, 4);
    assert.equal(result.tamper, 'CRYPTO_DECRYPT_FAILED');
    assert.equal(result.afterTamper, 'tamper me');
    assert.equal(typeof result.webCryptoEd25519, 'boolean');
  } finally {
    await page.close();
  }
});
