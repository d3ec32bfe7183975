/**
 * The chat package's one error type. Codes are stable (tests assert them); messages are for people
 * and never contain key material or message text.
 */
export const CHAT_ERROR = {
  /** A frame from the peer that is oversized or malformed (dropped, the chat goes on). */
  malformedFrame: 'CHAT_MALFORMED_FRAME',
  /** A message, chunk or file above the chat limits. */
  tooLarge: 'CHAT_TOO_LARGE',
  /** A file transfer failed its integrity check, arrived out of order or was cancelled. */
  transferFailed: 'CHAT_TRANSFER_FAILED',
} as const;
export type ChatErrorCode = (typeof CHAT_ERROR)[keyof typeof CHAT_ERROR];

export class ChatError extends Error {
  readonly code: ChatErrorCode;
  constructor(code: ChatErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChatError';
    this.code = code;
  }
}

export function isChatError(err: unknown, code?: ChatErrorCode): err is ChatError {
  return err instanceof ChatError && (code === undefined || err.code === code);
}
