/**
 * Browser end-to-end support: builds apps/web into a private folder, serves that build from a tiny
 * static server on loopback (with the CSP header the build ships), and
 * launches Debian's Chromium through playwright-core, confined to loopback ICE.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type BrokerUnderTest, LOOPBACK, REPO_ROOT, startOurBroker } from '../support/brokers.js';
import { launchChromium } from '../support/chromium.js';
import { type CuttablePath, PATH_INIT } from '../support/udp-path.js';

export const WEB_DIR = join(REPO_ROOT, 'apps', 'web');
export { CHROMIUM, launchChromium } from '../support/chromium.js';

/**
 * A production build of the web app for this test run only, in a temporary folder: other test
 * files and other `npm test` runs on the machine rebuild apps/web/dist concurrently, and a server
 * must never serve a half-written build. Returns the folder; `removeBuild` deletes it.
 */
export function buildWeb(): string {
  const outDir = mkdtempSync(join(tmpdir(), 'enkrypted-web-'));
  const r = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: WEB_DIR, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`web build failed:\n${r.stdout}\n${r.stderr}`);
  return outDir;
}

export function removeBuild(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Total bytes of the production build (every file under dist). */
export function buildSize(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    total += st.isDirectory() ? buildSize(p) : st.size;
  }
  return total;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `dir` on 127.0.0.1 with the headers of `security-headers.json`, except Permissions-Policy:
 * the test needs one fake-microphone getUserMedia so Chromium enumerates the loopback interface
 * (deps.md §5); the product keeps the header.
 */
export async function serveStatic(dir: string): Promise<StaticServer> {
  const headers = JSON.parse(readFileSync(join(dir, 'security-headers.json'), 'utf8')) as Record<
    string,
    string
  >;
  delete headers['Permissions-Policy'];
  const root = normalize(dir + sep);
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = normalize(join(dir, path === '/' ? 'index.html' : decodeURIComponent(path)));
    if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://${LOOPBACK}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Runs before any page script (injected by the driver, so the page's CSP does not apply to it):
 * records CSP violations, grants the interface enumeration, and keeps ICE on 127.0.0.1 by dropping
 * every other remote candidate, in trickled candidates and in SDP alike.
 */
export const PAGE_INIT = `(() => {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  navigator.mediaDevices.getUserMedia({ audio: true }).then((s) => s.getTracks().forEach((t) => t.stop())).catch(() => {});
  const loop = (c) => / 127\\.0\\.0\\.1 /.test(c);
  const P = RTCPeerConnection.prototype;
  const addIce = P.addIceCandidate;
  P.addIceCandidate = function (c, ...rest) {
    const text = c && typeof c === 'object' ? c.candidate : undefined;
    if (text && !loop(text)) return Promise.resolve();
    return addIce.call(this, c, ...rest);
  };
  const setRemote = P.setRemoteDescription;
  P.setRemoteDescription = function (d, ...rest) {
    if (d && d.sdp) {
      const sdp = d.sdp.split('\\r\\n').filter((l) => !l.startsWith('a=candidate:') || loop(l)).join('\\r\\n');
      d = { type: d.type, sdp };
    }
    return setRemote.call(this, d, ...rest);
  };
})();`;

/** `path`: route the context's WebRTC traffic through a cuttable path (see udp-path.ts). */
export async function newContext(
  browser: Browser,
  phone: boolean,
  path?: CuttablePath,
): Promise<BrowserContext> {
  const ctx = await browser.newContext(
    phone
      ? // The phone also runs the dark scheme, so the screenshots show both.
        {
          viewport: { width: 390, height: 844 },
          deviceScaleFactor: 1,
          isMobile: true,
          hasTouch: true,
          colorScheme: 'dark',
        }
      : { viewport: { width: 1100, height: 760 }, colorScheme: 'light' },
  );
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write', 'microphone']);
  await ctx.addInitScript(PAGE_INIT);
  if (path) {
    await ctx.exposeFunction('__pathPort', (port: number) => path.portFor(port));
    await ctx.addInitScript(PATH_INIT);
  }
  return ctx;
}

/**
 * First run on `page`: opens the app at `appUrl`, names the user, points it at `brokerUrl`, creates
 * the identity, waits until it is registered, and returns the peer id it shows.
 */
export async function createIdentity(page: Page, appUrl: string, brokerUrl: string, name: string) {
  await page.goto(appUrl);
  await page.getByLabel(/Display name/).fill(name);
  await page.getByText('Advanced: broker').click();
  await page.getByLabel(/Broker URL/).fill(brokerUrl);
  await page.getByRole('button', { name: 'Create my identity' }).click();
  await page.getByTestId('broker-state').filter({ hasText: 'Online' }).waitFor({ timeout: 60_000 });
  return (await page.getByTestId('own-id').first().textContent()) ?? '';
}

/** What a browser test runs against: a private build served on loopback, our broker, Chromium. */
export interface WebRig {
  broker: BrokerUnderTest;
  server: StaticServer;
  browser: Browser;
  brokerUrl: string;
  stop(): Promise<void>;
}

export async function startWebRig(): Promise<WebRig> {
  const dist = buildWeb();
  const [broker, server, browser] = await Promise.all([
    startOurBroker(),
    serveStatic(dist),
    launchChromium(),
  ]);
  return {
    broker,
    server,
    browser,
    brokerUrl: `http://127.0.0.1:${broker.port}/`,
    async stop() {
      await browser.close();
      await server.close();
      await broker.stop();
      removeBuild(dist);
    },
  };
}
