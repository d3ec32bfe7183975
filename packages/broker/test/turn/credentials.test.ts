/**
 * The TURN REST credential format coturn expects with `use-auth-secret`: username
 * "<expiry>:<peer id>", password base64(HMAC-SHA-1(secret text, username)). The expected passwords
 * were computed independently with the openssl CLI:
 *   echo -n "1700000000:alice" | openssl dgst -sha1 -hmac "$SECRET" -binary | base64
 * (tests/turn/ proves the same credentials against a running coturn).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mintTurnCredentials, turnPassword, turnUsername } from '../../src/turn/credentials.js';

const SECRET = '0123456789abcdef0123456789abcdef';

describe('TURN REST credentials', () => {
  it('match openssl-computed vectors', () => {
    assert.equal(turnPassword(SECRET, '1700000000:alice'), 'syM0noiTOlQo3X9F1YXulwwxriE=');
    assert.deepEqual(mintTurnCredentials(SECRET, 'Peer_7-x', 4102444800), {
      username: '4102444800:Peer_7-x',
      password: 'G0hRzFURlPvf2OtN5w1n0mUprRE=',
      expiresAt: 4102444800,
    });
  });

  it('put the expiry first, in decimal seconds, then the peer id', () => {
    assert.equal(turnUsername(1764111111, 'abc'), '1764111111:abc');
  });

  it('refuse an expiry that is not a positive integer and ids with the separator', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 60]) {
      assert.throws(() => turnUsername(bad, 'abc'), RangeError);
    }
    assert.throws(() => turnUsername(1764111111, 'a:b'), RangeError);
  });

  it('depend on the secret', () => {
    assert.notEqual(turnPassword(SECRET, '1:a'), turnPassword(`${SECRET}x`, '1:a'));
  });
});
