import { encodeBase64url, type MessagePdu, PDU_TYPE } from '../../src/index.js';

/** A message id made from a number, so tests can create many distinct ones. */
export function idOf(n: number): string {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setUint32(12, n);
  return encodeBase64url(b);
}

export const bytes = (n: number, seed = 0) => Uint8Array.from({ length: n }, (_, i) => (seed + i * 7) & 0xff);

export function cascadeMessage(ct: Uint8Array, messageId = idOf(0)): MessagePdu {
  return {
    type: PDU_TYPE.message,
    messageId,
    encryptedMessage: {
      encrypted: true,
      cascaded: true,
      cascadedPayload: {
        finalCiphertext: ct,
        layers: [{ algorithm: 'AES-GCM-256', version: '1' }],
        layerParameters: [{ counter: 1 }],
        originalSize: Math.max(0, ct.length - 16),
        finalSize: ct.length,
      },
    },
  };
}
