/**
 * The web app's one error type. Codes are stable (tests assert them); messages are for people and
 * never contain key material, passphrases or message text.
 */
export const WEB_ERROR = {
  /** The text is not a PeerJS-grammar peer id. */
  invalidPeerId: 'WEB_INVALID_PEER_ID',
  /** The user tried to add their own id as a contact. */
  ownPeerId: 'WEB_OWN_PEER_ID',
  /** An uploaded image holds no readable QR code, or one that is not an Enkrypted contact. */
  invalidQr: 'WEB_INVALID_QR',
  /** Wrong passphrase, or stored/backup data failed authentication. */
  wrongPassphrase: 'WEB_WRONG_PASSPHRASE',
  /** A passphrase that is too short to protect anything. */
  weakPassphrase: 'WEB_WEAK_PASSPHRASE',
  /** Stored record, backup file or settings value of the wrong shape or version. */
  malformedData: 'WEB_MALFORMED_DATA',
  /** A frame from the peer that is oversized or malformed (dropped, the chat goes on). */
  malformedFrame: 'WEB_MALFORMED_FRAME',
  /** Sending is refused: the session is not end-to-end encrypted (and debug mode is off). */
  notEncrypted: 'WEB_NOT_ENCRYPTED',
  /** A message or file above the app's limits. */
  tooLarge: 'WEB_TOO_LARGE',
  /** A broker URL or ICE server entry that cannot be used. */
  invalidSetting: 'WEB_INVALID_SETTING',
  /** The contact's identity key changed: chat blocked until the user decides. */
  identityKeyChanged: 'WEB_IDENTITY_KEY_CHANGED',
  /** A file transfer failed its integrity check or was cancelled. */
  transferFailed: 'WEB_TRANSFER_FAILED',
} as const;
export type WebErrorCode = (typeof WEB_ERROR)[keyof typeof WEB_ERROR];

export class WebError extends Error {
  readonly code: WebErrorCode;
  constructor(code: WebErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebError';
    this.code = code;
  }
}

export function isWebError(err: unknown, code?: WebErrorCode): err is WebError {
  return err instanceof WebError && (code === undefined || err.code === code);
}
