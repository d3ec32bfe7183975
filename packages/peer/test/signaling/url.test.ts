import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isValidPeerId } from '@enkrypted/protocol';
import { generateConnectionId, generatePeerId, generateToken } from '../../src/signaling/ids.js';
import { idUrl, normalisePath, socketUrl } from '../../src/signaling/url.js';

test('socket URL has the PeerJS shape with encoded query values', () => {
  const url = new URL(socketUrl({ host: '127.0.0.1', port: 9000, path: 'app' }, 'a b', 't&k'));
  assert.equal(url.protocol, 'ws:');
  assert.equal(url.pathname, '/app/peerjs');
  assert.equal(url.searchParams.get('key'), 'peerjs');
  assert.equal(url.searchParams.get('id'), 'a b');
  assert.equal(url.searchParams.get('token'), 't&k');
  assert.ok(url.searchParams.get('version'));
  assert.match(socketUrl({ host: 'h', port: 1, secure: true }, 'x', 'y'), /^wss:\/\/h:1\/peerjs\?/);
});

test('id URL is {path}{key}/id', () => {
  assert.equal(idUrl({ host: '127.0.0.1', port: 9000 }), 'http://127.0.0.1:9000/peerjs/id');
  assert.equal(idUrl({ host: 'h', port: 1, path: '/p/', key: 'k', secure: true }), 'https://h:1/p/k/id');
});

test('paths are normalised to leading and trailing slash', () => {
  assert.deepEqual(['', '/', 'a', '/a', 'a/', '/a/b'].map(normalisePath), [
    '/',
    '/',
    '/a/',
    '/a/',
    '/a/',
    '/a/b/',
  ]);
});

test('generated ids are valid PeerJS ids with 128 random bits; tokens and connection ids are distinct', () => {
  const ids = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const id = generatePeerId();
    assert.ok(isValidPeerId(id));
    assert.match(id, /^[0-9a-f]{32}$/);
    ids.add(id);
  }
  assert.equal(ids.size, 200);
  assert.match(generateToken(), /^[0-9a-f]{32}$/);
  assert.match(generateConnectionId(), /^dc_[0-9a-f]{20}$/);
});
