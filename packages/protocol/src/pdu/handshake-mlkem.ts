/**
 * ML-KEM-768 handshake PDUs (P3.2 steps 8–9; FIPS 203). The exchange is symmetric: each side sends
 * `mlkem-key-exchange` with a fresh encapsulation key and answers the other's with
 * `mlkem-key-exchange-response` carrying the ciphertext of an encapsulation to it, so both sides
 * contribute a shared secret. `generation` numbers exchanges: 0 during the handshake, then +1 for
 * each re-key while Ready (the crypto work documents the interval).
 */
import { KEY_BYTES } from '../limits.js';
import { b64 } from './fields.js';
import { PDU_TYPE, type PduCodec } from './types.js';

const UINT32_MAX = 0xffff_ffff;

export interface MlkemKeyExchange {
  type: typeof PDU_TYPE.mlkemKeyExchange;
  sessionId: string;
  generation: number;
  /** ML-KEM-768 encapsulation key (1184 B). */
  publicKey: Uint8Array;
}

export interface MlkemKeyExchangeResponse {
  type: typeof PDU_TYPE.mlkemKeyExchangeResponse;
  sessionId: string;
  /** The `generation` of the `mlkem-key-exchange` this answers. */
  generation: number;
  /** ML-KEM-768 ciphertext (1088 B) encapsulated to that key. */
  ciphertext: Uint8Array;
}

export const mlkemKeyExchange: PduCodec<MlkemKeyExchange> = {
  fields: ['sessionId', 'generation', 'publicKey'],
  decode: (r) => ({
    type: PDU_TYPE.mlkemKeyExchange,
    sessionId: r.id('sessionId'),
    generation: r.uint('generation', UINT32_MAX),
    publicKey: r.bytes('publicKey', { exact: KEY_BYTES.mlkem768PublicKey }),
  }),
  toWire: (p) => ({
    sessionId: p.sessionId,
    generation: p.generation,
    publicKey: b64(p.publicKey, 'publicKey'),
  }),
};

export const mlkemKeyExchangeResponse: PduCodec<MlkemKeyExchangeResponse> = {
  fields: ['sessionId', 'generation', 'ciphertext'],
  decode: (r) => ({
    type: PDU_TYPE.mlkemKeyExchangeResponse,
    sessionId: r.id('sessionId'),
    generation: r.uint('generation', UINT32_MAX),
    ciphertext: r.bytes('ciphertext', { exact: KEY_BYTES.mlkem768Ciphertext }),
  }),
  toWire: (p) => ({
    sessionId: p.sessionId,
    generation: p.generation,
    ciphertext: b64(p.ciphertext, 'ciphertext'),
  }),
};
