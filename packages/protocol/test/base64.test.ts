import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  base64DecodedLength,
  bytesToHex,
  decodeBase64,
  decodeBase64url,
  encodeBase64,
  encodeBase64url,
  hexToBytes,
  isProtocolError,
  PDU_ERROR,
} from '../src/index.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const rejects = (f: () => unknown) =>
  assert.throws(f, (e: unknown) => isProtocolError(e, PDU_ERROR.badField));

describe('base64 (RFC 4648 §4, padded)', () => {
  // RFC 4648 §10 test vectors.
  const rfc: [string, string][] = [
    ['', ''],
    ['f', 'Zg=='],
    ['fo', 'Zm8='],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg=='],
    ['fooba', 'Zm9vYmE='],
    ['foobar', 'Zm9vYmFy'],
  ];
  for (const [plain, b64] of rfc) {
    it(`"${plain}" ↔ "${b64}"`, () => {
      assert.equal(encodeBase64(utf8(plain)), b64);
      assert.deepEqual(decodeBase64(b64), utf8(plain));
      assert.equal(base64DecodedLength(b64), plain.length);
    });
  }
  it('uses + and / and decodes every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = encodeBase64(all);
    assert.match(text, /\+/);
    assert.match(text, /\//);
    assert.deepEqual(decodeBase64(text), all);
  });
  it('refuses every non-canonical form', () => {
    for (const t of [
      'Zg',
      'Zg=',
      'Zh==',
      'Zm9=',
      'Z===',
      '====',
      'Zm 9v',
      'Zm9v\n',
      'Zm-_',
      'Zg==Zg==',
      '=Zg=',
      'Zé==',
    ]) {
      rejects(() => decodeBase64(t));
    }
  });
  it('round-trips arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        assert.deepEqual(decodeBase64(encodeBase64(b)), b);
        assert.deepEqual(decodeBase64url(encodeBase64url(b)), b);
      }),
    );
  });
});

describe('base64url (RFC 4648 §5, unpadded)', () => {
  it('uses - and _ without padding', () => {
    assert.equal(encodeBase64url(Uint8Array.of(0xfb, 0xff)), '-_8');
    assert.deepEqual(decodeBase64url('-_8'), Uint8Array.of(0xfb, 0xff));
    assert.equal(encodeBase64url(new Uint8Array(16)).length, 22);
  });
  it('refuses padding, the standard alphabet, impossible lengths and non-zero trailing bits', () => {
    for (const t of ['-_8=', '+/8', 'A', 'AAAAA', '-_9']) rejects(() => decodeBase64url(t));
  });
});

describe('hex', () => {
  it('round-trips lowercase hex and refuses junk', () => {
    assert.equal(bytesToHex(Uint8Array.of(0, 0x0a, 0xff)), '000aff');
    assert.deepEqual(hexToBytes('000aff'), Uint8Array.of(0, 0x0a, 0xff));
    rejects(() => hexToBytes('abc'));
    rejects(() => hexToBytes('zz'));
  });
});
