import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVault, openJson, sealJson, unlockVault } from '../src/logic/at-rest.js';
import { WEB_ERROR } from '../src/logic/errors.js';
import { MIN_PBKDF2_ITERATIONS } from '../src/logic/limits.js';

/** The lowest accepted count keeps the suite fast; the production default is tested by its constant. */
const FAST = MIN_PBKDF2_ITERATIONS;

describe('at-rest vault', () => {
  it('round-trips a record under the passphrase-derived key', async () => {
    const { header, key } = await createVault('correct horse battery', FAST);
    const sealed = await sealJson(key, 'messages/1', { text: 'hello', n: 1 });
    assert.ok(!JSON.stringify(sealed).includes('hello'));
    const again = await unlockVault(JSON.parse(JSON.stringify(header)), 'correct horse battery');
    assert.deepEqual(await openJson(again, 'messages/1', sealed), { text: 'hello', n: 1 });
  });

  it('refuses a wrong passphrase with WEB_WRONG_PASSPHRASE', async () => {
    const { header } = await createVault('correct horse battery', FAST);
    await assert.rejects(unlockVault(header, 'correct horse batterY'), { code: WEB_ERROR.wrongPassphrase });
  });

  it('refuses a record moved to another slot, and a tampered record', async () => {
    const { key } = await createVault('correct horse battery', FAST);
    const sealed = await sealJson(key, 'messages/1', 'x');
    await assert.rejects(openJson(key, 'messages/2', sealed), { code: WEB_ERROR.wrongPassphrase });
    const ct = Buffer.from(sealed.ct, 'base64');
    ct[0] = (ct[0] as number) ^ 1;
    await assert.rejects(openJson(key, 'messages/1', { ...sealed, ct: ct.toString('base64') }), {
      code: WEB_ERROR.wrongPassphrase,
    });
  });

  it('refuses weak passphrases, malformed headers and out-of-range iteration counts', async () => {
    await assert.rejects(createVault('short', FAST), { code: WEB_ERROR.weakPassphrase });
    await assert.rejects(unlockVault({ v: 9 }, 'whatever long'), { code: WEB_ERROR.malformedData });
    await assert.rejects(unlockVault(null, 'whatever long'), { code: WEB_ERROR.malformedData });
    const { header } = await createVault('correct horse battery', FAST);
    await assert.rejects(unlockVault({ ...header, iterations: 1000 }, 'correct horse battery'), {
      code: WEB_ERROR.malformedData,
    });
    await assert.rejects(unlockVault({ ...header, iterations: 1e12 }, 'correct horse battery'), {
      code: WEB_ERROR.malformedData,
    });
    await assert.rejects(unlockVault({ ...header, salt: '!!' }, 'correct horse battery'), {
      code: WEB_ERROR.malformedData,
    });
  });
});
