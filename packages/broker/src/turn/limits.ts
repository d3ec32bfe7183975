/**
 * Limits of the TURN credential service, each with the reason for its value. The CLI flags
 * `--turn-ttl` etc. override the defaults within these bounds.
 */

/**
 * Default credential lifetime. coturn checks the expiry in the username on every authenticated
 * request (Allocate, Refresh, CreatePermission), so a relayed path lives at most this long plus one
 * allocation lifetime (10 min) before the client must have fetched new credentials. One hour keeps a
 * leaked credential short-lived while a client refreshes only a few times per hour.
 */
export const DEFAULT_TURN_TTL_SECONDS = 3600;
/** Shortest lifetime: below a minute, clients would spend more time refreshing than relaying. */
export const MIN_TURN_TTL_SECONDS = 60;
/** Longest lifetime: a leaked credential must not give a day of free relaying to someone else. */
export const MAX_TURN_TTL_SECONDS = 24 * 3600;

/**
 * Shortest shared secret (characters). coturn uses the `static-auth-secret` text itself as the
 * HMAC-SHA-1 key; 32 characters of `openssl rand -hex 32` output are 128 bits, the least we accept.
 */
export const TURN_SECRET_MIN_CHARS = 32;
/** Longest secret line we accept (coturn's own buffer for it is 256 bytes). */
export const TURN_SECRET_MAX_CHARS = 256;

/** At most this many TURN URLs are advertised (udp, tcp, tls on a few hosts is well below). */
export const MAX_TURN_URLS = 16;
/** Longest single TURN URL. */
export const MAX_TURN_URL_CHARS = 256;

/**
 * Requests to the credentials endpoint per client address: a client asks once per connection start
 * and once per refresh, so 10 per minute sustained with a burst of 20 (a page with several peers, a
 * reconnect storm) is plenty, while minting HMACs in a loop is stopped.
 */
export const TURN_RATE_PER_SECOND = 10 / 60;
export const TURN_RATE_BURST = 20;
/** Addresses tracked by the limiter; beyond this the oldest entries are forgotten (bounded memory). */
export const TURN_RATE_TRACKED_ADDRESSES = 10_000;

/** Largest request body (`{"id":…,"token":…}` is far below 1 KiB). */
export const TURN_REQUEST_MAX_BYTES = 1024;
