/**
 * The catalogue of stable error codes of the data-channel protocol. A code is a contract: tests
 * assert codes, docs/protocol.md §5 lists each with its meaning, and the ones in WIRE_ERROR_CODES may
 * travel in a `protocol-error` PDU. Never renumber or reuse a code; add new ones.
 */

/** Rejections of a single PDU by `decodePdu` / `encodePdu`, in the order the checks run. */
export const PDU_ERROR = {
  /** The raw text or bytes exceed MAX_PDU_BYTES (checked before JSON.parse). */
  tooLarge: 'PDU_TOO_LARGE',
  /** Not UTF-8, not JSON. */
  malformedJson: 'PDU_MALFORMED_JSON',
  /** Nesting deeper than MAX_JSON_DEPTH (checked on the raw text before JSON.parse). */
  tooDeep: 'PDU_TOO_DEEP',
  /** An array longer than MAX_JSON_ARRAY_ELEMENTS (checked on the raw text before JSON.parse). */
  arrayTooLong: 'PDU_ARRAY_TOO_LONG',
  /** More than MAX_JSON_VALUES values in the whole PDU (checked on the raw text before JSON.parse). */
  tooManyValues: 'PDU_TOO_MANY_VALUES',
  /** The JSON value is not an object. */
  notAnObject: 'PDU_NOT_AN_OBJECT',
  /** `type` is missing, not a string, or not a PDU type of this profile. */
  unknownType: 'PDU_UNKNOWN_TYPE',
  /** `specVersion` is absent. */
  missingSpecVersion: 'PDU_MISSING_SPEC_VERSION',
  /** `specVersion` is present but not SPEC_VERSION. */
  unsupportedSpecVersion: 'PDU_UNSUPPORTED_SPEC_VERSION',
  /** A required field is missing, or a field has the wrong JSON type, length, range or encoding. */
  badField: 'PDU_BAD_FIELD',
  /** A field this PDU type does not define is present. */
  unknownField: 'PDU_UNKNOWN_FIELD',
  /** Fields disagree with each other (e.g. `finalSize` vs `finalCiphertext`, layer counts). */
  inconsistent: 'PDU_INCONSISTENT',
} as const;

/** Rejections by the chunk splitter and the per-peer reassembler (P5.5, P8.4). */
export const CHUNK_ERROR = {
  /** `totalChunks` above MAX_CHUNKS_PER_MESSAGE. */
  tooManyChunks: 'CHUNK_TOO_MANY',
  /** The announced message would exceed MAX_REASSEMBLED_BYTES. */
  tooLarge: 'CHUNK_MESSAGE_TOO_LARGE',
  /** A new messageId while MAX_CONCURRENT_REASSEMBLIES are open for this peer. */
  tooManyReassemblies: 'CHUNK_TOO_MANY_REASSEMBLIES',
  /** Buffering this chunk would exceed MAX_REASSEMBLY_BYTES_PER_PEER. */
  peerBufferFull: 'CHUNK_PEER_BUFFER_FULL',
  /** The reassembly timed out; also returned for late PDUs of a timed-out messageId. */
  timeout: 'CHUNK_REASSEMBLY_TIMEOUT',
  /** Chunks or header of one messageId disagree (totals, sizes, different bytes at one index). */
  inconsistent: 'CHUNK_INCONSISTENT',
  /** The same chunk index (or header) arrived again with the same content; dropped. */
  duplicate: 'CHUNK_DUPLICATE',
  /** A messageId that already completed (or was abandoned) arrived again; dropped. */
  replay: 'MESSAGE_REPLAYED',
  /** splitMessage was given a message that cannot be chunked (already chunked, MLS-only, too big). */
  notChunkable: 'CHUNK_NOT_CHUNKABLE',
} as const;

/**
 * Session-level conditions a peer reports in `protocol-error` (raised by the handshake and session
 * layers in packages/crypto and packages/peer, defined here because they are wire values).
 */
