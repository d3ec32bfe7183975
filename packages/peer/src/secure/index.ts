export {
  adaptChannel,
  type CascadeHandshakeOptions,
  type CascadeSecureSession,
  cascadeHandshake,
  handshakeFailureCode,
  isIdentityKeyChanged,
} from './cascade-handshake.js';
export { connectionFingerprints, type DtlsFingerprints, sdpFingerprint } from './fingerprints.js';
