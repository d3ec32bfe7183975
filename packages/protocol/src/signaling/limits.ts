/**
 * Limits of the PeerJS signaling wire as enforced by our broker and client. Each is a named constant
 * with the reason for its value; the broker exposes most of them as flags.
 */

/**
 * Largest signaling frame accepted, in bytes. A data-channel OFFER with a full SDP and a dozen
 * candidates is 3–8 KiB; a browser offer with audio+video+data is under 16 KiB. 64 KiB leaves room
 * for unusual SDP while a 1 MiB frame is refused before it is parsed.
 */
export const MAX_SIGNALING_FRAME_BYTES = 64 * 1024;

/**
 * Longest peer id. UUIDs are 36 characters and our client ids are 32; 64 leaves room for
 * application ids while keeping registry keys and log lines small.
 */
export const MAX_PEER_ID_LENGTH = 64;

/** Longest token. Stock peerjs tokens are ~11 base-36 chars; signed API tokens are longer. */
export const MAX_TOKEN_LENGTH = 256;

/** Longest `key` query parameter (or API token presented as key). */
export const MAX_KEY_LENGTH = 256;

/**
 * Peer id grammar: the stock peerjs client's own rule for user ids (alphanumerics, single inner
 * separators of space, `_` or `-`). Anything the stock client would refuse, the broker refuses too,
 * which also keeps hostile characters out of logs, metrics labels and Redis keys.
 */
export const PEER_ID_PATTERN = /^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/;

/** Token grammar: printable ASCII without spaces, so tokens never need escaping anywhere. */
export const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

/** Default heartbeat interval of PeerJS clients (ms). */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;
