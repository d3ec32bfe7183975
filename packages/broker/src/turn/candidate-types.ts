/**
 * Counts the ICE candidate types the broker relays (`host`, `srflx`, `prflx`, `relay`), so an
 * operator (and the relay-only tests) can see whether clients configured for relay-only really keep
 * their addresses out of signaling. Only the type word is read, with one substring search per
 * CANDIDATE frame: no parsing, no address is stored or logged.
 */
import { Counter, type Registry as PromRegistry } from 'prom-client';
import { Tally } from '../metrics.js';

export const CANDIDATE_TYPES = ['host', 'srflx', 'prflx', 'relay', 'other'] as const;
export type CandidateType = (typeof CANDIDATE_TYPES)[number];
export type CandidateTallies = Record<CandidateType, Tally>;

export const CANDIDATE_METRIC = 'broker_relayed_candidates_total';

const TYP = ' typ ';
const byRegistry = new WeakMap<PromRegistry, CandidateTallies>();

/** The candidate type named in a frame's text (`… typ relay …`), or 'other'. */
export function candidateTypeOf(text: string): CandidateType {
  const at = text.indexOf(TYP);
  if (at < 0) return 'other';
  const start = at + TYP.length;
  // The candidate grammar (RFC 8839) puts a space or the end of the string after the type word.
  for (const type of CANDIDATE_TYPES) {
    if (text.startsWith(type, start)) {
      const next = text.charCodeAt(start + type.length);
      if (next === 32 || next === 34 || Number.isNaN(next)) return type;
    }
  }
  return 'other';
}

/** Registers the counter on `prom` once and returns its tallies. */
export function candidateTallies(prom: PromRegistry): CandidateTallies {
  let tallies = byRegistry.get(prom);
  if (tallies) return tallies;
  const own = Object.fromEntries(CANDIDATE_TYPES.map((t) => [t, new Tally()])) as CandidateTallies;
  tallies = own;
  byRegistry.set(prom, own);
  const seen = new Map<CandidateType, number>();
  new Counter({
    name: CANDIDATE_METRIC,
    help: 'CANDIDATE frames relayed, by ICE candidate type (no addresses are recorded)',
    labelNames: ['type'],
    registers: [prom],
    collect() {
      for (const type of CANDIDATE_TYPES) {
        const value = own[type].value;
        const delta = value - (seen.get(type) ?? 0);
        seen.set(type, value);
        // Touching every label once makes zero counts visible (relay-only should show host 0).
        this.inc({ type }, Math.max(0, delta));
      }
    },
  });
  return own;
}

/** Session hook: one CANDIDATE frame's text passed through the broker. */
export function countRelayedCandidate(prom: PromRegistry, frameText: string): void {
  candidateTallies(prom)[candidateTypeOf(frameText)].inc();
}
