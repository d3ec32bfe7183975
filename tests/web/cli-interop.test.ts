/**
 * A browser chats with the terminal client: the web app in headless Chromium and `enkrypted chat`
 * (a real process, --json) connect through our broker, run the P3 cascade handshake, exchange
 * messages both ways with receipts, show the same safety number, and files go browser → CLI
 * (inside the chat) and CLI → browser (`enkrypted send`).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { type Running, runCli, runToEnd, tempDir } from '../../apps/cli/test/support.js';
import { createIdentity, newContext, startWebRig, type WebRig } from './support.js';

/** Generous: a loaded 2-core machine can be slow to negotiate WebRTC and run the handshake. */
const WAIT_MS = 60_000;

describe('browser ↔ CLI', () => {
  let rig: WebRig;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let cli: Running | undefined;

  before(async () => {
    [rig, dir] = await Promise.all([startWebRig(), tempDir()]);
  });

  after(async () => {
    cli?.kill();
    await rig?.stop();
    await dir?.remove();
  });

  it('chats both ways end-to-end encrypted with the same safety number; files go both ways', async () => {
    const { brokerUrl } = rig;
    const home = ['--home', join(dir.path, 'cli')];
    const cliId = String((await runToEnd([...home, '--json', 'id'])).events[0]?.id);

    const page: Page = await (await newContext(rig.browser, false)).newPage();
    const webId = await createIdentity(page, rig.server.url, brokerUrl, 'Browser');

    /** The CLI's global options in this test: JSON events, our broker, ICE on loopback. */
    const cliGlobals = [...home, '--json', '--broker', brokerUrl, '--bind', '127.0.0.1'];
    cli = runCli([
      ...cliGlobals,
      '--name',
      'Terminal',
      'chat',
      webId,
      '--wait',
      '--downloads',
      join(dir.path, 'downloads'),
    ]);
    await cli.waitFor((e) => e.event === 'listening', 'cli registered');

    await page.getByRole('button', { name: 'Add contact' }).click();
    await page.getByLabel('Their peer id').fill(cliId);
    await page.getByRole('button', { name: 'Add and connect' }).click();
    const badge = page.locator('[data-link-state="ready"]');
    await badge.waitFor({ timeout: WAIT_MS });
    assert.match((await badge.textContent()) ?? '', /^Encrypted/);
    const ready = await cli.waitFor((e) => e.event === 'ready', 'cli ready');
    assert.equal(ready.encrypted, true);

    const box = page.getByLabel('Message', { exact: true });
    await box.fill('hello terminal');
    await box.press('Enter');
    const got = await cli.waitFor((e) => e.event === 'message', 'message at the cli');
    assert.equal(got.text, 'hello terminal');
    assert.equal(got.from, webId);
    await page
      .locator('.msg-out[data-status="read"]', { hasText: 'hello terminal' })
      .waitFor({ timeout: WAIT_MS });

    cli.send('hello browser');
    await page.locator('.msg-in', { hasText: 'hello browser' }).waitFor({ timeout: WAIT_MS });
    await cli.waitFor((e) => e.event === 'receipt' && e.status === 'delivered', 'delivered at the cli');
    await cli.waitFor((e) => e.event === 'hello' && e.name === 'Browser', 'hello from the browser');

    await page.getByRole('button', { name: 'Safety number' }).click();
    const shown = (await page.locator('body').textContent()) ?? '';
    const digits = String(ready.safetyNumber).replace(/ /g, '');
    assert.equal(digits.length, 60);
    assert.ok(shown.replace(/\s/g, '').includes(digits), 'the browser shows the CLI safety number');

    await page.getByRole('button', { name: '← Back to chat' }).click();
    const bytes = randomBytes(300 * 1024);
    await page.getByLabel('Choose a file to send').setInputFiles({
      name: 'from-browser.bin',
      mimeType: 'application/octet-stream',
      buffer: bytes,
    });
    const file = await cli.waitFor((e) => e.event === 'file', 'file at the cli');
    assert.equal(file.name, 'from-browser.bin');
    assert.deepEqual(await readFile(String(file.path)), bytes);
    await page
      .locator('.msg-out[data-status="delivered"], .msg-out[data-status="read"]', {
        hasText: 'from-browser.bin',
      })
      .waitFor({ timeout: WAIT_MS });

    cli.endInput();
    assert.equal(await cli.exited, 0);

    /**
     * `enkrypted send` (a new process, same home and id) dials the browser, which accepts the new
     * session (a fresh handshake with the pinned identity) and receives the file; the browser's
     * download is compared byte for byte. Returns the send's events and the browser's message.
     */
    const sendFromCli = async (name: string, bytes: Buffer, extra: string[]) => {
      const source = join(dir.path, name);
      await writeFile(source, bytes);
      const r = await runToEnd([...cliGlobals, 'send', ...extra, webId, source]);
      assert.equal(r.code, 0, `send ${extra.join(' ')} failed: ${JSON.stringify(r.events.slice(-3))}`);
      const received = page.locator('.msg-in [data-transfer-state="done"]', { hasText: name });
      await received.waitFor({ timeout: WAIT_MS });
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name }).click(),
      ]);
      assert.deepEqual(await readFile((await download.path()) ?? ''), bytes);
      return { events: r.events, received };
    };
    await sendFromCli('from-cli.bin', randomBytes(200 * 1024), []);

    // `send --fast-path`: a loud warning first; the bytes take the browser's DTLS-only fast path
    // (the offer and its SHA-256 still go through the secure session) and arrive intact, marked so.
    const fast = await sendFromCli('fast-from-cli.bin', randomBytes(96 * 1024), ['--fast-path']);
    const warning = fast.events.find((e) => e.event === 'error' && e.code === 'WARNING');
    assert.match(String(warning?.message), /NOT end-to-end encrypted/);
    await fast.received.getByText('DTLS only').waitFor();
  });
});
