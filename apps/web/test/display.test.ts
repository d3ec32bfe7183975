import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_DISPLAY_NAME_CHARS } from '@enkrypted/chat';
import { PEER_ERROR } from '@enkrypted/peer';
import { cleanName, describePeerError, shortId } from '../src/logic/display.js';

describe('display helpers', () => {
  it('cleans and bounds names, counting characters not UTF-16 units', () => {
    assert.equal(cleanName('  Alice \n  Smith '), 'Alice Smith');
    assert.equal([...cleanName('😀'.repeat(100))].length, MAX_DISPLAY_NAME_CHARS);
  });

  it('shortens long ids only', () => {
    assert.equal(shortId('0123456789abcdef0123456789abcdef'), '01234567…');
    assert.equal(shortId('bob'), 'bob');
  });

  it('has a sentence for each connection failure', () => {
    assert.match(describePeerError(PEER_ERROR.peerUnavailable), /not online/);
    assert.match(describePeerError(undefined), /broker/);
    assert.match(describePeerError(PEER_ERROR.relayUnavailable), /TURN relay/);
    assert.match(describePeerError('SOMETHING_NEW'), /SOMETHING_NEW/);
  });
});
