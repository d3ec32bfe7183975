/**
 * The browser app end to end in headless Chromium: two isolated contexts (a desktop and a phone-sized
 * one) create identities, add each other, connect through our broker, chat both ways with receipts,
 * compare safety numbers, transfer a 5 MiB file and an image, survive a reload, a broker restart and
 * a network drop, remove a contact, and show clear messages for bad input. Writes screenshots to
 * artifacts/screenshots/ and reports the build size and the first-screen time (reported, not asserted).
 *
 * Encryption: while @enkrypted/crypto exports no P3 handshake (`runHandshake`), the app refuses to
 * send, which this test checks first; the chat itself then runs in the clearly marked debug mode.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportIdentity, generateIdentity, webCryptoRandom } from '@enkrypted/crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { toBuffer } from 'qrcode';
import { type BrokerUnderTest, REPO_ROOT, startOurBroker } from '../support/brokers.js';
import { CuttablePath } from '../support/udp-path.js';
import {
  buildSize,
  buildWeb,
  CHROMIUM,
  launchChromium,
  newContext,
  removeBuild,
  type StaticServer,
  serveStatic,
} from './support.js';

const SHOTS = join(REPO_ROOT, 'artifacts', 'screenshots');
/** Generous: a loaded 2-core machine can be slow to negotiate WebRTC or hash 5 MiB. */
const WAIT_MS = 60_000;
const FILE_BYTES = 5 * 1024 * 1024;

interface Client {
  name: string;
  ctx: BrowserContext;
  page: Page;
  id: string;
  consoleErrors: string[];
  phone: boolean;
}

/**
 * Test-side observation of the data channels (injected by the driver, not part of the app): counts the
 * frames each page writes that belong to a P3 handshake (its last PDU, `handshake-finished`) or to a
 * P7.4 session resume, so a step can tell a resumed session from a new handshake.
 */
const FRAME_COUNTER = `(() => {
  window.__frames = { handshakeFinished: 0, sessionResume: 0 };
  const dec = new TextDecoder();
  const text = (d) => typeof d === 'string' ? d
    : d instanceof ArrayBuffer ? (d.byteLength < 65536 ? dec.decode(d) : '')
    : ArrayBuffer.isView(d) && d.byteLength < 65536 ? dec.decode(d) : '';
  const send = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (d) {
    const t = text(d);
    if (t.includes('handshake-finished')) window.__frames.handshakeFinished++;
    if (t.includes('session-resume')) window.__frames.sessionResume++;
    return send.call(this, d);
  };
})();`;

interface FrameCounts {
  handshakeFinished: number;
  sessionResume: number;
}

async function frameCounts(page: Page): Promise<FrameCounts> {
  return page.evaluate(() => ({ ...(window as unknown as { __frames: FrameCounts }).__frames }));
}

/** The keys of the app's IndexedDB record stores (keys are plain even when the records are sealed). */
async function storedKeys(
  page: Page,
): Promise<{ contacts: string[]; pins: string[]; messages: string[]; files: string[] }> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open('enkrypted');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const stores = ['contacts', 'pins', 'messages', 'files'] as const;
          const tx = db.transaction([...stores]);
          const out: Record<string, string[]> = {};
          for (const name of stores) {
            const keys = tx.objectStore(name).getAllKeys();
            keys.onsuccess = () => {
              out[name] = keys.result.map(String);
            };
          }
          tx.oncomplete = () => {
            db.close();
            resolve(out as { contacts: string[]; pins: string[]; messages: string[]; files: string[] });
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** No CSP violation event, no CSP refusal and no uncaught error in this page so far. */
async function assertCleanConsole(c: Client): Promise<void> {
  const violations = await c.page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
  assert.deepEqual(violations, [], `${c.name}: CSP violations`);
  const csp = c.consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e));
  assert.deepEqual(csp, [], `${c.name}: CSP console errors`);
  const page = c.consoleErrors.filter((e) => e.startsWith('pageerror'));
  assert.deepEqual(page, [], `${c.name}: uncaught errors`);
}

/**
 * A backup file as another installation would write it (the documented format: PBKDF2-SHA-256 →
 * AES-256-GCM, slot-bound), built here independently of the app's code.
 */
