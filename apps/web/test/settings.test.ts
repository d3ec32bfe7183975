import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WEB_ERROR } from '../src/logic/errors.js';
import {
  brokerAddress,
  DEFAULT_SETTINGS,
  normaliseSettings,
  parseIceServers,
} from '../src/logic/settings.js';

describe('settings', () => {
  it('derives the broker from the page origin by default', () => {
    assert.deepEqual(brokerAddress('', 'http://127.0.0.1:9000/index.html'), {
      host: '127.0.0.1',
      port: 9000,
      path: '/',
      secure: false,
    });
    assert.deepEqual(brokerAddress('', 'https://chat.example/app/'), {
      host: 'chat.example',
      port: 443,
      path: '/app/',
      secure: true,
    });
    assert.deepEqual(brokerAddress('ws://127.0.0.1:1234/b/', 'http://x/'), {
      host: '127.0.0.1',
      port: 1234,
      path: '/b/',
      secure: false,
    });
  });

  it('refuses broker URLs it cannot use', () => {
    assert.throws(() => brokerAddress('not a url', 'http://x/'), { code: WEB_ERROR.invalidSetting });
    assert.throws(() => brokerAddress('ftp://x/', 'http://x/'), { code: WEB_ERROR.invalidSetting });
  });

  it('parses STUN/TURN lines and refuses TURN without credentials', () => {
    assert.deepEqual(parseIceServers('stun:127.0.0.1:3478\n# comment\n\nturn:127.0.0.1:3478 u p'), [
      { urls: 'stun:127.0.0.1:3478' },
      { urls: 'turn:127.0.0.1:3478', username: 'u', credential: 'p' },
    ]);
    assert.throws(() => parseIceServers('turn:127.0.0.1:3478'), { code: WEB_ERROR.invalidSetting });
    assert.throws(() => parseIceServers('http://x'), { code: WEB_ERROR.invalidSetting });
  });

  it('normalises stored settings, keeping debug mode off unless explicitly on', () => {
    assert.deepEqual(normaliseSettings(null), DEFAULT_SETTINGS);
    assert.equal(normaliseSettings({ debugUnencrypted: 'yes' }).debugUnencrypted, false);
    assert.equal(normaliseSettings({ sendTyping: false }).sendTyping, false);
  });
});
