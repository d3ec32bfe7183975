/**
 * The Signal cascade layer: Double Ratchet messages whose associated data is the X3DH AD, a
 * purpose byte, then the cascade's own AD. `seal`/`open` compute the next ratchet state without
 * installing it; `commit` installs it, so a failure anywhere in the cascade changes nothing.
 *
 * Seals and opens on one layer MUST be serialised by the caller (seal → commit, then the next):
 * two uncommitted seals would reuse one message key. A commit whose base state is no longer the
 * current one throws CRYPTO_STALE_COMMIT instead of silently losing or rewinding ratchet state.
 */
import { concatBytes, fromBase64, toBase64 } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import { ENCODED_IDENTITY_KEY_BYTES } from '../identity/identity-keys.js';
import type { CascadeLayer, LayerParameters, Opened, Sealed } from '../layer.js';
import { type RandomBytes, webCryptoRandom } from '../random.js';
import { AD_PURPOSE_CASCADE_MESSAGE } from './constants.js';
import { type RatchetState, ratchetDecrypt, ratchetEncrypt } from './double-ratchet.js';
import { headerFromJson, headerToJson } from './header.js';
import { type RatchetStateJson, ratchetStateFromJson, ratchetStateToJson } from './state-codec.js';

export const SIGNAL_LAYER_ALGORITHM = 'X3DH-DoubleRatchet';
export const SIGNAL_LAYER_VERSION = '1.0.0';
export const SIGNAL_SESSION_EXPORT_VERSION = 1;
/** X3DH AD = Encode(IK_A) ‖ Encode(IK_B). */
export const X3DH_AD_BYTES = 2 * ENCODED_IDENTITY_KEY_BYTES;

export interface SignalSession {
  readonly state: RatchetState;
  /** X3DH associated data, fixed for the life of the session. */
  readonly associatedData: Uint8Array;
}

export interface SignalSessionJson {
  readonly version: typeof SIGNAL_SESSION_EXPORT_VERSION;
  readonly associatedData: string;
  readonly ratchet: RatchetStateJson;
}

/** AD of one ratchet message: X3DH AD (fixed length) ‖ purpose ‖ caller AD — uniquely parseable. */
export function messageAssociatedData(x3dhAd: Uint8Array, purpose: number, ad: Uint8Array): Uint8Array {
  return concatBytes(x3dhAd, Uint8Array.of(purpose), ad);
}

export class SignalLayer implements CascadeLayer {
  readonly name = 'Signal' as const;
  readonly algorithm = SIGNAL_LAYER_ALGORITHM;
  readonly version = SIGNAL_LAYER_VERSION;
  #state: RatchetState;
  readonly #x3dhAd: Uint8Array;
  readonly #random: RandomBytes;

  constructor(session: SignalSession, random: RandomBytes = webCryptoRandom) {
    if (session.associatedData.length !== X3DH_AD_BYTES) {
      throw new CryptoError(CRYPTO_ERROR.malformed, 'X3DH associated data has the wrong length');
    }
    this.#state = session.state;
    this.#x3dhAd = session.associatedData.slice();
    this.#random = random;
  }

  /** The current (committed) session, e.g. to persist it. */
  get session(): SignalSession {
    return { state: this.#state, associatedData: this.#x3dhAd.slice() };
  }

  /** False for the responder until it has received the initiator's first ratchet message. */
  get canSend(): boolean {
    return this.#state.sendingChainKey !== null;
  }

  async seal(plaintext: Uint8Array, ad: Uint8Array): Promise<Sealed> {
    const base = this.#state;
    const result = await ratchetEncrypt(
      base,
      plaintext,
      messageAssociatedData(this.#x3dhAd, AD_PURPOSE_CASCADE_MESSAGE, ad),
    );
    return {
      ciphertext: result.ciphertext,
      parameters: { ...headerToJson(result.header) },
      commit: () => this.#install(base, result.state),
    };
  }

  async open(ciphertext: Uint8Array, parameters: LayerParameters, ad: Uint8Array): Promise<Opened> {
    const base = this.#state;
    const header = headerFromJson(parameters);
    const result = await ratchetDecrypt(
      base,
      header,
      ciphertext,
      messageAssociatedData(this.#x3dhAd, AD_PURPOSE_CASCADE_MESSAGE, ad),
      this.#random,
    );
    return { plaintext: result.plaintext, commit: () => this.#install(base, result.state) };
  }

  #install(base: RatchetState, next: RatchetState): void {
    if (this.#state !== base) {
      throw new CryptoError(
        CRYPTO_ERROR.staleCommit,
        'Signal layer state changed between seal/open and commit',
      );
    }
    this.#state = next;
  }

  toJSON(): SignalSessionJson {
    return {
      version: SIGNAL_SESSION_EXPORT_VERSION,
      associatedData: toBase64(this.#x3dhAd),
      ratchet: ratchetStateToJson(this.#state),
    };
  }

  static fromJSON(data: unknown, random: RandomBytes = webCryptoRandom): SignalLayer {
    if (typeof data !== 'object' || data === null)
      throw new CryptoError(CRYPTO_ERROR.malformed, 'Signal session is not an object');
    const rec = data as Record<string, unknown>;
    if (rec.version !== SIGNAL_SESSION_EXPORT_VERSION) {
      throw new CryptoError(CRYPTO_ERROR.malformed, 'unsupported Signal session version');
    }
    return new SignalLayer(
      {
        state: ratchetStateFromJson(rec.ratchet),
        associatedData: fromBase64(rec.associatedData, X3DH_AD_BYTES),
      },
      random,
    );
  }
}
