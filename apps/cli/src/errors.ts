/**
 * The CLI's one error type. Codes are stable (scripts and tests match them in `--json` mode); each
 * maps to a process exit code so shell scripts can tell the classes of failure apart.
 */
export const CLI_ERROR = {
  /** Bad arguments or options (commander's own errors are reported with this code too). */
  usage: 'CLI_USAGE',
  /** A peer id that is not valid under the PeerJS id grammar. */
  invalidPeerId: 'CLI_INVALID_PEER_ID',
  /** The user named their own id as the contact. */
  ownPeerId: 'CLI_OWN_PEER_ID',
  /** A file to send that cannot be read, is not a regular file, or is too large. */
  fileUnreadable: 'CLI_FILE_UNREADABLE',
  /** The home folder or one of its files is readable by others, or unreadable, or malformed. */
  homeInsecure: 'CLI_HOME_INSECURE',
  homeCorrupt: 'CLI_HOME_CORRUPT',
  /** `verify` for a contact whose identity key was never seen (no pin yet). */
  notPinned: 'CLI_NOT_PINNED',
  /** The remote id is not registered at the broker. */
  peerUnavailable: 'PEER_UNAVAILABLE',
  /** The contact presented another identity key than the pinned one (blocked until `trust`). */
  identityKeyChanged: 'CRYPTO_IDENTITY_KEY_CHANGED',
  /** The broker could not be reached or refused us. */
  broker: 'CLI_BROKER',
  /** The connection or the secure session failed or closed before the work was done. */
  connection: 'CLI_CONNECTION',
  /** The peer refused or failed a file transfer. */
  transferFailed: 'CLI_TRANSFER_FAILED',
} as const;
export type CliErrorCode = (typeof CLI_ERROR)[keyof typeof CLI_ERROR];

/** Process exit status per code: 2 usage, 3 peer unreachable, 4 trust, 5 local files, 1 the rest. */
export const EXIT_CODE: Readonly<Record<CliErrorCode, number>> = {
  CLI_USAGE: 2,
  CLI_INVALID_PEER_ID: 2,
  CLI_OWN_PEER_ID: 2,
  CLI_FILE_UNREADABLE: 5,
  CLI_HOME_INSECURE: 5,
  CLI_HOME_CORRUPT: 5,
  CLI_NOT_PINNED: 4,
  PEER_UNAVAILABLE: 3,
  CRYPTO_IDENTITY_KEY_CHANGED: 4,
  CLI_BROKER: 3,
  CLI_CONNECTION: 1,
  CLI_TRANSFER_FAILED: 1,
};

export class CliError extends Error {
  readonly code: CliErrorCode;
  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
  }
}

export function isCliError(err: unknown, code?: CliErrorCode): err is CliError {
  return err instanceof CliError && (code === undefined || err.code === code);
}
