/** Relay-only candidate rules: what may enter or leave a relay-only peer connection. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { candidateType, isRelayCandidate, stripNonRelayCandidates } from '../../src/ice/relay-policy.js';

const HOST = 'a=candidate:1 1 UDP 2114977791 192.168.1.20 54460 typ host';
const SRFLX = 'a=candidate:2 1 UDP 1678769919 203.0.113.7 54460 typ srflx raddr 0.0.0.0 rport 0';
const RELAY = 'a=candidate:3 1 UDP 1048063 198.51.100.9 45071 typ relay raddr 203.0.113.7 rport 54460';

describe('relay policy', () => {
  it('reads candidate types', () => {
    assert.equal(candidateType(HOST), 'host');
    assert.equal(candidateType(SRFLX), 'srflx');
    assert.equal(candidateType(RELAY.slice(2)), 'relay');
    assert.equal(candidateType('candidate:1 1 UDP 1 ::1 1 typ prflx'), 'prflx');
    assert.equal(candidateType('candidate:1 1 UDP 1 h 1 typ relayx'), undefined);
    assert.equal(candidateType(''), undefined);
    assert.ok(isRelayCandidate(RELAY));
    assert.ok(!isRelayCandidate(HOST));
  });

  it('strips every non-relay candidate from an SDP and keeps everything else', () => {
    const sdp = [
      'v=0',
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
      HOST,
      SRFLX,
      RELAY,
      'a=end-of-candidates',
      '',
    ].join('\r\n');
    const out = stripNonRelayCandidates(sdp);
    assert.equal(
      out,
      ['v=0', 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', RELAY, 'a=end-of-candidates', ''].join(
        '\r\n',
      ),
    );
    assert.ok(!out.includes('192.168.1.20') && !out.includes('typ srflx'));
    assert.equal(stripNonRelayCandidates(`v=0\n${HOST}\n`), 'v=0\n');
  });
});
