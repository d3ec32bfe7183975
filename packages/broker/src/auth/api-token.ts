/**
 * API tokens (P2.9 roadmap: broker API token). A token is presented where a stock PeerJS client
 * already sends a string the operator controls: the `key` option. Format:
 *
 *   v1.<expiry>.<signature>
 *
 * - `expiry`: Unix time in seconds (decimal, no leading zeros) after which the token is refused;
 * - `signature`: base64url (no padding) of HMAC-SHA-256(secret, "v1." + expiry), 43 characters.
 *
 * Only characters that need no URL escaping, because the stock client concatenates the key into
 * URLs unescaped. Secrets are ≥ 32 random bytes; several may be configured for rotation (the first
 * signs, any verifies). Verification is constant-time on the signature.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const API_TOKEN_VERSION = 'v1';
/** Longest accepted token text: version, 10–11 digit expiry, 43-char signature, dots. */
export const MAX_API_TOKEN_LENGTH = 64;
/** Longest lifetime a minted token may have: a leaked token is useful for at most this long. */
export const MAX_API_TOKEN_TTL_SECONDS = 366 * 24 * 3600;

export const API_TOKEN_ERROR = {
  malformed: 'API_TOKEN_MALFORMED',
  expired: 'API_TOKEN_EXPIRED',
  badSignature: 'API_TOKEN_BAD_SIGNATURE',
} as const;
export type ApiTokenVerdict =
  | { ok: true; expiresAt: number }
  | { ok: false; code: (typeof API_TOKEN_ERROR)[keyof typeof API_TOKEN_ERROR] };

function sign(secret: Uint8Array, expiry: string): Buffer {
  return createHmac('sha256', secret).update(`${API_TOKEN_VERSION}.${expiry}`).digest();
}

/** Mints a token valid until `expiresAtSeconds` (Unix seconds). */
export function signApiToken(secret: Uint8Array, expiresAtSeconds: number): string {
  if (!Number.isSafeInteger(expiresAtSeconds) || expiresAtSeconds <= 0) {
    throw new RangeError('expiresAtSeconds must be a positive integer');
  }
  const expiry = String(expiresAtSeconds);
  return `${API_TOKEN_VERSION}.${expiry}.${sign(secret, expiry).toString('base64url')}`;
}

/** Checks a presented token against every configured secret. `nowSeconds` is Unix seconds. */
export function verifyApiToken(
  token: string,
  secrets: readonly Uint8Array[],
  nowSeconds: number,
): ApiTokenVerdict {
  if (typeof token !== 'string' || token.length > MAX_API_TOKEN_LENGTH) {
    return { ok: false, code: API_TOKEN_ERROR.malformed };
  }
  const m = /^v1\.([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, code: API_TOKEN_ERROR.malformed };
  const expiry = m[1]!;
  const presented = Buffer.from(m[2]!, 'base64url');
  // The 43rd character carries 2 unused bits: accept only the canonical encoding, so a token has
  // exactly one spelling (no malleable variants that verify).
  if (presented.toString('base64url') !== m[2]) return { ok: false, code: API_TOKEN_ERROR.malformed };
  let valid = false;
  for (const secret of secrets) {
    // No early exit: every secret is tried so timing does not tell which one matched.
    const expected = sign(secret, expiry);
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) valid = true;
  }
  if (!valid) return { ok: false, code: API_TOKEN_ERROR.badSignature };
  const expiresAt = Number(expiry);
  if (expiresAt <= nowSeconds) return { ok: false, code: API_TOKEN_ERROR.expired };
  return { ok: true, expiresAt };
}
