import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { signApiToken } from '../../src/auth/api-token.js';
import { ADMISSION_ERROR, type AdmissionConfig, decideAdmission } from '../../src/session/admission.js';

const plain: AdmissionConfig = { key: 'peerjs', apiSecrets: [] };

function code(query: string, config = plain, now = 0): string {
  const d = decideAdmission(query, config, now);
  return d.kind === 'claim' ? 'claim' : d.code;
}

describe('admission decision', () => {
  it('claims a well-formed request (version and unknown params ignored)', () => {
    assert.deepEqual(decideAdmission('key=peerjs&id=alice&token=abc&version=1.5.5&x=1', plain, 0), {
      kind: 'claim',
      id: 'alice',
      token: 'abc',
    });
  });

  it('checks in the stock order: missing params, key, then our id/token validation', () => {
    assert.equal(code('id=a&token=t'), ADMISSION_ERROR.missingParams);
    assert.equal(code('key=peerjs&token=t'), ADMISSION_ERROR.missingParams);
    assert.equal(code('key=peerjs&id=a&token='), ADMISSION_ERROR.missingParams);
    // A bad key wins over a bad id, as the stock server checks the key first.
    assert.equal(code('key=nope&id=%3Cx%3E&token=t'), ADMISSION_ERROR.invalidKey);
    assert.equal(code('key=peerjs&id=%3Cx%3E&token=t'), ADMISSION_ERROR.invalidId);
    assert.equal(code('key=peerjs&id=a&token=has%20space'), ADMISSION_ERROR.invalidToken);
    assert.equal(code(`key=peerjs&id=${'a'.repeat(65)}&token=t`), ADMISSION_ERROR.invalidId);
  });

  it('uses the last value of a repeated parameter', () => {
    assert.equal(code('key=peerjs&id=a&id=b&token=t'), 'claim');
    const d = decideAdmission('key=peerjs&id=a&id=b&token=t', plain, 0);
    assert.equal(d.kind === 'claim' && d.id, 'b');
  });

  it('with API secrets, the key must be a valid unexpired token', () => {
    const secret = randomBytes(32);
    const config = { key: 'peerjs', apiSecrets: [secret] };
    const token = signApiToken(secret, 1_000);
    assert.equal(code(`key=${token}&id=a&token=t`, config, 999), 'claim');
    assert.equal(code(`key=${token}&id=a&token=t`, config, 1_000), ADMISSION_ERROR.invalidKey);
    assert.equal(code('key=peerjs&id=a&token=t', config, 0), ADMISSION_ERROR.invalidKey);
  });
});
