/**
 * `rotation-timestamp-broadcast` (P4, ch. 5.4): announces a new rotation timestamp, which both
 * peers mix into the AES-256-GCM layer's key derivation from then on (the "password suffix" of the
 * reference implementation; the key schedule is in docs/protocol.md §4). A receiver ignores a value
 * not greater than the last one it accepted in the session (the crypto work enforces that).
 */
import { PDU_TYPE, type PduCodec } from './types.js';

export interface RotationTimestampBroadcast {
  type: typeof PDU_TYPE.rotationTimestampBroadcast;
  /** The handshake session whose AES layer rotates. */
  sessionId: string;
  /** Unix time in ms, integer. */
  rotationTimestamp: number;
}

export const rotationTimestampBroadcast: PduCodec<RotationTimestampBroadcast> = {
  fields: ['sessionId', 'rotationTimestamp'],
  decode: (r) => ({
    type: PDU_TYPE.rotationTimestampBroadcast,
    sessionId: r.id('sessionId'),
    rotationTimestamp: r.uint('rotationTimestamp'),
  }),
  toWire: (p) => ({ sessionId: p.sessionId, rotationTimestamp: p.rotationTimestamp }),
};
