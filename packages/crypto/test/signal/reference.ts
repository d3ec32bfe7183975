/**
 * An independent rendering of the X3DH and Double Ratchet formulas with node:crypto (OpenSSL), used
 * only by tests to check the implementation (noble + WebCrypto) against the specifications'
 * definitions rather than against itself.
 */
import {
  createCipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hkdfSync,
} from 'node:crypto';

const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');

export function refX25519(secret: Uint8Array, publicKey: Uint8Array, ownPublic: Uint8Array): Uint8Array {
  const privateKey = createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', d: b64url(secret), x: b64url(ownPublic) },
    format: 'jwk',
  });
  const pub = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64url(publicKey) }, format: 'jwk' });
  return new Uint8Array(diffieHellman({ privateKey, publicKey: pub }));
}

export function refHkdf(ikm: Uint8Array, salt: Uint8Array, info: string, length: number): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', ikm, salt, Buffer.from(info, 'utf8'), length));
}

/** X3DH §2.2 KDF with the X25519 prefix and the profile's info string. */
export function refX3dhKdf(km: Uint8Array): Uint8Array {
  return refHkdf(
    Buffer.concat([Buffer.alloc(32, 0xff), km]),
    new Uint8Array(32),
    'EnkryptedChat-Profile-v0 X3DH',
    32,
  );
}

export function refKdfRk(rk: Uint8Array, dhOut: Uint8Array): { rk: Uint8Array; ck: Uint8Array } {
  const out = refHkdf(dhOut, rk, 'EnkryptedChat-Profile-v0 Ratchet', 64);
  return { rk: out.slice(0, 32), ck: out.slice(32) };
}

export function refKdfCk(ck: Uint8Array): { ck: Uint8Array; mk: Uint8Array } {
  return {
    ck: new Uint8Array(
      createHmac('sha256', ck)
        .update(Buffer.from([2]))
        .digest(),
    ),
    mk: new Uint8Array(
      createHmac('sha256', ck)
        .update(Buffer.from([1]))
        .digest(),
    ),
  };
}

/** Double Ratchet §5.2 ENCRYPT: HKDF → AES-256-CBC/PKCS#7 + HMAC-SHA-256(ad ‖ ct). */
export function refEncrypt(mk: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array {
  const okm = refHkdf(mk, new Uint8Array(32), 'EnkryptedChat-Profile-v0 MessageKeys', 80);
  const cipher = createCipheriv('aes-256-cbc', okm.subarray(0, 32), okm.subarray(64, 80));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const mac = createHmac('sha256', okm.subarray(32, 64)).update(ad).update(ct).digest();
  return new Uint8Array(Buffer.concat([ct, mac]));
}

/** CONCAT(ad, header) = u32be(len ad) ‖ ad ‖ dh ‖ u32be(pn) ‖ u32be(n). */
export function refConcat(ad: Uint8Array, dh: Uint8Array, pn: number, n: number): Uint8Array {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(ad.length);
  const tail = Buffer.alloc(8);
  tail.writeUInt32BE(pn, 0);
  tail.writeUInt32BE(n, 4);
  return new Uint8Array(Buffer.concat([len, ad, dh, tail]));
}
