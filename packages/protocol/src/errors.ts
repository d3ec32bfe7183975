/**
 * One error type for the whole protocol package. The `code` is the contract (stable, asserted by
 * tests, documented in docs/protocol.md); `message` is for people and carries no user data.
 */
export class ProtocolError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

export function isProtocolError(err: unknown, code?: string): err is ProtocolError {
  return err instanceof ProtocolError && (code === undefined || err.code === code);
}
