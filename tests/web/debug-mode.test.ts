/**
 * The clearly marked debug mode (P2.4.4): with the debug setting on at both ends, a chat runs without
 * the end-to-end handshake, and every screen says so. Independent of whether the handshake is built in.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../support/brokers.js';
import { CHROMIUM_MISSING } from '../support/chromium.js';
import { createIdentity, newContext, startWebRig, type WebRig } from './support.js';

const SHOTS = join(REPO_ROOT, 'artifacts', 'screenshots');
const WAIT_MS = 60_000;

describe('web app debug mode', { timeout: 180_000, skip: CHROMIUM_MISSING }, () => {
  let rig: WebRig;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    rig = await startWebRig();
  });

  after(async () => {
    await rig?.stop();
  });

  async function user(name: string): Promise<{ page: Page; id: string; errors: string[] }> {
    const page = await (await newContext(rig.browser, false)).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const id = await createIdentity(page, rig.server.url, rig.brokerUrl, name);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByTestId('debug-toggle').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    await page.getByText('DEBUG MODE: chats are NOT end-to-end encrypted.').waitFor();
    return { page, id, errors };
  }

  it('chats unencrypted only when both ends chose debug mode, and says so', async () => {
    const alice = await user('Alice');
    const bob = await user('Bob');
    await alice.page.getByRole('button', { name: 'Add contact' }).click();
    await alice.page.getByLabel('Their peer id').fill(bob.id);
    await alice.page.getByRole('button', { name: 'Add and connect' }).click();
    const badge = alice.page.locator('[data-link-state="ready"]');
    await badge.waitFor({ timeout: WAIT_MS });
    assert.match((await badge.textContent()) ?? '', /Unencrypted/);
    await alice.page
      .locator('.chat .banner-danger', { hasText: 'only the DTLS link protects this chat' })
      .waitFor();
    const box = alice.page.getByLabel('Message', { exact: true });
    await box.fill('plaintext hello');
    await box.press('Enter');
    await bob.page.locator(`[data-contact="${alice.id}"]`).click();
    await bob.page.locator('.msg-in', { hasText: 'plaintext hello' }).waitFor({ timeout: WAIT_MS });
    await alice.page
      .locator('.msg-out[data-status="read"]', { hasText: 'plaintext hello' })
      .waitFor({ timeout: WAIT_MS });
    await alice.page.screenshot({ path: join(SHOTS, '13-debug-mode.png') });
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });
});
