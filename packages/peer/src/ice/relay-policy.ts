/**
 * Relay-only mode (ch. 3.3) as candidate rules, pure. Browsers enforce `iceTransportPolicy: 'relay'`
 * themselves. libdatachannel (node-datachannel) only withholds non-relay *local* candidates: its ICE
 * agent (libjuice) still pairs its host socket with every remote candidate and probes from it. So on
 * Node, relay-only also means never handing the agent a remote candidate that is not `relay`, and
 * never putting a non-relay candidate into an SDP we send.
 */

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** The `typ` of an ICE candidate line (`candidate:…` or `a=candidate:…`), or undefined. */
export function candidateType(line: string): CandidateType | undefined {
  const m = / typ (host|srflx|prflx|relay)(?: |$)/.exec(line);
  return m ? (m[1] as CandidateType) : undefined;
}

export function isRelayCandidate(line: string): boolean {
  return candidateType(line) === 'relay';
}

/** The SDP without any `a=candidate` line that is not a relay candidate. */
export function stripNonRelayCandidates(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return sdp
    .split(eol)
    .filter((line) => !line.startsWith('a=candidate:') || isRelayCandidate(line))
    .join(eol);
}
