/**
 * The MLS cascade layer (RFC 9420 application messages, docs/protocol.md §4.3). ts-mls is
 * functional: every operation returns a new ClientState. `seal`/`open` keep the new state aside and
 * `commit` installs it, then wipes the keys ts-mls reports as consumed, so a failure anywhere in the
 * cascade leaves the group exactly as it was.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import {
  type CiphersuiteImpl,
  type ClientState,
  createApplicationMessage,
  decodeGroupState,
  decodeMlsMessage,
  emptyPskIndex,
  encodeGroupState,
  encodeMlsMessage,
  processPrivateMessage,
  zeroOutUint8Array,
} from 'ts-mls';
import { equalBytes, isSafeUint } from '../cascade/bytes.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import type { CascadeLayer, LayerParameters, Opened, Sealed } from '../layer.js';
import { mlsClientConfig } from './config.js';

export const MLS_LAYER_ALGORITHM = 'MLS';
export const MLS_LAYER_VERSION = '2.0.0';

function readParameters(p: LayerParameters): number {
  const { epoch } = p;
  if (Object.keys(p).length !== 1 || !isSafeUint(epoch)) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'MLS layer parameters must be {epoch}');
  }
  return epoch;
}

export class MlsLayer implements CascadeLayer {
  readonly name = 'MLS' as const;
  readonly algorithm = MLS_LAYER_ALGORITHM;
  readonly version = MLS_LAYER_VERSION;

  readonly #impl: CiphersuiteImpl;
  #state: ClientState;

  constructor(state: ClientState, impl: CiphersuiteImpl) {
    this.#state = state;
    this.#impl = impl;
  }

  /** The current group state, for the handshake's exporter calls. */
  get state(): ClientState {
    return this.#state;
  }

  get epoch(): number {
    return Number(this.#state.groupContext.epoch);
  }

  /**
   * The cascade's associated data enters MLS as authenticated_data (RFC 9420 §6.3.1), which MLS
   * carries in clear; we put in its SHA-256 so the wire grows by 32 bytes, not by the header.
   */
  async seal(plaintext: Uint8Array, ad: Uint8Array): Promise<Sealed> {
    const base = this.#state;
    let result: Awaited<ReturnType<typeof createApplicationMessage>>;
    try {
      result = await createApplicationMessage(base, plaintext, this.#impl, sha256(ad));
    } catch {
      throw new CryptoError(CRYPTO_ERROR.encryptFailed, 'MLS could not protect the message');
    }
    const ciphertext = encodeMlsMessage({
      privateMessage: result.privateMessage,
      wireformat: 'mls_private_message',
      version: 'mls10',
    });
    return {
      ciphertext,
      parameters: { epoch: Number(base.groupContext.epoch) },
      commit: () => {
        this.#install(base, result.newState);
        result.consumed.forEach(zeroOutUint8Array);
      },
    };
  }

  async open(ciphertext: Uint8Array, parameters: LayerParameters, ad: Uint8Array): Promise<Opened> {
    const epoch = readParameters(parameters);
    const base = this.#state;
    let decoded: ReturnType<typeof decodeMlsMessage>;
    try {
      decoded = decodeMlsMessage(ciphertext, 0);
    } catch {
      decoded = undefined;
    }
    const msg = decoded?.[0];
    if (
      decoded === undefined ||
      decoded[1] !== ciphertext.length ||
      msg?.wireformat !== 'mls_private_message'
    ) {
      throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'not an MLS private message');
    }
    const pm = msg.privateMessage;
    if (Number(pm.epoch) !== epoch || !equalBytes(pm.authenticatedData, sha256(ad))) {
      throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'MLS message bound to other data');
    }
    let result: Awaited<ReturnType<typeof processPrivateMessage>>;
    try {
      result = await processPrivateMessage(base, pm, emptyPskIndex, this.#impl);
    } catch {
      throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'MLS message did not authenticate');
    }
    // Only application messages may travel inside the cascade; handshake messages have their PDUs.
    if (result.kind !== 'applicationMessage') {
      throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'MLS handshake message inside the cascade');
    }
    return {
      plaintext: result.message,
      commit: () => {
        this.#install(base, result.newState);
        result.consumed.forEach(zeroOutUint8Array);
      },
    };
  }

  #install(base: ClientState, next: ClientState): void {
    if (this.#state !== base) {
      throw new CryptoError(CRYPTO_ERROR.staleCommit, 'MLS layer state changed between seal/open and commit');
    }
    this.#state = next;
  }

  /** Serialised group state for persistence (P7.4). Contains private keys: store encrypted. */
  exportState(): Uint8Array {
    return encodeGroupState(this.#state);
  }

  static importState(bytes: Uint8Array, impl: CiphersuiteImpl): MlsLayer {
    let decoded: ReturnType<typeof decodeGroupState>;
    try {
      decoded = decodeGroupState(bytes, 0);
    } catch {
      decoded = undefined;
    }
    if (decoded === undefined || decoded[1] !== bytes.length) {
      throw new CryptoError(CRYPTO_ERROR.malformed, 'not an MLS group state');
    }
    return new MlsLayer({ ...decoded[0], clientConfig: mlsClientConfig }, impl);
  }
}
