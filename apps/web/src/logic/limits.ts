/** Every limit of the web app, with the reason for its value. */

/**
 * PBKDF2-SHA-256 iterations for the at-rest key: OWASP's 2023 figure (600,000) for SHA-256. It costs
 * well under a second in current browsers and is paid once per unlock.
 */
export const PBKDF2_ITERATIONS = 600_000;
/** Lowest iteration count we accept from a stored header or backup file (refuses downgraded files). */
export const MIN_PBKDF2_ITERATIONS = 100_000;
/** Highest iteration count we accept: a hostile backup file must not freeze the tab. */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;
/** Shortest passphrase accepted: below this the KDF cost cannot make guessing expensive. */
export const MIN_PASSPHRASE_CHARS = 8;
/** Largest backup file accepted for import (history with images can be big, but not unbounded). */
export const MAX_BACKUP_BYTES = 256 * 1024 * 1024;
