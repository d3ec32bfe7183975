/** Every limit of the app-level chat protocol (shared by the web app and the CLI), with its reason. */

/**
 * Longest text message. Large enough for any chat message and a pasted log; small enough that one
 * message stays one data-channel frame after sealing (peer MAX_CHANNEL_MESSAGE_BYTES is 256 KiB).
 */
export const MAX_TEXT_CHARS = 16_000;
/** Longest display name: fits a chat header on a phone, bounds what a peer can make us store. */
export const MAX_DISPLAY_NAME_CHARS = 64;
/**
 * Largest app frame we accept from a peer before parsing. A file chunk (FILE_CHUNK_BYTES plus a small
 * header) or a text message (MAX_TEXT_CHARS × up to 4 UTF-8 bytes plus JSON) stays far below this.
 */
export const MAX_APP_FRAME_BYTES = 96 * 1024;
/**
 * File chunk payload. 32 KiB amortises per-frame crypto well and stays far below the data-channel
 * message size that every browser accepts (64 KiB is the conservative interoperable bound).
 */
export const FILE_CHUNK_BYTES = 32 * 1024;
/** Largest file we send or accept: the whole file is kept in memory for hashing and preview. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Transfers of one peer in flight at once: bounds memory a hostile peer can make us hold. */
export const MAX_INCOMING_TRANSFERS = 4;
/** Longest file name kept (displayed and used for the download). */
export const MAX_FILE_NAME_CHARS = 255;
/** Longest MIME type string accepted from a peer. */
export const MAX_MIME_CHARS = 127;
/** Message ids are 128 random bits in hex (32 chars); anything else from a peer is refused. */
export const MESSAGE_ID_PATTERN = /^[0-9a-f]{32}$/;
/** Messages acknowledged by one receipt frame: bounds the work of one frame. */
export const MAX_IDS_PER_RECEIPT = 256;
/** Typing indicator: send at most one "typing" per this period, and clear it after TYPING_TTL_MS. */
export const TYPING_SEND_INTERVAL_MS = 3_000;
export const TYPING_TTL_MS = 6_000;
