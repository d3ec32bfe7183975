/** Public surface of the Signal layer (X3DH 3-DH form + Double Ratchet). */
export {
  MAX_PREVIOUS_REMOTE_KEYS,
  MAX_SKIP,
  MAX_SKIPPED_KEYS,
  MESSAGE_KEYS_INFO,
  RATCHET_INFO,
  X3DH_INFO,
} from './constants.js';
export { type DhKeyPair, generateDhKeyPair } from './dh.js';
export * from './double-ratchet.js';
export * from './header.js';
export * from './session.js';
export * from './signal-layer.js';
export * from './state-codec.js';
export * from './x3dh-common.js';
export * from './x3dh-initiator.js';
export * from './x3dh-responder.js';
