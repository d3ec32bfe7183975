/**
 * WebSocket close codes the broker uses. Application codes are 4000 + an HTTP status with the same
 * meaning, so they read at a glance in logs and browser devtools. The stock server closes without a
 * code (clients see 1005); stock clients ignore the code, so adding one is wire-compatible.
 */
export const CLOSE_CODE = {
  /** A legacy LEAVE without dst: the client said it is leaving. */
  normal: 1000,
  /** The broker is shutting down. */
  goingAway: 1001,
  /** Frame larger than the max frame size (sent by ws itself before the frame is buffered). */
  tooBig: 1009,
  /** Unexpected server fault while handling this socket. */
  internalError: 1011,
  /** Missing or malformed id, token or key in the WebSocket URL. */
  badRequest: 4400,
  /** Wrong key, or a missing/invalid/expired API token. */
  unauthorized: 4401,
  /** Closed by the liveness sweep: nothing received for alive_timeout. */
  aliveTimeout: 4408,
  /** The id is registered with a different token. */
  idTaken: 4409,
  /** Replaced by a newer socket presenting the same id and token (re-attach). */
  replaced: 4410,
  /** The socket did not read what was sent to it (send buffer over its bound). */
  slowConsumer: 4413,
  /** More frames than the per-connection rate allows. */
  rateLimited: 4429,
  /** The broker's concurrent peer limit is reached. */
  serverFull: 4503,
} as const;
export type CloseCode = (typeof CLOSE_CODE)[keyof typeof CLOSE_CODE];
