/**
 * One error class for the broker. `code` is the contract (tests and operators match on it); the
 * message is for people and never carries tokens or secrets.
 */
export const BROKER_ERROR = {
  invalidOption: 'BROKER_INVALID_OPTION',
  insecureBind: 'BROKER_INSECURE_BIND',
  tlsFiles: 'BROKER_TLS_FILES',
  apiSecret: 'BROKER_API_SECRET',
  notStarted: 'BROKER_NOT_STARTED',
  alreadyStarted: 'BROKER_ALREADY_STARTED',
} as const;
export type BrokerErrorCode = (typeof BROKER_ERROR)[keyof typeof BROKER_ERROR];

export class BrokerError extends Error {
  readonly code: BrokerErrorCode;
  constructor(code: BrokerErrorCode, message: string) {
    super(message);
    this.name = 'BrokerError';
    this.code = code;
  }
}

export function isBrokerError(err: unknown, code?: BrokerErrorCode): err is BrokerError {
  return err instanceof BrokerError && (code === undefined || err.code === code);
}
