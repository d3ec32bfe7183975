/** RTCIceServer → libdatachannel objects (TURN REST usernames contain a colon; libjuice is UDP-only). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nativeIceServer, nativeIceServers } from '../../src/platform/native-ice.js';

describe('native ICE servers', () => {
  it('keeps a colon in the username intact', () => {
    assert.deepEqual(nativeIceServer('turn:127.0.0.1:3478?transport=udp', '1764111111:alice', 'pw=='), {
      hostname: '127.0.0.1',
      port: 3478,
      username: '1764111111:alice',
      password: 'pw==',
      relayType: 'TurnUdp',
    });
  });

  it('fills default ports, unwraps IPv6 and passes STUN without credentials', () => {
    assert.deepEqual(nativeIceServer('turn:turn.example', 'u', 'p'), {
      hostname: 'turn.example',
      port: 3478,
      username: 'u',
      password: 'p',
      relayType: 'TurnUdp',
    });
    assert.deepEqual(nativeIceServer('stun:[::1]:3479'), { hostname: '::1', port: 3479 });
  });

  it('leaves out what libjuice cannot use and what is malformed', () => {
    for (const url of [
      'turn:h:3478?transport=tcp',
      'turns:h:5349',
      'turn:h:99999',
      'http://h',
      'turn:u:p@h:1',
    ]) {
      assert.equal(nativeIceServer(url, 'u', 'p'), undefined, url);
    }
    assert.equal(nativeIceServer('turn:h:3478'), undefined, 'TURN without credentials');
  });

  it('flattens several servers with several URLs', () => {
    const out = nativeIceServers([
      { urls: ['turn:a:1?transport=udp', 'turn:a:1?transport=tcp'], username: 'u', credential: 'p' },
      { urls: 'stun:b:2' },
    ]);
    assert.deepEqual(
      out.map((s) => `${s.hostname}:${s.port}`),
      ['a:1', 'b:2'],
    );
  });
});
