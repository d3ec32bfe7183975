/**
 * Limits of the data-channel protocol (application PDUs, chunking, timers). Each is a named constant
 * with the reason for its value and the spec section it comes from; docs/protocol.md §5 is the
 * normative table. Values marked [Enkrypted] are ours where the spec is silent.
 */

/** Profile identifier carried in `specVersion` on every PDU (spec P1.1; mandatory per the v1 gate). */
export const SPEC_VERSION = 'EnkryptedChat-Profile-v0';

/**
 * Largest PDU accepted, in UTF-8 bytes of its JSON text (P8.1: MUST reject larger, before a full
 * parse). Checked on the raw string or bytes before JSON.parse, so an oversized frame costs one
 * length comparison.
 */
export const MAX_PDU_BYTES = 16 * 1024 * 1024;

/**
 * Cascade chunk size in bytes of ciphertext (P5.5, P8.1). A `finalCiphertext` longer than this is
 * sent as `__mls_chunk__` PDUs; 8192 B of data is about 11 KiB of JSON per chunk, well under the
 * 16 KiB message size every WebRTC stack delivers without fragmentation trouble.
 */
export const CHUNK_SIZE_BYTES = 8192;

/** Most chunks one `messageId` may announce (P8.4: SHOULD enforce 4096). */
export const MAX_CHUNKS_PER_MESSAGE = 4096;

/**
 * Largest reassembled `finalCiphertext` in bytes. [Enkrypted] The 16 MiB PDU cap of P8.1 applied to
 * the logical message: a chunked message may not carry more than an unchunked PDU could. It is
 * checked from `totalChunks × CHUNK_SIZE_BYTES` before a single chunk is buffered; in practice it
 * bounds a message to 2048 chunks, tighter than MAX_CHUNKS_PER_MESSAGE.
 */
export const MAX_REASSEMBLED_BYTES = MAX_PDU_BYTES;

/** Concurrent `messageId` reassemblies per remote peer (P8.4: SHOULD enforce 64). */
export const MAX_CONCURRENT_REASSEMBLIES = 64;

/**
 * Total ciphertext bytes one peer may have buffered across all its unfinished reassemblies.
 * [Enkrypted] 64 × 16 MiB (1 GiB) is what P8.4 alone would allow a hostile peer to pin in our
 * memory; four maximum-size messages in flight is plenty for an honest peer on one ordered channel.
 */
export const MAX_REASSEMBLY_BYTES_PER_PEER = 4 * MAX_REASSEMBLED_BYTES;

/**
 * Reassembly timeout per `messageId`, counted from its first PDU, not extended by later chunks so a
 * trickle cannot keep a buffer alive (P8.3: SHOULD 120 s).
 */
export const REASSEMBLY_TIMEOUT_MS = 120_000;

/**
 * Completed (or abandoned) `messageId`s remembered per peer so a replayed message or a late chunk
 * is dropped before any decryption work (P8.5: dedup by messageId). [Enkrypted] The Double Ratchet
 * rejects replays cryptographically anyway; this window is the cheap first filter. 4096 random ids
 * cost well under 1 MiB.
 */
export const REPLAY_WINDOW_MESSAGE_IDS = 4096;

/** Handshake stall timeout, from data channel open to Ready (P8.3: SHOULD 300 s). */
export const HANDSHAKE_TIMEOUT_MS = 300_000;

/**
 * WebRTC `bufferedAmount` above which a sender pauses until `bufferedamountlow` (P8.1: 8 MiB).
 * Keeps a 10 MiB transfer from queueing unbounded memory inside the browser's SCTP stack.
 */
export const BUFFERED_AMOUNT_HIGH_WATER_BYTES = 8 * 1024 * 1024;

/**
 * Deepest JSON nesting accepted, checked on the raw text before JSON.parse. [Enkrypted] The deepest
 * legal PDU (`message` → `encryptedMessage` → `cascadedPayload` → `layers` → entry → `metadata`)
 * nests 6 levels; 8 leaves a margin and stops "[[[[…" stack exhaustion.
 */
export const MAX_JSON_DEPTH = 8;

/**
 * Most elements any one JSON array may hold, checked on the raw text before JSON.parse (P8.4:
 * reject excessive array lengths before allocating). The longest legal array is an inline
 * number-array `finalCiphertext`, at most CHUNK_SIZE_BYTES elements.
 */
export const MAX_JSON_ARRAY_ELEMENTS = CHUNK_SIZE_BYTES;

/**
 * Most values (array elements plus object members, counted by commas) in one PDU, checked on the
 * raw text before JSON.parse. [Enkrypted] The per-array bound alone would let nested arrays or a
 * huge object hold millions of values within 16 MiB; a legal PDU holds at most one 8192-element
 * array plus a few hundred fields.
 */
