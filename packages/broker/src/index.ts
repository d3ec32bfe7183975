export { API_TOKEN_ERROR, type ApiTokenVerdict, signApiToken, verifyApiToken } from './auth/api-token.js';
export { CLOSE_CODE, type CloseCode } from './close-codes.js';
export { BROKER_ERROR, BrokerError, type BrokerErrorCode, isBrokerError } from './errors.js';
export { loadStaticSite, MAX_STATIC_SITE_BYTES, type StaticSite } from './http/static-site.js';
export type { TurnCredentialsResponse } from './http/turn-credentials.js';
export * from './limits.js';
export { createLogger, type Logger, type LogLevel, silentLogger } from './logger.js';
export {
  type BrokerOptions,
  DEFAULT_OPTIONS,
  isLoopbackHost,
  normalizePath,
  resolveOptions,
} from './options.js';
export { MemoryRegistry } from './registry/memory.js';
export * from './registry/redis/cluster-limits.js';
export { RedisRegistry, type RedisRegistryOptions } from './registry/redis/redis-registry.js';
export type {
  ClaimOutcome,
  ClusterStats,
  PeerConnection,
  Registry,
  RegistryHealth,
  RegistryStats,
  RouteOutcome,
} from './registry/registry.js';
export {
  type Broker,
  type BrokerEvents,
  type ConnectionEvent,
  type CreateBrokerOptions,
  createBroker,
  type DisconnectEvent,
} from './server.js';
export { ADMISSION_ERROR } from './session/admission.js';
export { SESSION_ERROR } from './session/session.js';
export { CANDIDATE_METRIC, CANDIDATE_TYPES, candidateTypeOf } from './turn/candidate-types.js';
export { DEFAULT_TURN_OPTIONS, resolveTurnOptions, type TurnOptions } from './turn/config.js';
export { mintTurnCredentials, type TurnCredentials, turnPassword, turnUsername } from './turn/credentials.js';
export * from './turn/limits.js';
