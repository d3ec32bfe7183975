export { BrokerTurnCredentials, TURN_FETCH_TIMEOUT_MS, TURN_REFRESH_AT } from './broker-credentials.js';
export {
  type CandidateType,
  candidateType,
  isRelayCandidate,
  stripNonRelayCandidates,
} from './relay-policy.js';
export {
  parseTurnCredentials,
  type TurnCredentials,
  toIceServers,
  turnCredentialsUrl,
} from './turn-credentials.js';
