/** The candidate-type scan behind broker_relayed_candidates_total. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { candidateTypeOf, countRelayedCandidate } from '../../src/turn/candidate-types.js';

function frame(candidate: string): string {
  return JSON.stringify({
    type: 'CANDIDATE',
    dst: 'b',
    payload: { candidate: { candidate, sdpMid: '0' }, type: 'data', connectionId: 'dc_1' },
  });
}

describe('relayed candidate types', () => {
  it('reads the type word of each kind', () => {
    assert.equal(candidateTypeOf(frame('candidate:1 1 UDP 2114977791 127.0.0.1 54460 typ host')), 'host');
    assert.equal(
      candidateTypeOf(frame('candidate:2 1 UDP 1678769919 127.0.0.1 54460 typ srflx raddr 0.0.0.0 rport 0')),
      'srflx',
    );
    assert.equal(
      candidateTypeOf(frame('candidate:3 1 UDP 1 127.0.0.2 45071 typ relay raddr 0.0.0.0 rport 0')),
      'relay',
    );
    assert.equal(candidateTypeOf(frame('candidate:4 1 UDP 1 ::1 1 typ prflx')), 'prflx');
  });

  it('counts anything else (end-of-candidates, garbage, lookalikes) as other', () => {
    assert.equal(candidateTypeOf(frame('')), 'other');
    assert.equal(candidateTypeOf(frame('candidate:1 1 UDP 1 h 1 typ hostile')), 'other');
    assert.equal(candidateTypeOf('{"type":"CANDIDATE"}'), 'other');
  });

  it('exposes zero counts before any frame and counts per type', async () => {
    const prom = new Registry();
    countRelayedCandidate(prom, frame('candidate:1 1 UDP 1 127.0.0.1 1 typ relay'));
    countRelayedCandidate(prom, frame('candidate:1 1 UDP 1 127.0.0.1 1 typ relay'));
    const text = await prom.metrics();
    assert.match(text, /broker_relayed_candidates_total\{type="relay"\} 2/);
    assert.match(text, /broker_relayed_candidates_total\{type="host"\} 0/);
    assert.doesNotMatch(text, /127\.0\.0\.1/);
  });
});
