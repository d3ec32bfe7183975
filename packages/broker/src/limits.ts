/**
 * Every limit and default of the broker, each with the reason for its value. Flags and environment
 * variables of the CLI override them (see cli-options.ts); the embeddable API takes the same names.
 */
import { MAX_SIGNALING_FRAME_BYTES } from '@enkrypted/protocol';

/** Loopback by default: exposing the broker is a deliberate act that needs TLS (P2.4 #1). */
export const DEFAULT_HOST = '127.0.0.1';
/** The stock `peer` server's port, so existing client configurations work unchanged. */
export const DEFAULT_PORT = 9000;
/** Mount prefix of every route, as in the stock server. */
export const DEFAULT_PATH = '/';
/** The stock PeerJS key: a public string, not a secret (use API tokens for access control). */
export const DEFAULT_KEY = 'peerjs';

/**
 * Silence after which a socket is dropped and its id freed. 90 s as in peer 1.0.2: Chrome throttles
 * background-tab timers to about one per minute, so the client's 5 s HEARTBEAT can arrive ~60 s late
 * (peerjs-server#431). Any frame from the client counts as a sign of life, not only HEARTBEAT.
 */
export const DEFAULT_ALIVE_TIMEOUT_MS = 90_000;

/**
 * Age at which a message queued for an offline id is dropped and its sender told EXPIRE. 5 s as in
 * the stock server: long enough for a callee that is reconnecting, short enough that the caller's
 * UI reports an unreachable peer promptly.
 */
export const DEFAULT_EXPIRE_TIMEOUT_MS = 5_000;

/**
 * Registered ids per process. Each idle connection costs one file descriptor; our hosts allow 20,000
 * per process, so 16,000 peers leave room for the listening socket, logs and sockets that are being
 * admitted or closed. The stock default is 5,000.
 */
export const DEFAULT_CONCURRENT_LIMIT = 16_000;

/**
 * Open WebSockets per client address. One browser holds one socket per Peer; 256 covers a large
 * office or a campus behind one NAT address while stopping one host from taking every descriptor.
 * Behind a reverse proxy, enable trustProxy or every client shares the proxy's address.
 */
export const DEFAULT_PER_IP_LIMIT = 256;

/**
 * Largest frame the broker reads (ws `maxPayload`). Larger frames close the socket with 1009 before
 * they are buffered. Shared with the client library: an SDP fits, 1 MiB does not.
 */
export const DEFAULT_MAX_FRAME_BYTES = MAX_SIGNALING_FRAME_BYTES;

/**
 * Per-connection message rate (token bucket: sustained frames per second and burst size). A peerjs
 * client sends one OFFER plus 5–15 CANDIDATEs per connection and a HEARTBEAT every 5 s; opening 30
 * connections at once is ~500 frames, which the burst absorbs. A flood exhausts it within a second.
 */
export const DEFAULT_RATE_PER_SECOND = 100;
export const DEFAULT_RATE_BURST = 500;

/**
 * Queue bounds for offline destinations. One connection attempt queues an OFFER and its candidates
 * (~10 frames, ~10 KiB); 64 frames / 256 KiB per destination fits several callers at once. The
 * global budget caps what all queues together may hold, whatever the number of destinations.
 */
export const MAX_QUEUED_MESSAGES_PER_PEER = 64;
export const MAX_QUEUED_BYTES_PER_PEER = 256 * 1024;
export const MAX_QUEUED_BYTES_TOTAL = 64 * 1024 * 1024;
/** Bookkeeping bytes charged per queue on top of its frames, so empty-ish queues are not free. */
export const QUEUE_OVERHEAD_BYTES = 256;

/**
 * Bytes a destination may have waiting in its socket's send buffer. A reader that does not drain
 * 4 MiB of signaling (hundreds of SDPs) is stuck; it is closed rather than grown without bound.
 */
export const MAX_SEND_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * The single housekeeping timer (liveness and expiry) runs at a quarter of the shorter timeout,
 * clamped: never slower than 1 s (the stock expiry sweep period) and never faster than 25 ms.
 */
export const SWEEP_INTERVAL_MAX_MS = 1_000;
export const SWEEP_INTERVAL_MIN_MS = 25;

/** Time given to open sockets to receive their close frame on shutdown before they are destroyed. */
export const SHUTDOWN_GRACE_MS = 3_000;

/** Attempts to draw a random id that is not registered before `/id` gives up with 503. */
export const ID_GENERATION_ATTEMPTS = 8;