async function craftBackup(data: unknown, passphrase: string): Promise<Buffer> {
  const subtle = globalThis.crypto.subtle;
  const enc = new TextEncoder();
  const salt = randomBytes(16);
  const iterations = 100_000;
  const base = await subtle.importKey('raw', enc.encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  const key = await subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt'],
  );
  const seal = async (slot: string, bytes: Uint8Array<ArrayBuffer>) => {
    const iv = randomBytes(12);
    const ct = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: enc.encode(slot) }, key, bytes);
    return { iv: iv.toString('base64'), ct: Buffer.from(ct).toString('base64') };
  };
  const check = await seal('vault/check', enc.encode('enkrypted-vault-check-v1'));
  const payload = await seal('backup/payload', enc.encode(JSON.stringify(data)));
  const vault = { v: 1, kdf: 'PBKDF2-SHA-256', iterations, salt: salt.toString('base64'), check };
  return Buffer.from(JSON.stringify({ format: 'enkrypted-backup', v: 1, vault, payload }));
}

describe('web app in Chromium', {
  timeout: 300_000,
  skip: !existsSync(CHROMIUM) && 'chromium is not installed',
}, () => {
  let broker: BrokerUnderTest;
  let server: StaticServer;
  let dist = '';
  let browser: Browser;
  /** Alice's and Bob's WebRTC traffic runs through it, so a step can cut the network between them. */
  const path = new CuttablePath();
  /** Whether the build carries the P3 handshake (decided by what the UI shows in step 3). */
  let encrypted = false;
  let alice: Client;
  let bob: Client;
  const brokerUrl = () => `http://127.0.0.1:${broker.port}/`;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dist = buildWeb();
    [broker, server, browser] = await Promise.all([startOurBroker(), serveStatic(dist), launchChromium()]);
  });

  after(async () => {
    await browser?.close();
    await path.close();
    await server?.close();
    await broker?.stop();
    if (dist) removeBuild(dist);
  });

  async function open(name: string, phone: boolean): Promise<Client> {
    const ctx = await newContext(browser, phone, path);
    await ctx.addInitScript(FRAME_COUNTER);
    const page = await ctx.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    return { name, ctx, page, id: '', consoleErrors, phone };
  }

  /** Goes back to the contact list on a phone (one column); no-op on a desktop. */
  async function toList(c: Client): Promise<void> {
    if (!c.phone) return;
    const back = c.page.locator('button.back:visible');
    if ((await back.count()) > 0) await back.first().click();
    await c.page.locator('.sidebar').waitFor();
  }

  async function openChat(c: Client, contactId: string): Promise<void> {
    await toList(c);
    await c.page.locator(`[data-contact="${contactId}"]`).click();
  }

  async function enableDebug(c: Client): Promise<void> {
    await toList(c);
    await c.page.getByRole('button', { name: 'Settings' }).click();
    await c.page.getByTestId('debug-toggle').check();
    await c.page.getByRole('button', { name: 'Save settings' }).click();
    await c.page.getByText('Settings saved.').waitFor();
  }

  async function send(c: Client, text: string): Promise<void> {
    const box = c.page.getByLabel('Message', { exact: true });
    await box.fill(text);
    await box.press('Enter');
  }

  const outStatus = (c: Client, text: string) =>
    c.page.locator('.msg-out', { hasText: text }).getAttribute('data-status');

  async function waitStatus(c: Client, text: string, status: string): Promise<void> {
    await c.page
      .locator(`.msg-out[data-status="${status}"]`, { hasText: text })
      .waitFor({ timeout: WAIT_MS });
  }

  /** Later steps build on earlier ones: after a failure they are skipped, not timed out one by one. */
  let broken = false;
  const step = (name: string, fn: (t: import('node:test').TestContext) => Promise<void>) =>
    it(name, async (t) => {
      if (broken) {
        t.skip('an earlier step failed');
        return;
      }
      try {
        await fn(t);
      } catch (err) {
        broken = true;
        for (const c of [alice, bob]) {
          if (!c) continue;
          await shot(c.page, `failed-${c.name}`).catch(() => undefined);
          t.diagnostic(`${c.name} console errors: ${JSON.stringify(c.consoleErrors.slice(-10))}`);
        }
        t.diagnostic(`broker output: ${broker?.output().slice(-1500)}`);
        throw err;
      }
    });

  step('creates identities; the first screen is measured', async (t) => {
    alice = await open('alice', false);
    bob = await open('bob', true);
    for (const c of [alice, bob]) {
      await c.page.goto(server.url);
      await c.page.getByRole('heading', { name: 'Welcome to Enkrypted' }).waitFor();
      const firstScreenMs = await c.page.evaluate(() => performance.now());
      t.diagnostic(`${c.name}: first screen usable ${firstScreenMs.toFixed(0)} ms after navigation start`);
      if (c === alice) await shot(c.page, '01-onboarding');
      await c.page.getByLabel(/Display name/).fill(c.name === 'alice' ? 'Alice' : 'Bob');
      await c.page.getByText('Advanced: broker').click();
      await c.page.getByLabel(/Broker URL/).fill(brokerUrl());
      await c.page.getByRole('button', { name: 'Create my identity' }).click();
      await c.page.getByTestId('broker-state').filter({ hasText: 'Online' }).waitFor({ timeout: WAIT_MS });
      c.id = (await c.page.getByTestId('own-id').first().textContent()) ?? '';
      assert.match(c.id, /^[0-9a-f]{32}$/);
    }
    await shot(alice.page, '02-my-identity');
    await shot(bob.page, '02-my-identity-phone');
    t.diagnostic(`production build: ${buildSize(dist)} bytes (index.html, one script, one stylesheet)`);
  });

  step('refuses bad contact input with clear messages', async () => {
    const p = alice.page;
    await p.getByRole('button', { name: 'Add contact' }).click();
    const err = p.getByTestId('add-error');
    await p.getByLabel('Their peer id').fill(alice.id);
    await p.getByRole('button', { name: 'Add and connect' }).click();
    await err.filter({ hasText: 'your own id' }).waitFor();
    await p.getByLabel('Their peer id').fill('not a valid id!');
    await p.getByRole('button', { name: 'Add and connect' }).click();
    await err.filter({ hasText: 'not a valid peer id' }).waitFor();
    await p.getByLabel('Upload a QR code image').setInputFiles({
      name: 'foreign.png',
      mimeType: 'image/png',
      buffer: await toBuffer('https://example.invalid/not-a-contact', { width: 300 }),
    });
    await err.filter({ hasText: 'not an Enkrypted contact code' }).waitFor();
    await p.getByLabel('Upload a QR code image').setInputFiles({
      name: 'junk.png',
      mimeType: 'image/png',
      buffer: randomBytes(2000),
    });
    await err.filter({ hasText: 'No QR code could be read' }).waitFor();
    await shot(p, '03-add-contact-error');
    // A well-formed id nobody registered: the chat says so instead of spinning forever.
    await p.getByLabel('Their peer id').fill('0000000000000000000000000000dead');
    await p.getByRole('button', { name: 'Add and connect' }).click();
    await p.getByText('not online', { exact: false }).first().waitFor({ timeout: WAIT_MS });
    await p.getByRole('button', { name: 'Add contact' }).click();
  });

  step('adds a contact by QR image; without a handshake the app refuses to send', async (t) => {
    const p = alice.page;
    await p.getByLabel('Upload a QR code image').setInputFiles({
      name: 'bob.png',
      mimeType: 'image/png',
      buffer: await toBuffer(`enkrypted:contact:${bob.id}`, { width: 300 }),
    });
    await p.getByRole('heading', { name: /Bob|…/ }).first().waitFor();
    // Either the handshake runs (a state badge other than "Sending disabled") or sending is refused.
    await p.locator('.badge').first().waitFor();
    const handshakeMissing = await p.getByText('Sending disabled').first().isVisible();
    encrypted = !handshakeMissing;
    t.diagnostic(
      encrypted
        ? 'mode: end-to-end encrypted (P3 handshake)'
        : 'mode: DEBUG, unencrypted (no handshake in this build)',
    );
    if (handshakeMissing) {
      assert.equal(await p.getByLabel('Message', { exact: true }).isDisabled(), true);
      await shot(p, '04-sending-disabled-no-handshake');
    }
  });

  step(
    'connects (encrypted, or in debug mode) and chats both ways with delivery and read status',
    async () => {
      if (!encrypted) {
        await enableDebug(alice);
        await enableDebug(bob);
      }
      await openChat(alice, bob.id);
      const badge = alice.page.locator('[data-link-state="ready"]');
      await badge.waitFor({ timeout: WAIT_MS });
      assert.match((await badge.textContent()) ?? '', encrypted ? /^Encrypted/ : /Unencrypted/);

      await send(alice, 'Hello Bob');
      await waitStatus(alice, 'Hello Bob', 'delivered');
      // Bob was not looking at the chat: one unread.
      await toList(bob);
      await bob.page
        .locator(`[data-contact="${alice.id}"] [data-testid="unread"]`)
        .waitFor({ timeout: WAIT_MS });
      await shot(bob.page, '05-contact-list-unread-phone');
      await openChat(bob, alice.id);
      await bob.page.locator('.msg-in', { hasText: 'Hello Bob' }).waitFor();
      await waitStatus(alice, 'Hello Bob', 'read');

      // Typing indicator, then the reply.
      await bob.page.getByLabel('Message', { exact: true }).fill('typing…');
      await alice.page.getByTestId('typing').filter({ hasText: 'is typing' }).waitFor({ timeout: WAIT_MS });
      await send(bob, 'Hi Alice, all good');
      await alice.page.locator('.msg-in', { hasText: 'Hi Alice, all good' }).waitFor({ timeout: WAIT_MS });
      await waitStatus(bob, 'Hi Alice, all good', 'read');
      assert.equal(await outStatus(alice, 'Hello Bob'), 'read');
      await shot(alice.page, '06-chat');
      await shot(bob.page, '06-chat-phone');
    },
  );

  step('shows the same 60-digit safety number on both sides and marks it verified', async () => {
    const numbers: string[] = [];
    for (const c of [alice, bob]) {
      await c.page.getByRole('button', { name: 'Safety number' }).click();
      const digits = ((await c.page.getByTestId('safety-number').textContent()) ?? '').replace(/\D/g, '');
      assert.equal(digits.length, 60);
      numbers.push(digits);
    }
    assert.equal(numbers[0], numbers[1]);
    await alice.page.getByTestId('verified-toggle').check();
    await shot(alice.page, '07-safety-number');
    for (const c of [alice, bob]) await c.page.getByRole('button', { name: '← Back to chat' }).click();
    await alice.page.getByTestId('verified').waitFor();
  });

  step(
    'transfers a 5 MiB file with progress to 100% and identical bytes, and previews an image',
    async () => {
      const data = randomBytes(FILE_BYTES);
      const digest = createHash('sha256').update(data).digest('hex');
      await alice.page.getByLabel('Choose a file to send').setInputFiles({
        name: 'big.bin',
        mimeType: 'application/octet-stream',
        buffer: data,
      });
      const bobFile = bob.page.locator('.msg-in [data-transfer-state]', { hasText: 'big.bin' });
      // Progress is visible while it runs and reaches 100% before the transfer completes.
      await bobFile.waitFor({ timeout: WAIT_MS });
      await bob.page
        .locator('.msg-in [data-transfer-state="done"]', { hasText: 'big.bin' })
        .waitFor({ timeout: WAIT_MS });
      await alice.page
        .locator('.msg-out[data-status="delivered"], .msg-out[data-status="read"]', { hasText: 'big.bin' })
        .waitFor({ timeout: WAIT_MS });
      const [download] = await Promise.all([
        bob.page.waitForEvent('download'),
        bob.page.getByRole('link', { name: 'big.bin' }).click(),
      ]);
      const got = readFileSync((await download.path()) ?? '');
      assert.equal(got.length, FILE_BYTES);
      assert.equal(createHash('sha256').update(got).digest('hex'), digest);

      const png = await toBuffer('an image for the preview', { width: 200 });
      await bob.page
        .getByLabel('Choose a file to send')
        .setInputFiles({ name: 'pic.png', mimeType: 'image/png', buffer: png });
      await alice.page.getByRole('img', { name: 'Preview of pic.png' }).waitFor({ timeout: WAIT_MS });
      await shot(alice.page, '08-file-transfer');
      await shot(bob.page, '08-file-transfer-phone');
    },
  );

  step('keeps history across a reload and reconnects', async () => {
    const bobBefore = await frameCounts(bob.page);
    await alice.page.reload();
    await alice.page.getByTestId('broker-state').filter({ hasText: 'Online' }).waitFor({ timeout: WAIT_MS });
    await openChat(alice, bob.id);
    await alice.page.locator('.msg-out', { hasText: 'Hello Bob' }).waitFor();
    await alice.page.locator('.msg-in', { hasText: 'Hi Alice, all good' }).waitFor();
    await alice.page.locator('[data-link-state="ready"]').waitFor({ timeout: WAIT_MS });
    await send(alice, 'Back after reload');
    await bob.page.locator('.msg-in', { hasText: 'Back after reload' }).waitFor({ timeout: WAIT_MS });
    // The reloaded page kept no crypto state: Bob's page ran a new handshake with it.
    const bobAfter = await frameCounts(bob.page);
    assert.ok(bobAfter.handshakeFinished > bobBefore.handshakeFinished, 'a new handshake after the reload');
    await shot(alice.page, '09-after-reload');
  });

  step('sends a file over the fast path only with a visible warning', async () => {
    await alice.page.getByLabel('Fast path (DTLS only)').check();
    await alice.page.getByRole('alert').filter({ hasText: 'skips end-to-end encryption' }).waitFor();
    await alice.page.getByLabel('Choose a file to send').setInputFiles({
      name: 'fast.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('sent over the fast path'),
    });
    const received = bob.page.locator('.msg-in [data-transfer-state="done"]', { hasText: 'fast.txt' });
    await received.waitFor({ timeout: WAIT_MS });
    await received.getByText('DTLS only').waitFor();
    assert.equal(await alice.page.getByLabel('Fast path (DTLS only)').isChecked(), false);
  });

  step(
    'a broker restart during a chat recovers by itself; messages typed meanwhile arrive in order',
    async () => {
      await broker.stop();
      await alice.page
        .getByTestId('broker-state')
        .filter({ hasText: /retrying|Offline|Connecting/ })
        .waitFor({ timeout: WAIT_MS });
      for (const n of [1, 2, 3]) await send(alice, `during outage ${n}`);
      await broker.restart();
      await bob.page.locator('.msg-in', { hasText: 'during outage 3' }).waitFor({ timeout: WAIT_MS });
      const texts = await bob.page.locator('.msg-in .text').allTextContents();
      const during = texts.filter((x) => x.startsWith('during outage'));
      assert.deepEqual(during, ['during outage 1', 'during outage 2', 'during outage 3']);
      // Both re-register with the restarted broker without anyone doing anything.
      for (const c of [alice, bob]) {
        await toList(c);
        await c.page.getByTestId('broker-state').filter({ hasText: 'Online' }).waitFor({ timeout: WAIT_MS });
      }
    },
  );

  step(
    'a network drop during a chat resumes the session; a message in flight and messages typed meanwhile arrive once, in order',
    async () => {
      await openChat(alice, bob.id);
      await openChat(bob, alice.id);
      const badge = (c: Client) => c.page.locator('.chat-header [data-link-state]');
      await badge(alice).and(alice.page.locator('[data-link-state="ready"]')).waitFor({ timeout: WAIT_MS });
      const framesBefore = [await frameCounts(alice.page), await frameCounts(bob.page)];
      // The network between the pages dies: datagrams vanish both ways (no close, no abort); the
      // broker stays reachable; nobody clicks anything.
      path.cut();
      // Sent at once: the session still looks Ready, so the frame is handed to the dead transport.
      await send(alice, 'in flight at the cut');
      await badge(alice)
        .and(alice.page.locator('[data-link-state="reconnecting"], [data-link-state="connecting"]'))
        .waitFor({ timeout: WAIT_MS });
      assert.ok(path.dropped > 0, 'the cut dropped traffic');
      assert.equal(await outStatus(alice, 'in flight at the cut'), 'sent', 'handed over before the loss');
      for (const n of [1, 2, 3]) await send(alice, `after the drop ${n}`);
      await new Promise((r) => setTimeout(r, 1_000));
      assert.equal(await bob.page.locator('.msg-in', { hasText: 'after the drop' }).count(), 0);
      path.restore();
      await bob.page.locator('.msg-in', { hasText: 'after the drop 3' }).waitFor({ timeout: WAIT_MS });
      const texts = await bob.page.locator('.msg-in .text').allTextContents();
      const during = texts.filter((x) => x.startsWith('after the drop') || x === 'in flight at the cut');
      assert.deepEqual(during, [
        'in flight at the cut',
        'after the drop 1',
        'after the drop 2',
        'after the drop 3',
      ]);
      await badge(alice).and(alice.page.locator('[data-link-state="ready"]')).waitFor({ timeout: WAIT_MS });
      await waitStatus(alice, 'after the drop 3', 'read');
      await waitStatus(alice, 'in flight at the cut', 'read');
      // The session resumed (P7.4) instead of running a second handshake: both pages wrote a
      // session-resume frame and no handshake PDU since the cut; the verified mark still stands.
      const framesAfter = [await frameCounts(alice.page), await frameCounts(bob.page)];
      for (const [i, c] of [alice, bob].entries()) {
        const was = framesBefore[i];
        const now = framesAfter[i];
        assert.ok(was && now);
        assert.equal(now.handshakeFinished, was.handshakeFinished, `${c.name}: no new handshake`);
        assert.ok(now.sessionResume > was.sessionResume, `${c.name}: resumed the session`);
      }
      await alice.page.getByTestId('verified').waitFor();
      assert.equal(await bob.page.locator('.msg-in', { hasText: 'in flight at the cut' }).count(), 1);
    },
  );

  step('encrypts data at rest under a passphrase: lock screen, wrong passphrase, unlock', async () => {
    const p = alice.page;
    await toList(alice);
    await p.getByRole('button', { name: 'Settings' }).click();
    await p.getByLabel('Passphrase', { exact: true }).fill('correct horse battery');
    await p.getByLabel('Repeat it').fill('correct horse battery');
    await p.getByRole('button', { name: 'Set passphrase' }).click();
    await p.getByText('Data on this device is now encrypted.').waitFor({ timeout: WAIT_MS });
    await shot(p, '10-settings');
    await p.reload();
    await p.getByRole('heading', { name: 'Enkrypted is locked' }).waitFor();
    await p.getByLabel('Passphrase').fill('wrong passphrase');
    await p.getByRole('button', { name: 'Unlock' }).click();
    await p.getByRole('alert').filter({ hasText: 'Wrong passphrase' }).waitFor({ timeout: WAIT_MS });
    await shot(p, '11-lock-screen-wrong-passphrase');
    await p.getByLabel('Passphrase').fill('correct horse battery');
    await p.getByRole('button', { name: 'Unlock' }).click();
    await p.getByTestId('broker-state').filter({ hasText: 'Online' }).waitFor({ timeout: WAIT_MS });
    await openChat(alice, bob.id);
    await p.locator('.msg-out', { hasText: 'Back after reload' }).waitFor();
  });

  step('exports an encrypted backup and restores identity and history in a fresh browser', async () => {
    const p = alice.page;
    await toList(alice);
    await p.getByRole('button', { name: 'Settings' }).click();
    await p.getByLabel('Backup passphrase').fill('backup passphrase 1');
    const [download] = await Promise.all([
      p.waitForEvent('download'),
      p.getByRole('button', { name: 'Export backup' }).click(),
    ]);
    const file = readFileSync((await download.path()) ?? '');
    assert.ok(!file.toString('utf8').includes('Hello Bob'), 'the backup is encrypted');

    const carol = await open('carol', false);
    try {
      await carol.page.goto(server.url);
      await carol.page.getByRole('button', { name: 'Create my identity' }).click();
      await carol.page.getByRole('button', { name: 'Settings' }).click();
      const upload = carol.page.locator('input[type="file"][accept*="json"]');
      await carol.page.getByLabel('Backup passphrase').fill('not the passphrase');
      await upload.setInputFiles({ name: 'backup.json', mimeType: 'application/json', buffer: file });
      await carol.page
        .getByRole('alert')
        .filter({ hasText: 'Wrong passphrase' })
        .waitFor({ timeout: WAIT_MS });
      await carol.page.getByLabel('Backup passphrase').fill('backup passphrase 1');
      await upload.setInputFiles({ name: 'backup.json', mimeType: 'application/json', buffer: file });
      await carol.page.getByText('Backup restored.').waitFor({ timeout: WAIT_MS });
      await carol.page.getByRole('button', { name: 'My id' }).click();
      await carol.page.getByTestId('own-id').filter({ hasText: alice.id }).waitFor();
      await carol.page.locator(`[data-contact="${bob.id}"]`).click();
      await carol.page.locator('.msg-out', { hasText: 'Hello Bob' }).waitFor();
    } finally {
      await carol.ctx.close();
    }
  });

  step('blocks the chat when a contact comes back with another identity key', async () => {
    // "Bob" reinstalls: same peer id, new identity key (restored from a backup of another install).
    await assertCleanConsole(bob);
    await bob.ctx.close();
    const backup = await craftBackup(
      {
        profile: {
          peerId: bob.id,
          token: randomBytes(16).toString('hex'),
          displayName: 'Bob',
          identity: exportIdentity(generateIdentity(webCryptoRandom)),
          createdAt: Date.now(),
        },
        contacts: [{ id: alice.id, name: 'Alice', addedAt: 1, unread: 0, lastActivity: 1 }],
        messages: [],
        pins: {},
        settings: { brokerUrl: brokerUrl() },
      },
      'new phone passphrase',
    );
    const dave = await open('dave', false);
    try {
      await dave.page.goto(server.url);
      await dave.page.getByRole('button', { name: 'Create my identity' }).click();
      await dave.page.getByRole('button', { name: 'Settings' }).click();
      await dave.page.getByLabel('Backup passphrase').fill('new phone passphrase');
      await dave.page
        .locator('input[type="file"][accept*="json"]')
        .setInputFiles({ name: 'b.json', mimeType: 'application/json', buffer: backup });
      await dave.page.getByText('Backup restored.').waitFor({ timeout: WAIT_MS });
      await dave.page.locator(`[data-contact="${alice.id}"]`).click();
      if (!encrypted)
        await enableDebug(dave).then(() => dave.page.locator(`[data-contact="${alice.id}"]`).click());
      await send(dave, 'hello from my new phone');

      await openChat(alice, bob.id);
      const warning = alice.page.getByRole('alertdialog');
      await warning.filter({ hasText: 'identity key changed' }).waitFor({ timeout: WAIT_MS });
      assert.equal(
        await alice.page.getByLabel('Message', { exact: true }).count(),
        0,
        'no composer while blocked',
      );
      await shot(alice.page, '12-identity-key-changed');
      await alice.page.getByRole('button', { name: 'Accept the new key' }).click();
      await alice.page
        .locator('.msg-in', { hasText: 'hello from my new phone' })
        .waitFor({ timeout: WAIT_MS });
      await alice.page.getByTestId('verified').waitFor({ state: 'detached' });
    } finally {
      await dave.ctx.close();
    }
  });

  step(
    'removes a contact after a confirmation: session, history, files and key pin gone, also after a reload',
    async () => {
      const p = alice.page;
      const before = await storedKeys(p);
      assert.ok(before.contacts.includes(bob.id) && before.pins.includes(bob.id));
      assert.ok(before.messages.length > 0 && before.files.length > 0, 'history and files were stored');
      await openChat(alice, bob.id);
      await p.getByRole('button', { name: 'Safety number' }).click();
      await p.getByRole('button', { name: /^Remove .+…$/ }).click();
      const dialog = p.getByRole('alertdialog');
      await dialog.filter({ hasText: 'trust on first use' }).waitFor();
      await shot(p, '13-remove-contact');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await p.locator(`[data-contact="${bob.id}"]`).count(), 1, 'cancel keeps the contact');
      await p.getByRole('button', { name: /^Remove .+…$/ }).click();
      await p.getByRole('button', { name: 'Remove and delete history' }).click();
      await p.locator(`[data-contact="${bob.id}"]`).waitFor({ state: 'detached' });
      await p.getByText('Contact removed.').waitFor();
      // Alice's records are sealed at rest (passphrase set above): the deletion still reaches them.
      const after = await storedKeys(p);
      assert.ok(!after.contacts.includes(bob.id), 'contact record deleted');
      assert.ok(!after.pins.includes(bob.id), 'key pin deleted');
      // Every message and file alice had was exchanged with Bob.
      assert.deepEqual([after.messages, after.files], [[], []]);
      await p.reload();
      await p.getByLabel('Passphrase').fill('correct horse battery');
      await p.getByRole('button', { name: 'Unlock' }).click();
      await p.getByTestId('broker-state').filter({ hasText: 'Online' }).waitFor({ timeout: WAIT_MS });
      await p.locator('[data-contact="0000000000000000000000000000dead"]').waitFor();
      assert.equal(await p.locator(`[data-contact="${bob.id}"]`).count(), 0, 'still gone after a reload');
    },
  );

  step('logged no CSP violation and no console error', async () => {
    await assertCleanConsole(alice);
  });
});