export const SESSION_ERROR = {
  /** No Ready within HANDSHAKE_TIMEOUT_MS (fatal). */
  handshakeTimeout: 'HANDSHAKE_TIMEOUT',
  /** A handshake PDU that the receiver's state does not allow (fatal). */
  handshakeUnexpected: 'HANDSHAKE_UNEXPECTED_PDU',
  /** The handshake could not complete (bad key material, MLS failure) (fatal). */
  handshakeFailed: 'HANDSHAKE_FAILED',
  /** `handshake-finished` signature or transcript hash did not verify (fatal). */
  channelBindingFailed: 'CHANNEL_BINDING_FAILED',
  /** A `message` PDU arrived before Ready; it was dropped (not fatal). */
  messageBeforeReady: 'MESSAGE_BEFORE_READY',
  /** A peer sent a cleartext `message` or claimed encryption is off: downgrade refused (fatal). */
  encryptionRequired: 'ENCRYPTION_REQUIRED',
} as const;

/**
 * Codes of packages/crypto (its CRYPTO_ERROR) that may be reported on the wire. They are listed here
 * as strings because protocol must not import crypto (dependencies point protocol ← crypto), so the
 * crypto package is the place to check that each still exists in its CRYPTO_ERROR.
 */
export const CRYPTO_WIRE_ERROR = {
  decryptFailed: 'CRYPTO_DECRYPT_FAILED',
  replay: 'CRYPTO_REPLAY',
  tooFarAhead: 'CRYPTO_TOO_FAR_AHEAD',
  malformed: 'CRYPTO_MALFORMED',
  badSignature: 'CRYPTO_BAD_SIGNATURE',
  notReady: 'CRYPTO_NOT_READY',
  identityKeyChanged: 'CRYPTO_IDENTITY_KEY_CHANGED',
} as const;

export type PduErrorCode = (typeof PDU_ERROR)[keyof typeof PDU_ERROR];
export type ChunkErrorCode = (typeof CHUNK_ERROR)[keyof typeof CHUNK_ERROR];
export type SessionErrorCode = (typeof SESSION_ERROR)[keyof typeof SESSION_ERROR];
export type CryptoWireErrorCode = (typeof CRYPTO_WIRE_ERROR)[keyof typeof CRYPTO_WIRE_ERROR];
export type WireErrorCode =
  | PduErrorCode
  | Exclude<ChunkErrorCode, typeof CHUNK_ERROR.notChunkable>
  | SessionErrorCode
  | CryptoWireErrorCode;

/**
 * Every code a `protocol-error` PDU may carry. A receiver rejects any other value with
 * PDU_BAD_FIELD, so the set of wire codes changes only with the profile.
 */
export const WIRE_ERROR_CODES: readonly WireErrorCode[] = Object.freeze([
  ...Object.values(PDU_ERROR),
  ...Object.values(CHUNK_ERROR).filter((c) => c !== CHUNK_ERROR.notChunkable),
  ...Object.values(SESSION_ERROR),
  ...Object.values(CRYPTO_WIRE_ERROR),
] as WireErrorCode[]);

const wireCodes: ReadonlySet<string> = new Set(WIRE_ERROR_CODES);

export function isWireErrorCode(code: unknown): code is WireErrorCode {
  return typeof code === 'string' && wireCodes.has(code);
}

/**
 * Codes that end the session's crypto state when reported (the `fatal` flag a sender sets by
 * default): the two sides can no longer talk securely and must re-handshake. Every other code is
 * about one PDU or message, which was dropped.
 */
export const FATAL_WIRE_ERROR_CODES: ReadonlySet<WireErrorCode> = new Set<WireErrorCode>([
  PDU_ERROR.missingSpecVersion,
  PDU_ERROR.unsupportedSpecVersion,
  SESSION_ERROR.handshakeTimeout,
  SESSION_ERROR.handshakeFailed,
  SESSION_ERROR.channelBindingFailed,
  SESSION_ERROR.encryptionRequired,
  CRYPTO_WIRE_ERROR.badSignature,
  CRYPTO_WIRE_ERROR.identityKeyChanged,
]);
