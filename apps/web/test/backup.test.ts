import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportIdentity, generateIdentity, webCryptoRandom } from '@enkrypted/crypto';
import { exportBackup, importBackup } from '../src/logic/backup.js';
import { WEB_ERROR } from '../src/logic/errors.js';
import { MIN_PBKDF2_ITERATIONS } from '../src/logic/limits.js';
import type { BackupData } from '../src/logic/model.js';
import { DEFAULT_SETTINGS } from '../src/logic/settings.js';

function sample(): BackupData {
  return {
    profile: {
      peerId: 'a'.repeat(32),
      token: 'b'.repeat(32),
      displayName: 'Alice',
      identity: exportIdentity(generateIdentity(webCryptoRandom)),
      createdAt: 1,
    },
    contacts: [{ id: 'c'.repeat(32), name: 'Bob', addedAt: 2, unread: 1, lastActivity: 3 }],
    messages: [
      {
        id: 'd'.repeat(32),
        contactId: 'c'.repeat(32),
        direction: 'out',
        text: 'secret text',
        sentAt: 4,
        receivedAt: 4,
        status: 'read',
      },
    ],
    pins: { ['c'.repeat(32)]: { identityKey: 'AA==', pinnedAt: 5, verified: true } },
    settings: { ...DEFAULT_SETTINGS, relayOnly: true },
  };
}

describe('encrypted backup', () => {
  it('exports and imports identity, contacts, pins, settings and history', async () => {
    const data = sample();
    const file = await exportBackup(data, 'backup passphrase', MIN_PBKDF2_ITERATIONS);
    assert.ok(
      !file.includes('secret text') &&
        !file.includes('Alice') &&
        !file.includes(data.profile.identity.dhSecret),
    );
    assert.deepEqual(await importBackup(file, 'backup passphrase'), data);
  });

  it('refuses a wrong passphrase', async () => {
    const file = await exportBackup(sample(), 'backup passphrase', MIN_PBKDF2_ITERATIONS);
    await assert.rejects(importBackup(file, 'not the passphrase'), { code: WEB_ERROR.wrongPassphrase });
  });

  it('refuses files that are not backups, of another version, or tampered', async () => {
    await assert.rejects(importBackup('not json', 'backup passphrase'), { code: WEB_ERROR.malformedData });
    await assert.rejects(importBackup('{"format":"other"}', 'backup passphrase'), {
      code: WEB_ERROR.malformedData,
    });
    const file = JSON.parse(await exportBackup(sample(), 'backup passphrase', MIN_PBKDF2_ITERATIONS));
    await assert.rejects(importBackup(JSON.stringify({ ...file, v: 2 }), 'backup passphrase'), {
      code: WEB_ERROR.malformedData,
    });
    const ct = Buffer.from(file.payload.ct, 'base64');
    ct[ct.length - 1] = (ct[ct.length - 1] as number) ^ 0x80;
    const tampered = { ...file, payload: { ...file.payload, ct: ct.toString('base64') } };
    await assert.rejects(importBackup(JSON.stringify(tampered), 'backup passphrase'), {
      code: WEB_ERROR.wrongPassphrase,
    });
  });
});
