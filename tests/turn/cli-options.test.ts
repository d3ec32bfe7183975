/** CLI: `--bind` keeps relay candidates (their address is the TURN server's), drops other addresses. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindFilter } from '@enkrypted/cli';

describe('CLI candidate filter with --bind', () => {
  it('keeps the bound address and relay candidates only', () => {
    const keep = bindFilter('127.0.0.1');
    assert.ok(keep('candidate:1 1 UDP 2114977791 127.0.0.1 54460 typ host'));
    assert.ok(keep('candidate:3 1 UDP 1048063 198.51.100.9 45071 typ relay raddr 0.0.0.0 rport 0'));
    assert.ok(!keep('candidate:1 1 UDP 2114977791 192.168.1.20 54460 typ host'));
    assert.ok(!keep('candidate:2 1 UDP 1678769919 203.0.113.7 54460 typ srflx raddr 0.0.0.0 rport 0'));
  });
});
