/** The broker's TURN credentials answer: strict parsing and conversion to RTCIceServer. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTurnCredentials, toIceServers, turnCredentialsUrl } from '../../src/ice/turn-credentials.js';

const GOOD = {
  username: '1764111111:alice',
  password: 'syM0noiTOlQo3X9F1YXulwwxriE=',
  ttl: 3600,
  expiresAt: 1764111111,
  uris: ['turn:turn.example:3478?transport=udp', 'turns:turn.example:5349', 'stun:turn.example:3478'],
};

describe('TURN credentials (client side)', () => {
  it('builds the route URL like the other broker routes', () => {
    assert.equal(
      turnCredentialsUrl({ host: 'b.example', port: 443, secure: true, path: '/x', key: 'v1.1.a/b' }),
      'https://b.example:443/x/v1.1.a%2Fb/turn-credentials',
    );
    assert.equal(
      turnCredentialsUrl({ host: '127.0.0.1', port: 9000 }),
      'http://127.0.0.1:9000/peerjs/turn-credentials',
    );
  });

  it('parses the documented answer and splits TURN from STUN servers', () => {
    const creds = parseTurnCredentials(JSON.stringify(GOOD));
    assert.deepEqual(creds, GOOD);
    assert.deepEqual(toIceServers(creds!), [
      { urls: GOOD.uris.slice(0, 2), username: GOOD.username, credential: GOOD.password },
      { urls: [GOOD.uris[2]] },
    ]);
  });

  it('refuses anything else', () => {
    const bad: unknown[] = [
      'not json',
      null,
      [],
      { ...GOOD, username: '' },
      { ...GOOD, password: 7 },
      { ...GOOD, ttl: 0 },
      { ...GOOD, ttl: 1.5 },
      { ...GOOD, expiresAt: -1 },
      { ...GOOD, uris: [] },
      { ...GOOD, uris: ['http://x'] },
      { ...GOOD, uris: ['turn:user:pw@host'] },
      { ...GOOD, uris: Array.from({ length: 17 }, () => GOOD.uris[0]) },
      { ...GOOD, username: 'x'.repeat(513) },
    ];
    for (const b of bad) {
      assert.equal(
        parseTurnCredentials(typeof b === 'string' ? b : JSON.stringify(b)),
        undefined,
        JSON.stringify(b),
      );
    }
  });
});
