/**
 * Reassembly of one incoming file from chunks, in order (the session is ordered and reliable, so a
 * gap or overlap means a broken or hostile sender, and the transfer fails rather than guesses).
 * Pure apart from WebCrypto's SHA-256 at the end.
 */
import { bytesToHex } from '@enkrypted/protocol';
import { CHAT_ERROR, ChatError } from './errors.js';

export class FileAssembly {
  readonly size: number;
  readonly sha256: string;
  readonly #buffer: Uint8Array;
  #received = 0;

  constructor(size: number, sha256: string) {
    this.size = size;
    this.sha256 = sha256;
    this.#buffer = new Uint8Array(size);
  }

  get received(): number {
    return this.#received;
  }

  get complete(): boolean {
    return this.#received === this.size;
  }

  /** Adds the next chunk; throws CHAT_TRANSFER_FAILED on a gap, overlap or overrun. */
  add(offset: number, data: Uint8Array): void {
    if (offset !== this.#received) {
      throw new ChatError(CHAT_ERROR.transferFailed, 'File chunks arrived out of order.');
    }
    if (offset + data.length > this.size) {
      throw new ChatError(
        CHAT_ERROR.transferFailed,
        'The peer sent more data than the file size it announced.',
      );
    }
    this.#buffer.set(data, offset);
    this.#received += data.length;
  }

  /** The file once complete and its SHA-256 matches the offer; CHAT_TRANSFER_FAILED otherwise. */
  async finish(): Promise<Uint8Array> {
    if (!this.complete) throw new ChatError(CHAT_ERROR.transferFailed, 'The file is incomplete.');
    const digest = bytesToHex(
      new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new Uint8Array(this.#buffer))),
    );
    if (digest !== this.sha256) {
      throw new ChatError(CHAT_ERROR.transferFailed, 'The file failed its integrity check.');
    }
    return this.#buffer;
  }
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return bytesToHex(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new Uint8Array(bytes))));
}
