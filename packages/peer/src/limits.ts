/**
 * Every limit and default of the peer library, each with the reason for its value.
 */

/** P8.1: the WebRTC `bufferedAmount` threshold above which a sender must wait. */
export const BUFFERED_AMOUNT_HIGH_WATER = 8 * 1024 * 1024;

/**
 * Once above the high-water mark, a sender resumes when the buffer drains below this. Half the
 * threshold keeps the SCTP pipe from running dry while the sender wakes up (measured on loopback with
 * 64 KiB messages: 38 MiB/s with a 1 MiB low-water mark, 56 MiB/s with 4 MiB).
 */
export const BUFFERED_AMOUNT_LOW_WATER = 4 * 1024 * 1024;

/**
 * Largest message a data connection sends. Chromium and libdatachannel both accept 256 KiB SCTP
 * messages; anything larger needs the P5 chunking layer above this one.
 */
export const MAX_CHANNEL_MESSAGE_BYTES = 256 * 1024;

/**
 * peerjs 1.5 refuses JSON messages of 16300 bytes or more (its chunk MTU) and has no chunking for
 * json; we refuse the same so a stock receiver never sees a message it would reject.
 */
export const MAX_JSON_MESSAGE_BYTES = 16_300 - 1;

/**
 * Signaling frames queued while the broker socket is not OPEN. A connection setup is one OFFER and
 * a few dozen CANDIDATEs; 512 covers several concurrent setups. Beyond it `send` throws QUEUE_FULL.
 */
export const MAX_QUEUED_SIGNALING_FRAMES = 512;

/**
 * Remote CANDIDATEs held while the remote description is not set yet (per connection). A host
 * gathers a handful per interface; 256 stops a hostile peer from growing memory without bound.
 */
export const MAX_PENDING_REMOTE_CANDIDATES = 256;

/**
 * Signaling messages for a connection id that we do not know yet (CANDIDATE racing ahead of its
 * OFFER is impossible through one broker socket, but a broker may reorder on re-attach).
 */
export const MAX_UNKNOWN_CONNECTION_BUFFER = 64;

/** Application messages held during an outage (P7.4 Disconnected), per session. */
export const MAX_OUTAGE_QUEUE_MESSAGES = 4096;

/** Bytes held during an outage, per session: half the P8.1 buffer threshold. */
export const MAX_OUTAGE_QUEUE_BYTES = 4 * 1024 * 1024;

/**
 * Incoming frames buffered before this side is Ready: the handshake's own PDUs, and whatever the
 * remote sends once *it* is Ready, which can be a whole chunked message (P8: up to 4096 chunks of
 * 8192 bytes). The inbox must hold one maximal message, so the bound is one message's chunks plus
 * room for the handshake, and a byte budget of a 16 MiB message at the wire's ~1.35 expansion.
 */
export const MAX_HANDSHAKE_INBOX_FRAMES = 4096 + 64;
export const MAX_HANDSHAKE_INBOX_BYTES = 24 * 1024 * 1024;

/** Client-generated peer ids carry this many random bits (hex encoded: 32 characters). */
export const CLIENT_ID_RANDOM_BITS = 128;

/** Tokens carry this many random bits: a token proves ownership of an id on re-attach. */
export const TOKEN_RANDOM_BITS = 128;

/** Default time allowed to register with the broker (per attempt sequence of `open`). */
export const DEFAULT_OPEN_TIMEOUT_MS = 15_000;

/** Default time from `connect()` to an open data channel. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/** Reconnect backoff: first delay, cap, and jitter ratio (full jitter within ±ratio). */
export const RECONNECT_INITIAL_DELAY_MS = 250;
export const RECONNECT_MAX_DELAY_MS = 10_000;
export const RECONNECT_JITTER_RATIO = 0.5;

/**
 * A stock `peer` server re-attaches a same-token socket without sending OPEN (peerjs-protocol §1.9).
 * Admission errors are sent immediately on connect, so a socket that stays up this long without one
 * is registered.
 */
export const REATTACH_SILENCE_MS = 1_000;

/**
 * ICE `disconnected` often heals by itself within a few seconds (consent checks resume); after this
 * grace period the transport is treated as lost and recovery starts.
 */
export const ICE_DISCONNECTED_GRACE_MS = 4_000;

/** How long a lost transport may take to be restored before queued messages are rejected. */
export const DEFAULT_RECOVERY_TIMEOUT_MS = 60_000;

/** One recovery attempt (new transport through the broker) before the next one is tried. */
export const RECOVERY_ATTEMPT_TIMEOUT_MS = 10_000;

/** P8.3: handshake stall timer, from data channel open to encryption ready. */
export const HANDSHAKE_TIMEOUT_MS = 300_000;

/**
 * Frames kept after they were handed to the transport, to re-send those a cut path swallowed. What
 * can be in flight is bounded by the channel buffer (P8.1) plus the SCTP window; 4096 frames / 16 MiB
 * covers that for typical message sizes.
 */
export const MAX_RETAINED_FRAMES = 4096;
export const MAX_RETAINED_BYTES = 16 * 1024 * 1024;

/** How long a restored transport waits for the remote's session-resume frame. */
export const RESUME_TIMEOUT_MS = 15_000;

/**
 * A responder applies the offerer's ICE candidates only after this long (or never, when the
 * offerer's own connectivity checks find it first — the usual case, since an offerer can only check
 * once it has applied our ANSWER). This orders DTLS after the answer: libdatachannel drops a DTLS
 * hello that arrives before the answer is applied and then stalls for its 1 s retransmit (deps.md
 * caveat B; measured here: connect median ≈1 s without the hold, ≈60 ms with it). 200 ms covers a
 * slow broker hop while bounding the cost for offerers that never check first.
 */
export const REMOTE_CANDIDATE_HOLD_MS = 200;

/**
 * Incoming connections held while the application has no 'connection' listener yet (frames queued
 * for our id are delivered right after OPEN, before `Peer.open` resolves and the caller subscribes).
 * A held connection still opens (as with stock peerjs, whose events go nowhere without a
 * listener) and leaves the hold when it closes. Beyond this many held at once the oldest held one
 * is closed: nobody is listening and memory must stay bounded.
 */
export const MAX_UNCLAIMED_CONNECTIONS = 16;

/**
 * peerjs's `chunkedMTU`: a packed 'binary' message larger than this goes out as chunks of this size
 * (peerjs-protocol.md §4.1); the same value keeps our chunks acceptable to stock receivers.
 */
export const BINARY_CHUNK_BYTES = 16_300;

/** Largest 'binary' message we send or reassemble: the profile's PDU cap (P8, 16 MiB). */
export const MAX_BINARY_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * Chunked 'binary' messages being reassembled at once on one connection. A stock sender has one in
 * flight per send it has not finished; 16 allows bursts while bounding what a peer can make us hold.
 */
export const MAX_BINARY_REASSEMBLIES = 16;

/**
 * [Enkrypted] session keep-alive. A Ready session sends a tiny text frame this often, so that its
 * peer hears something even when nobody types: a remote that froze or whose network went silent is
 * then noticed after SESSION_SILENCE_LIMIT_MS instead of libjuice's 30 s consent timeout (Node;
 * browsers notice ICE consent loss sooner, and any frame received counts as well).
 */
export const SESSION_KEEPALIVE_INTERVAL_MS = 4_000;

/** Nothing received for this long in Ready: the path is treated as lost and recovery starts (P7.4). */
export const SESSION_SILENCE_LIMIT_MS = 12_000;