export const MAX_JSON_VALUES = MAX_JSON_ARRAY_ELEMENTS + 1024;

/**
 * Smallest plaintext sent in the bulk form of the cascade (docs/protocol.md §2.6.4, §4.2.6).
 * [Enkrypted] Below it, the P5.2 form (the content itself through every layer) costs about the same
 * as the bulk form, because the fixed per-message costs (the MLS signature, the Signal and ML-KEM
 * chain steps) dominate; from 64 KiB the per-byte costs of four authenticated passes (MLS signs a
 * hash of the whole content, Signal runs CBC and HMAC over it) make the four-pass form several times
 * slower than one AES-256-GCM pass. A sender uses the bulk form exactly from this size; a receiver
 * refuses a bulk envelope below it and accepts the P5.2 form at any size.
 */
export const BULK_MIN_PLAINTEXT_BYTES = 64 * 1024;

/** The only bulk body cipher (wire `bulk.algorithm`): AES-256-GCM under a single-use content key. */
export const BULK_ALGORITHM = 'AES-256-GCM';

/** AES-GCM tag length: a bulk body is exactly `originalSize + BULK_TAG_BYTES` bytes. */
export const BULK_TAG_BYTES = 16;

/**
 * Largest cascade ciphertext of a bulk content key (the part of `finalCiphertext` before the body).
 * [Enkrypted] The four layers turn the 32-byte key into a few hundred bytes; one chunk (the cap of an
 * inline ciphertext) is the natural bound and leaves a layer room to carry more.
 */
export const MAX_BULK_KEY_CIPHERTEXT_BYTES = CHUNK_SIZE_BYTES;

/** Most cascade layers in one `cascadedPayload` (the profile has 4; [Enkrypted] room for 8). */
export const MAX_CASCADE_LAYERS = 8;

/** Most keys in one `layerParameters[i]` or `layers[i].metadata` object. [Enkrypted] */
export const MAX_LAYER_OBJECT_KEYS = 16;

/**
 * Longest string value inside `layerParameters[i]` / `layers[i].metadata`, in UTF-16 units.
 * [Enkrypted] The largest parameter we send is an ML-KEM-768 re-key ciphertext, 1088 B = 1452
 * base64 characters; 4096 leaves room for a layer that carries a little more.
 */
export const MAX_LAYER_STRING_LENGTH = 4096;

/** Longest key name in those objects and longest `algorithm`/`version` string. [Enkrypted] */
export const MAX_LAYER_NAME_LENGTH = 64;

/**
 * Largest TLS-encoded MLS KeyPackage (RFC 9420 §10). [Enkrypted] Suite 1 is 331 B, the ML-KEM-768
 * suite 2.6 KiB and ML-KEM-1024 + ML-DSA-87 15 KiB (deps.md §6); 32 KiB covers every registered suite.
 */
export const MAX_MLS_KEY_PACKAGE_BYTES = 32 * 1024;

/** Largest TLS-encoded MLS Welcome, Commit or ratchet tree. [Enkrypted] Two-member groups are a few KiB. */
export const MAX_MLS_HANDSHAKE_OBJECT_BYTES = 64 * 1024;

/** Longest MLS group id (RFC 9420 leaves it open; [Enkrypted] 255 bytes like a DNS name). */
export const MAX_MLS_GROUP_ID_BYTES = 255;

/**
 * Largest optional X3DH initial Double Ratchet message in `signal-session-complete`.
 * [Enkrypted] It confirms the shared secret with a short fixed plaintext; 4 KiB is generous.
 */
export const MAX_SIGNAL_INITIAL_CIPHERTEXT_BYTES = 4096;

/**
 * Least interval between two `protocol-error` PDUs with the same code to one peer. [Enkrypted] A
 * peer that floods bad PDUs must not turn us into an amplifier; one report per code per second is
 * enough to diagnose.
 */
export const PROTOCOL_ERROR_MIN_INTERVAL_MS = 1000;

/** Longest human-readable `message` in a `protocol-error`; printable ASCII only. [Enkrypted] */
export const MAX_PROTOCOL_ERROR_MESSAGE_LENGTH = 200;

/** Fixed byte lengths of key material on the wire. */
export const KEY_BYTES = {
  /** `sessionId` and `messageId`: 128 random bits, base64url without padding (22 characters). */
  id: 16,
  ed25519PublicKey: 32,
  ed25519Signature: 64,
  x25519PublicKey: 32,
  /** FIPS 203 ML-KEM-768 encapsulation key. */
  mlkem768PublicKey: 1184,
  /** FIPS 203 ML-KEM-768 ciphertext. */
  mlkem768Ciphertext: 1088,
  /** Confirmation MAC in MLS sync/ack PDUs and the handshake transcript hash (SHA-256 / HMAC-SHA-256). */
  mac: 32,
  transcriptHash: 32,
} as const;
