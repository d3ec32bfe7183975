/**
 * The golden mock cascade of spec Appendix A (profile EnkryptedChat-Profile-v0-golden-mock), which
 * vectors V1 and V2 are computed with. Layer i (0-based) appends the single byte i + 1 on encrypt
 * and removes it on decrypt; its metadata and parameters are fixed so the whole `cascadedPayload`
 * is reproducible byte for byte. Not encryption: it exists to test the cascade's wire composition
 * (layer order, metadata, parameters) independently of real keys.
 */
import { PDU_ERROR } from '../codes.js';
import { ProtocolError } from '../errors.js';
import type { CascadedPayload, LayerMetadata, LayerParameters } from '../pdu/message.js';

export const GOLDEN_MOCK_PROFILE = 'EnkryptedChat-Profile-v0-golden-mock';
export const GOLDEN_MOCK_VERSION = '1.0.0-golden';
export const GOLDEN_TIMESTAMP = 1717000000000;

/** Applies the mock layers in order (first layer innermost, P5.2). */
export function mockCascadeEncrypt(plaintext: Uint8Array, layerNames: readonly string[]): CascadedPayload {
  let data = plaintext;
  const layers: LayerMetadata[] = [];
  const layerParameters: LayerParameters[] = [];
  layerNames.forEach((name, i) => {
    const tag = i + 1;
    const out = new Uint8Array(data.length + 1);
    out.set(data);
    out[data.length] = tag;
    layers.push({
      algorithm: name,
      version: GOLDEN_MOCK_VERSION,
      timestamp: GOLDEN_TIMESTAMP,
      inputSize: data.length,
      outputSize: out.length,
      processingTime: 0,
    });
    layerParameters.push({ goldenTag: tag });
    data = out;
  });
  return {
    finalCiphertext: data,
    layers,
    layerParameters,
    totalProcessingTime: 0,
    originalSize: plaintext.length,
    finalSize: data.length,
    timestamp: GOLDEN_TIMESTAMP,
  };
}

/** Removes the mock layers in reverse order, checking each layer's tag (fails closed). */
export function mockCascadeDecrypt(payload: CascadedPayload): Uint8Array {
  const ct = payload.finalCiphertext;
  if (ct === undefined || payload.layers.length !== payload.layerParameters.length) {
    throw new ProtocolError(PDU_ERROR.inconsistent, 'mock cascade: payload shape');
  }
  let end = ct.length;
  for (let i = payload.layerParameters.length - 1; i >= 0; i--) {
    const tag = payload.layerParameters[i]?.goldenTag;
    if (end === 0 || tag !== i + 1 || ct[end - 1] !== tag) {
      throw new ProtocolError(PDU_ERROR.inconsistent, 'mock cascade: layer tag mismatch');
    }
    end--;
  }
  if (end !== payload.originalSize) throw new ProtocolError(PDU_ERROR.inconsistent, 'mock cascade: size');
  return ct.slice(0, end);
}
