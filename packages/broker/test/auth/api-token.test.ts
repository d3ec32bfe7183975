import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { API_TOKEN_ERROR, signApiToken, verifyApiToken } from '../../src/auth/api-token.js';

const secret = randomBytes(32);
const other = randomBytes(32);

describe('API tokens', () => {
  it('verifies a token it signed until it expires', () => {
    const token = signApiToken(secret, 2_000);
    assert.match(token, /^v1\.2000\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(verifyApiToken(token, [secret], 1_999), { ok: true, expiresAt: 2_000 });
    assert.deepEqual(verifyApiToken(token, [secret], 2_000), { ok: false, code: API_TOKEN_ERROR.expired });
  });

  it('accepts any configured secret (rotation)', () => {
    const token = signApiToken(other, 2_000);
    assert.equal(verifyApiToken(token, [secret, other], 0).ok, true);
    assert.deepEqual(verifyApiToken(token, [secret], 0), { ok: false, code: API_TOKEN_ERROR.badSignature });
  });

  it('refuses tampered expiry and signature', () => {
    const token = signApiToken(secret, 2_000);
    const [v, , sig] = token.split('.');
    assert.equal(verifyApiToken(`${v}.9999999999.${sig}`, [secret], 0).ok, false);
    // Flip a character in the middle (every bit of it is signature data).
    const mid = 20;
    const flipped = sig!.slice(0, mid) + (sig![mid] === 'A' ? 'B' : 'A') + sig!.slice(mid + 1);
    assert.deepEqual(verifyApiToken(`${v}.2000.${flipped}`, [secret], 0), {
      ok: false,
      code: API_TOKEN_ERROR.badSignature,
    });
  });

  it('accepts only the canonical spelling of the signature', () => {
    for (let expiry = 2_000; expiry < 2_040; expiry++) {
      const token = signApiToken(secret, expiry);
      const last = token.at(-1)!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const i = alphabet.indexOf(last);
      // Same 4 data bits, different unused bits: decodes to the same bytes, must still be refused.
      const variant = token.slice(0, -1) + alphabet[(i & ~3) | ((i + 1) & 3)]!;
      assert.equal(verifyApiToken(token, [secret], 0).ok, true);
      assert.deepEqual(verifyApiToken(variant, [secret], 0), { ok: false, code: API_TOKEN_ERROR.malformed });
    }
  });

  it('refuses malformed tokens with the malformed code', () => {
    for (const bad of [
      '',
      'peerjs',
      'v1..x',
      `v2.2000.${'a'.repeat(43)}`,
      `v1.02000.${'a'.repeat(43)}`,
      `v1.1.${'a'.repeat(44)}`,
      'x'.repeat(500),
    ]) {
      assert.deepEqual(verifyApiToken(bad, [secret], 0), { ok: false, code: API_TOKEN_ERROR.malformed }, bad);
    }
  });

  it('refuses to sign a non-positive expiry', () => {
    assert.throws(() => signApiToken(secret, 0), RangeError);
    assert.throws(() => signApiToken(secret, 1.5), RangeError);
  });
});
