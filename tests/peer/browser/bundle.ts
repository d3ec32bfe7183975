/**
 * Builds the browser bundle of the peer library (esbuild, the `browser` condition first, then
 * `source` so workspace packages come from their TypeScript sources).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { LOOPBACK, REPO_ROOT } from '../../support/brokers.js';

export async function buildBrowserBundle(): Promise<string> {
  const result = await build({
    entryPoints: [join(REPO_ROOT, 'tests', 'peer', 'browser', 'page-entry.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    conditions: ['browser', 'source'],
    logLevel: 'silent',
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error('esbuild produced no output');
  return out.text;
}

export interface BundlePage {
  /** `http://127.0.0.1:<port>`: a blank page that loads the bundle (`window.enkrypted…`). */
  origin: string;
  close(): Promise<void>;
}

/** Builds the bundle and serves it on loopback behind a blank HTML page. */
export async function serveBundlePage(): Promise<BundlePage> {
  const bundle = await buildBrowserBundle();
  const http: Server = createServer((req, res) => {
    if (req.url === '/bundle.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(bundle);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><meta charset="utf-8"><script src="/bundle.js"></script>');
    }
  });
  await new Promise<void>((r) => http.listen(0, LOOPBACK, r));
  return {
    origin: `http://${LOOPBACK}:${(http.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => http.close(() => r())),
  };
}

/**
 * A new page of `browser` on the bundle page at `origin`. tsx compiles tests with esbuild's
 * keepNames, which wraps functions passed to evaluate() in a `__name` helper that only exists in
 * Node: the page gets a no-op one.
 */
export async function openBundlePage(browser: Browser, origin: string): Promise<Page> {
  const page = await browser.newPage();
  await page.addInitScript('globalThis.__name = (f) => f;');
  await page.goto(origin);
  return page;
}
