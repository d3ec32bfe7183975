/**
 * The checks a new WebSocket passes before its id is claimed, in the stock server's order:
 * 1. id, token and key present (else ERROR "No id, token, or key supplied…");
 * 2. key matches (or, with API tokens on, is a valid unexpired token) (else ERROR "Invalid key provided");
 * 3. [Enkrypted] id and token are well-formed (else ERROR "Invalid id/token provided");
 * then the registry decides between ID-TAKEN, re-attach, the concurrent limit and registration.
 * Pure: takes the query string and answers with a decision.
 */
import { isValidPeerId, isValidToken, SERVER_ERROR_TEXT, SIGNALING_ERROR } from '@enkrypted/protocol';
import { verifyApiToken } from '../auth/api-token.js';
import { CLOSE_CODE } from '../close-codes.js';
import type { RejectReason } from '../metrics.js';

/** Codes carried in `payload.code` of admission ERRORs, next to the stock `payload.msg`. */
export const ADMISSION_ERROR = {
  missingParams: 'BROKER_MISSING_PARAMS',
  invalidKey: SIGNALING_ERROR.invalidKey,
  invalidId: SIGNALING_ERROR.invalidId,
  invalidToken: SIGNALING_ERROR.invalidToken,
  idTaken: 'BROKER_ID_TAKEN',
  serverFull: 'BROKER_SERVER_FULL',
} as const;

/** Texts for our extra checks; the stock server never validates ids or tokens. */
export const EXTRA_ERROR_TEXT = {
  invalidId: 'Invalid id provided',
  invalidToken: 'Invalid token provided',
} as const;

export interface Rejection {
  kind: 'reject';
  type: 'ERROR' | 'ID-TAKEN';
  msg: string;
  code: string;
  closeCode: number;
  reason: RejectReason;
}

export type AdmissionDecision = { kind: 'claim'; id: string; token: string } | Rejection;

export interface AdmissionConfig {
  key: string;
  apiSecrets: readonly Uint8Array[];
}

function reject(
  type: Rejection['type'],
  msg: string,
  code: string,
  closeCode: number,
  reason: RejectReason,
): Rejection {
  return { kind: 'reject', type, msg, code, closeCode, reason };
}

export const REJECT_ID_TAKEN = reject(
  'ID-TAKEN',
  SERVER_ERROR_TEXT.idTaken,
  ADMISSION_ERROR.idTaken,
  CLOSE_CODE.idTaken,
  'id_taken',
);
export const REJECT_SERVER_FULL = reject(
  'ERROR',
  SERVER_ERROR_TEXT.concurrentLimit,
  ADMISSION_ERROR.serverFull,
  CLOSE_CODE.serverFull,
  'server_full',
);

/** Last value of a repeated parameter wins, as with the stock server. */
function lastParam(params: URLSearchParams, name: string): string {
  const all = params.getAll(name);
  return all.length > 0 ? all[all.length - 1]! : '';
}

export function decideAdmission(
  query: string,
  config: AdmissionConfig,
  nowSeconds: number,
): AdmissionDecision {
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query);
  } catch {
    params = new URLSearchParams();
  }
  const id = lastParam(params, 'id');
  const token = lastParam(params, 'token');
  const key = lastParam(params, 'key');
  if (id === '' || token === '' || key === '') {
    return reject(
      'ERROR',
      SERVER_ERROR_TEXT.missingParams,
      ADMISSION_ERROR.missingParams,
      CLOSE_CODE.badRequest,
      'missing_params',
    );
  }
  const keyOk =
    config.apiSecrets.length > 0 ? verifyApiToken(key, config.apiSecrets, nowSeconds).ok : key === config.key;
  if (!keyOk) {
    return reject(
      'ERROR',
      SERVER_ERROR_TEXT.invalidKey,
      ADMISSION_ERROR.invalidKey,
      CLOSE_CODE.unauthorized,
      'invalid_key',
    );
  }
  if (!isValidPeerId(id)) {
    return reject(
      'ERROR',
      EXTRA_ERROR_TEXT.invalidId,
      ADMISSION_ERROR.invalidId,
      CLOSE_CODE.badRequest,
      'invalid_params',
    );
  }
  if (!isValidToken(token)) {
    return reject(
      'ERROR',
      EXTRA_ERROR_TEXT.invalidToken,
      ADMISSION_ERROR.invalidToken,
      CLOSE_CODE.badRequest,
      'invalid_params',
    );
  }
  return { kind: 'claim', id, token };
}

/** The frame sent before closing a rejected socket: the stock shape plus a stable `code`. */
export function encodeRejection(r: Rejection): string {
  return JSON.stringify({ type: r.type, payload: { msg: r.msg, code: r.code } });
}
