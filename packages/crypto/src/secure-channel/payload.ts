/**
 * Mapping between the cascade's `CascadedPayload` (bytes as bytes, every statistic present) and the
 * wire form of @enkrypted/protocol (optional statistics, scalar-only records). Pure.
 *
 * [Enkrypted] The per-layer statistics of P5.3.1 (timestamp, input/output size, processing time)
 * stay local: they are informative only, cost about 90 bytes per layer (a 100-byte message grew by
 * 360 bytes of them), and the processing times tell an observer of the decrypted envelope how fast
 * the sender's machine is and what it was doing. Each `layers[i]` on the wire is {algorithm, version}.
 */
import { BULK_ALGORITHM, type CascadedPayload as WirePayload } from '@enkrypted/protocol';
import type { CascadedPayload } from '../cascade/cascade.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';

export function payloadToWire(p: CascadedPayload): WirePayload {
  const wire: WirePayload = {
    finalCiphertext: p.finalCiphertext,
    layers: p.layers.map((l) => ({ algorithm: l.algorithm, version: l.version })),
    layerParameters: p.layerParameters.map((x) => ({ ...x })),
    totalProcessingTime: p.totalProcessingTime,
    originalSize: p.originalSize,
    finalSize: p.finalSize,
    timestamp: p.timestamp,
  };
  if (p.bulk !== undefined) {
    if (p.bulk.algorithm !== BULK_ALGORITHM) {
      throw new CryptoError(CRYPTO_ERROR.malformed, 'unknown bulk algorithm');
    }
    wire.bulk = { algorithm: BULK_ALGORITHM, bodySize: p.bulk.bodySize };
  }
  return wire;
}

/** The statistics are informative (P5.3.1): missing ones read as 0; decryption never uses them. */
export function payloadFromWire(p: WirePayload): CascadedPayload {
  if (p.finalCiphertext === undefined) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'a message without its ciphertext');
  }
  const payload: CascadedPayload = {
    finalCiphertext: p.finalCiphertext,
    layers: p.layers.map((l) => ({
      algorithm: l.algorithm,
      version: l.version,
      timestamp: l.timestamp ?? 0,
      inputSize: l.inputSize ?? 0,
      outputSize: l.outputSize ?? 0,
      processingTime: l.processingTime ?? 0,
    })),
    layerParameters: p.layerParameters,
    totalProcessingTime: p.totalProcessingTime ?? 0,
    originalSize: p.originalSize,
    finalSize: p.finalSize,
    timestamp: p.timestamp ?? 0,
  };
  if (p.bulk !== undefined) payload.bulk = { ...p.bulk };
  return payload;
}
