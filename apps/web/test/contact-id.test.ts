import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contactQrText, parseContactId, parseContactQr } from '../src/logic/contact-id.js';
import { WEB_ERROR } from '../src/logic/errors.js';

const OWN = '0123456789abcdef0123456789abcdef';
const OTHER = 'fedcba9876543210fedcba9876543210';

describe('contact id and QR validation', () => {
  it('accepts a pasted id, trimming whitespace, and the QR form', () => {
    assert.equal(parseContactId(`  ${OTHER}\n`, OWN), OTHER);
    assert.equal(parseContactId(contactQrText(OTHER), OWN), OTHER);
    assert.equal(parseContactQr(contactQrText(OTHER), OWN), OTHER);
  });

  it('refuses empty, malformed and over-long ids', () => {
    for (const bad of [
      '',
      '   ',
      'two  spaces',
      'trailing-',
      'semi;colon',
      '<script>',
      'a'.repeat(65),
      '-leading',
    ]) {
      assert.throws(() => parseContactId(bad, OWN), { code: WEB_ERROR.invalidPeerId }, bad);
    }
  });

  it('refuses our own id, pasted or scanned', () => {
    assert.throws(() => parseContactId(OWN, OWN), { code: WEB_ERROR.ownPeerId });
    assert.throws(() => parseContactQr(contactQrText(OWN), OWN), { code: WEB_ERROR.ownPeerId });
  });

  it('refuses unreadable, foreign and malformed QR codes', () => {
    assert.throws(() => parseContactQr(undefined, OWN), { code: WEB_ERROR.invalidQr });
    assert.throws(() => parseContactQr('https://example.invalid/', OWN), { code: WEB_ERROR.invalidQr });
    assert.throws(() => parseContactQr(OTHER, OWN), { code: WEB_ERROR.invalidQr });
    assert.throws(() => parseContactQr(`${contactQrText('bad id!')}`, OWN), { code: WEB_ERROR.invalidQr });
  });
});
