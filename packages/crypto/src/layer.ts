/**
 * The contract every cascade layer implements (MLS, Signal, ML-KEM, AES-GCM). A layer owns its own
 * keys and state. `seal` and `open` never change state by themselves: they return a `commit` that
 * the cascade calls only after every layer succeeded, so a failure anywhere leaves every layer's state
 * exactly as it was (fail closed, no half-advanced ratchets).
 */
export type LayerName = 'MLS' | 'Signal' | 'ML-KEM' | 'AES';

/** Layer-specific decrypt parameters carried in `cascadedPayload.layerParameters[i]`: JSON-safe. */
export type LayerParameters = Record<string, string | number | boolean>;

export interface Sealed {
  ciphertext: Uint8Array;
  parameters: LayerParameters;
  /** Makes the state change of this seal permanent (advances chains, counters). */
  commit(): void;
}

export interface Opened {
  plaintext: Uint8Array;
  /** Makes the state change of this open permanent (consumes keys, records replay state). */
  commit(): void;
}

export interface CascadeLayer {
  readonly name: LayerName;
  /** Wire `layers[i].algorithm` value, e.g. 'AES-GCM-256'. */
  readonly algorithm: string;
  readonly version: string;
  /** `ad` is associated data bound by the cascade (PDU header fields); layers must authenticate it. */
  seal(plaintext: Uint8Array, ad: Uint8Array): Promise<Sealed>;
  open(ciphertext: Uint8Array, parameters: LayerParameters, ad: Uint8Array): Promise<Opened>;
}
