/**
 * `protocol-error` (P8, vector V9): tells the peer why something it sent was refused. Informative:
 * the receiver of a protocol-error never answers it with another one, and a fatal one ends the
 * session (the peer re-handshakes on reconnect). `message` is short printable ASCII for logs and
 * never carries key material, plaintext or peer data.
 */
import { FATAL_WIRE_ERROR_CODES, isWireErrorCode, type WireErrorCode } from '../codes.js';
import { MAX_PROTOCOL_ERROR_MESSAGE_LENGTH } from '../limits.js';
import { bad } from './fields.js';
import { PDU_TYPE, type PduCodec } from './types.js';

export interface ProtocolErrorPdu {
  type: typeof PDU_TYPE.protocolError;
  /** One of WIRE_ERROR_CODES. */
  code: WireErrorCode;
  /** True when the sender has ended the session's crypto state because of this error. */
  fatal: boolean;
  /** The `messageId` the error is about, when it is about a message or its chunks. */
  inReplyTo?: string;
  message?: string;
}

const PRINTABLE = /^[\x20-\x7e]*$/;

export const protocolError: PduCodec<ProtocolErrorPdu> = {
  fields: ['code', 'fatal', 'inReplyTo', 'message'],
  decode: (r) => {
    const code = r.raw('code');
    if (!isWireErrorCode(code)) throw bad('protocol-error.code', 'not a wire error code');
    const pdu: ProtocolErrorPdu = { type: PDU_TYPE.protocolError, code, fatal: r.boolean('fatal') };
    if (r.has('inReplyTo')) pdu.inReplyTo = r.id('inReplyTo');
    if (r.has('message')) pdu.message = r.string('message', MAX_PROTOCOL_ERROR_MESSAGE_LENGTH, PRINTABLE);
    return pdu;
  },
  toWire: (p) => ({ code: p.code, fatal: p.fatal, inReplyTo: p.inReplyTo, message: p.message }),
};

/**
 * Builds a `protocol-error` for a wire code, with the catalogue's default `fatal` flag. `message`
 * must be a fixed, printable, secret-free string chosen by the caller (never an exception text).
 */
export function makeProtocolError(
  code: WireErrorCode,
  options: { inReplyTo?: string; message?: string; fatal?: boolean } = {},
): ProtocolErrorPdu {
  const pdu: ProtocolErrorPdu = {
    type: PDU_TYPE.protocolError,
    code,
    fatal: options.fatal ?? FATAL_WIRE_ERROR_CODES.has(code),
  };
  if (options.inReplyTo !== undefined) pdu.inReplyTo = options.inReplyTo;
  if (options.message !== undefined) pdu.message = options.message;
  return pdu;
}
