/**
 * The golden mock layer of Appendix A (profile id EnkryptedChat-Profile-v0-golden-mock): layer i
 * appends the byte i + 1 and removes it again. It exists only to reproduce vectors V1 and V2 through
 * the real Cascade; it provides no security and must never be used for messages.
 */
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import type { CascadeLayer, LayerName, LayerParameters, Opened, Sealed } from '../layer.js';

export const GOLDEN_MOCK_PROFILE = 'EnkryptedChat-Profile-v0-golden-mock';
export const GOLDEN_MOCK_VERSION = '1.0.0-golden';
/** Appendix A timestamp of every golden layer's metadata. */
export const GOLDEN_TIMESTAMP = 1717000000000;

export class GoldenMockLayer implements CascadeLayer {
  readonly version = GOLDEN_MOCK_VERSION;
  readonly name: LayerName;
  readonly algorithm: string;
  readonly #tag: number;

  /** `index` is the 0-based position in the cascade; the tag byte is index + 1. */
  constructor(name: LayerName, algorithm: string, index: number) {
    this.name = name;
    this.algorithm = algorithm;
    this.#tag = index + 1;
  }

  async seal(plaintext: Uint8Array): Promise<Sealed> {
    const ciphertext = new Uint8Array(plaintext.length + 1);
    ciphertext.set(plaintext);
    ciphertext[plaintext.length] = this.#tag;
    return { ciphertext, parameters: { goldenTag: this.#tag }, commit: () => {} };
  }

  async open(ciphertext: Uint8Array, parameters: LayerParameters): Promise<Opened> {
    if (
      ciphertext.length === 0 ||
      ciphertext[ciphertext.length - 1] !== this.#tag ||
      parameters.goldenTag !== this.#tag
    ) {
      throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'golden tag mismatch');
    }
    return { plaintext: ciphertext.slice(0, -1), commit: () => {} };
  }
}
