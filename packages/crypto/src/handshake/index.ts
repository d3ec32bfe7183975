/** Public surface of the P3 handshake: the driver, its options, its error, and the state table. */
export * from './constants.js';
export { HandshakeError, isHandshakeError } from './errors.js';
export {
  IDENTITY_CREDENTIAL_BYTES,
  identityCredential,
  identityFromCredential,
} from './identity-credential.js';
export {
  createHandshake,
  type Frame as HandshakeFrame,
  type HandshakeChannelLike,
  type HandshakeContextLike,
  type HandshakeOptions,
  runHandshake,
  type Timers as HandshakeTimers,
} from './run-handshake.js';
export {
  type HandshakeAction,
  type HandshakeEvent,
  type HandshakeRole,
  type HandshakeState,
  type HandshakeTask,
  initialState as initialHandshakeState,
  LAYER_TRACKS,
  type Phase as HandshakePhase,
  receivableTypes,
  step as handshakeStep,
  TRACKS as HANDSHAKE_TRACKS,
  TRANSITIONS as HANDSHAKE_TRANSITIONS,
  type Track as HandshakeTrack,
  type Transition as HandshakeTransition,
} from './state-table.js';
export { type HandshakeOutcome, MLS_CIPHER_SUITE_ID } from './tasks.js';
export { HANDSHAKE_PDU_ORDER } from './transcript.js';
