/**
 * A hostile peer against the web app in Chromium: a Node peer dials the page's id and, instead of
 * the P3 handshake, sends malformed and oversized frames (not JSON, unknown PDU types, a PDU without
 * specVersion, a message before Ready, a chunk claiming absurd totals, 200 KiB of garbage). The page
 * must refuse the session with a clear message, stay responsive, and throw nothing uncaught; a real
 * contact can still be added afterwards.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { generatePeerId, type Peer } from '@enkrypted/peer';
import { openPeer, within } from '../peer/support.js';
import { CHROMIUM_MISSING } from '../support/chromium.js';
import { createIdentity, newContext, startWebRig, type WebRig } from './support.js';

const WAIT_MS = 60_000;
const SPEC = 'EnkryptedChat-Profile-v0';

describe('web app against a hostile peer', { timeout: 240_000, skip: CHROMIUM_MISSING }, () => {
  let rig: WebRig;
  let hostile: Peer | undefined;

  before(async () => {
    rig = await startWebRig();
  });
  after(async () => {
    await hostile?.close();
    await rig?.stop();
  });

  it('refuses malformed and oversized frames with a clear message and stays usable', async (t) => {
    const page = await (await newContext(rig.browser, false)).newPage();
    const uncaught: string[] = [];
    page.on('pageerror', (e) => uncaught.push(e.message));
    const webId = await createIdentity(page, rig.server.url, rig.brokerUrl, 'Target');

    hostile = await openPeer(rig.broker);
    const conn = await hostile.connect(webId, { serialization: 'raw', timeoutMs: WAIT_MS });
    const closedByPage = new Promise<void>((resolve) => conn.once('close', () => resolve()));
    const junk: (string | Uint8Array)[] = [
      'not json {{{',
      JSON.stringify({ type: 'evil-pdu', specVersion: SPEC }),
      JSON.stringify({ type: 'mls-key-package-request' }),
      JSON.stringify({ type: 'message', specVersion: SPEC, messageId: 'x', encryptedMessage: {} }),
      JSON.stringify({
        type: '__mls_chunk__',
        specVersion: SPEC,
        messageId: 'AAAAAAAAAAAAAAAAAAAAAA',
        chunkIndex: 0,
        totalChunks: 1_000_000,
        data: 'AA==',
      }),
      randomBytes(200 * 1024),
    ];
    // The page may end the session after the first bad frame: later sends then fail, which is fine.
    for (const frame of junk) await conn.send(frame).catch(() => undefined);
    await within(closedByPage, WAIT_MS, 'the page to end the hostile session');

    // The app names the contact and says what went wrong; nothing was thrown uncaught.
    await page.locator(`[data-contact="${hostile.id}"]`).click();
    const badge = page.locator('.chat-header [data-link-state]');
    await badge.waitFor({ timeout: WAIT_MS });
    assert.notEqual(await badge.getAttribute('data-link-state'), 'ready');
    const said = (await badge.textContent()) ?? '';
    t.diagnostic(`the chat's badge says: ${said}`);
    assert.match(said, /handshake failed|Connection failed \(/);
    assert.deepEqual(uncaught, []);

    // Still usable: a real contact can be added (it is offline, which the app says plainly).
    await page.getByRole('button', { name: 'Add contact' }).click();
    const other = generatePeerId();
    await page.getByLabel('Their peer id').fill(other);
    await page.getByRole('button', { name: 'Add and connect' }).click();
    await page.locator(`[data-contact="${other}"]`).waitFor({ timeout: WAIT_MS });
    assert.deepEqual(uncaught, []);
  });
});
