/**
 * Client-side ids and tokens (P2.5: peer ids are generated on the client). Both use WebCrypto's CSPRNG.
 */
import { CLIENT_ID_RANDOM_BITS, TOKEN_RANDOM_BITS } from '../limits.js';

function randomHex(bits: number): string {
  const bytes = new Uint8Array(bits / 8);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** 128 random bits as 32 lowercase hex characters: valid under the PeerJS id grammar. */
export function generatePeerId(): string {
  return randomHex(CLIENT_ID_RANDOM_BITS);
}

/** 128 random bits; proves ownership of our id when the socket re-attaches. Never logged. */
export function generateToken(): string {
  return randomHex(TOKEN_RANDOM_BITS);
}

/** `dc_` + 80 random bits, as peerjs does for data connections. */
export function generateConnectionId(): string {
  return `dc_${randomHex(80)}`;
}
