/** Helpers shared by the TURN tests: broker with TURN flags, relay-aware peer options, pair types. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataConnection, Peer, PeerOptions } from '@enkrypted/peer';
import { peerOptions } from '../peer/support.js';
import { type BrokerUnderTest, startOurBroker } from '../support/brokers.js';
import type { Coturn } from './coturn.js';

/** Loopback candidates only: our host addresses (127.0.0.1) and coturn's relays (127.0.0.2). */
export const LOOPBACK_OR_RELAY = (candidate: string): boolean => / 127\.0\.0\.[12] /.test(candidate);

/** Our broker as a process, issuing credentials for `coturn` with the secret in a 0600 file. */
export function startTurnBroker(coturn: Coturn, dir: string, ttlSeconds = 600): Promise<BrokerUnderTest> {
  const secretFile = join(dir, 'turn-secret');
  writeFileSync(secretFile, `# coturn static-auth-secret\n${coturn.secret}\n`, { mode: 0o600 });
  const args = ['--turn-secret-file', secretFile, '--turn-ttl', String(ttlSeconds)];
  for (const url of coturn.urls) args.push('--turn-url', url);
  return startOurBroker({ args });
}

export function turnPeerOptions(broker: BrokerUnderTest, extra: Partial<PeerOptions> = {}): PeerOptions {
  return peerOptions(broker, { candidateFilter: LOOPBACK_OR_RELAY, ...extra });
}

export interface PairTypes {
  local: string | undefined;
  remote: string | undefined;
}

/** Candidate types of the selected pair, read from the standard `getStats()` report. */
export async function selectedPairTypes(pc: RTCPeerConnection | undefined): Promise<PairTypes> {
  if (!pc) throw new Error('no peer connection');
  const report = await pc.getStats();
  const byId = new Map<string, Record<string, unknown>>();
  report.forEach((v: Record<string, unknown>) => {
    byId.set(String(v.id), v);
  });
  let pairId: string | undefined;
  for (const v of byId.values()) {
    if (v.type === 'transport' && typeof v.selectedCandidatePairId === 'string')
      pairId = v.selectedCandidatePairId;
  }
  const pair = pairId ? byId.get(pairId) : undefined;
  const local = pair ? byId.get(String(pair.localCandidateId)) : undefined;
  const remote = pair ? byId.get(String(pair.remoteCandidateId)) : undefined;
  return {
    local: local?.candidateType as string | undefined,
    remote: remote?.candidateType as string | undefined,
  };
}

/** `broker_relayed_candidates_total` by type, from the broker's /metrics. */
export async function relayedCandidateCounts(broker: BrokerUnderTest): Promise<Record<string, number>> {
  const text = await (await fetch(broker.httpUrl('/metrics'))).text();
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^broker_relayed_candidates_total\{type="(\w+)"\} (\d+)/gm)) {
    counts[m[1]!] = Number(m[2]);
  }
  return counts;
}

/** Generous: ICE through a relay on a loaded 2-core machine. */
export const CONNECT_TIMEOUT_MS = 30_000;

/** `a` dials `b`; resolves with both ends once both are open. */
export async function connectPair(a: Peer, b: Peer): Promise<{ ab: DataConnection; ba: DataConnection }> {
  const accepted = new Promise<DataConnection>((r) => b.on('connection', r));
  const ab = await a.connect(b.id, { timeoutMs: CONNECT_TIMEOUT_MS });
  const ba = await accepted;
  await ba.whenOpen({ timeoutMs: CONNECT_TIMEOUT_MS });
  return { ab, ba };
}
