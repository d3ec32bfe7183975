/**
 * The ts-mls cipher suite implementation used by the MLS layer: ts-mls's own suite 1
 * (MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519, RFC 9420 §17.1) with the primitives on the
 * per-message path swapped for faster ones from the same well-kept sources. Nothing here invents a
 * primitive; each replacement computes exactly what ts-mls's default does (the interop test runs
 * both against each other):
 *
 * - KDF and hash/HMAC: @noble/hashes, synchronous. ts-mls's default goes through @hpke/core and
 *   WebCrypto, importing an HMAC key for every HKDF-Expand; an application message needs about a
 *   dozen of those (secret tree, sender data), which was a third of its cost.
 * - Ed25519: WebCrypto with each key imported once and cached per key object (ts-mls's default
 *   imports the PKCS#8 key on every signature); @noble/curves where WebCrypto lacks Ed25519.
 *   Signing keys are 32-byte RFC 8032 seeds drawn from the injected randomness.
 * - AES-128-GCM of message contents and sender data: our GcmKey (@noble/ciphers for short inputs,
 *   WebCrypto for long ones) instead of a WebCrypto key import plus an async job per call.
 * - HPKE itself (only used by commits and welcomes) stays ts-mls's default, except that key pairs
 *   come from DeriveKeyPair(32 bytes of the injected randomness) (RFC 9180 §7.1.3), so that all
 *   randomness of a member flows from one injected source and fixed-seed vectors are possible.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  type CiphersuiteImpl,
  type CiphersuiteName,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  type Signature,
} from 'ts-mls';
import { GcmKey } from '../aes/aes-gcm.js';
import { equalBytes } from '../cascade/bytes.js';
import { type RandomBytes, webCryptoRandom } from '../random.js';

/** The profile's MLS cipher suite, as in the reference implementation. */
export const MLS_CIPHERSUITE: CiphersuiteName = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';

/** RFC 8410 PKCS#8 prefix for an Ed25519 private key: the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x70,
  0x04,
  0x22,
  0x04,
  0x20,
);
const ED25519_SEED_BYTES = 32;
/** DeriveKeyPair input for DHKEM(X25519): Nsk = 32 bytes of uniform randomness (RFC 9180 §7.1). */
const HPKE_IKM_BYTES = 32;

function source(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>;
}

async function webCryptoHasEd25519(): Promise<boolean> {
  try {
    const subtle = globalThis.crypto?.subtle;
    if (subtle === undefined) return false;
    const key = await subtle.importKey(
      'raw',
      source(ed25519.getPublicKey(new Uint8Array(32))),
      'Ed25519',
      false,
      ['verify'],
    );
    return key !== undefined;
  } catch {
    return false;
  }
}

function nobleEd25519(random: RandomBytes): Signature {
  return {
    async sign(signKey, message) {
      return ed25519.sign(message, signKey);
    },
    async verify(publicKey, message, signature) {
      try {
        return ed25519.verify(signature, message, publicKey);
      } catch {
        return false;
      }
    },
    async keygen() {
      const signKey = random(ED25519_SEED_BYTES);
      return { signKey, publicKey: ed25519.getPublicKey(signKey) };
    },
  };
}

/**
 * Keys are cached by the identity of the Uint8Array that holds them: ts-mls keeps the same array in
 * every successive group state, so each key is imported once per session. A WeakMap never holds a
 * key alive and never hashes secret bytes.
 */
function webCryptoEd25519(random: RandomBytes): Signature {
  const subtle = globalThis.crypto.subtle;
  const signKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();
  const verifyKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();
  const signingKey = (seed: Uint8Array): Promise<CryptoKey> => {
    let key = signKeys.get(seed);
    if (key === undefined) {
      const pkcs8 = new Uint8Array(ED25519_PKCS8_PREFIX.length + ED25519_SEED_BYTES);
      pkcs8.set(ED25519_PKCS8_PREFIX);
      pkcs8.set(seed, ED25519_PKCS8_PREFIX.length);
      key = subtle.importKey('pkcs8', pkcs8, 'Ed25519', false, ['sign']).finally(() => pkcs8.fill(0));
      signKeys.set(seed, key);
    }
    return key;
  };
  const verifyingKey = (publicKey: Uint8Array): Promise<CryptoKey> => {
    let key = verifyKeys.get(publicKey);
    if (key === undefined) {
      key = subtle.importKey('raw', source(publicKey), 'Ed25519', false, ['verify']);
      verifyKeys.set(publicKey, key);
    }
    return key;
  };
  return {
    async sign(signKey, message) {
      if (signKey.length !== ED25519_SEED_BYTES)
        throw new Error('Ed25519 signing key must be a 32-byte seed');
      return new Uint8Array(await subtle.sign('Ed25519', await signingKey(signKey), source(message)));
    },
    async verify(publicKey, message, signature) {
      try {
        return await subtle.verify(
          'Ed25519',
          await verifyingKey(publicKey),
          source(signature),
          source(message),
        );
      } catch {
        return false;
      }
    },
    async keygen() {
      const signKey = random(ED25519_SEED_BYTES);
      return { signKey, publicKey: ed25519.getPublicKey(signKey) };
    },
  };
}

export async function makeMlsCiphersuite(random: RandomBytes = webCryptoRandom): Promise<CiphersuiteImpl> {
  const base = await getCiphersuiteImpl(getCiphersuiteFromName(MLS_CIPHERSUITE));
  const aead = async (
    encrypt: boolean,
    key: Uint8Array,
    nonce: Uint8Array,
    aad: Uint8Array | undefined,
    data: Uint8Array,
  ) => {
    const k = new GcmKey(key);
    try {
      return encrypt
        ? await k.encrypt(nonce, aad ?? new Uint8Array(0), data)
        : await k.decrypt(nonce, aad ?? new Uint8Array(0), data);
    } finally {
      k.wipe();
    }
  };
  return {
    ...base,
    hpke: {
      ...base.hpke,
      generateKeyPair: () => base.hpke.deriveKeyPair(random(HPKE_IKM_BYTES)),
      encryptAead: (key, nonce, aad, plaintext) => aead(true, key, nonce, aad, plaintext),
      decryptAead: (key, nonce, aad, ciphertext) => aead(false, key, nonce, aad, ciphertext),
    },
    kdf: {
      async extract(salt, ikm) {
        return extract(sha256, ikm, salt);
      },
      async expand(prk, info, len) {
        return expand(sha256, prk, info, len);
      },
      size: 32,
    },
    hash: {
      async digest(data) {
        return sha256(data);
      },
      async mac(key, data) {
        return hmac(sha256, key, data);
      },
      async verifyMac(key, mac, data) {
        return equalBytes(hmac(sha256, key, data), mac);
      },
    },
    signature: (await webCryptoHasEd25519()) ? webCryptoEd25519(random) : nobleEd25519(random),
    rng: { randomBytes: (n) => random(n) },
  };
}
