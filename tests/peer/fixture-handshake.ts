/**
 * TEST FIXTURE, not product crypto: a minimal authenticated-encryption handshake built only from
 * WebCrypto (X25519 + HKDF-SHA-256 + AES-256-GCM with counter nonces) so the Session's hook can be
 * exercised end to end before the P3 cascade handshake from packages/crypto is wired in. It has no
 * identity authentication; never use it outside tests.
 */
import type { HandshakeHook, SecureSession } from '@enkrypted/peer';

const subtle = globalThis.crypto.subtle;
const enc = new TextEncoder();

async function directionKey(shared: ArrayBuffer, label: string): Promise<CryptoKey> {
  const ikm = await subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: enc.encode(`fixture ${label}`) },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

function nonce(counter: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(12);
  new DataView(iv.buffer).setBigUint64(4, BigInt(counter));
  return iv;
}

export interface FixtureStats {
  handshakes: number;
}

export function fixtureHandshake(stats: FixtureStats = { handshakes: 0 }): HandshakeHook {
  return async (channel, ctx) => {
    const pair = (await subtle.generateKey({ name: 'X25519' }, false, ['deriveBits'])) as CryptoKeyPair;
    await channel.send(new Uint8Array(await subtle.exportKey('raw', pair.publicKey)));
    const remote = await channel.receive({ timeoutMs: 20_000 });
    if (typeof remote === 'string' || remote.byteLength !== 32) throw new Error('fixture: bad public key');
    const remoteKey = await subtle.importKey('raw', new Uint8Array(remote), { name: 'X25519' }, false, []);
    const shared = await subtle.deriveBits({ name: 'X25519', public: remoteKey }, pair.privateKey, 256);
    const mine = ctx.role === 'initiator' ? 'i2r' : 'r2i';
    const theirs = ctx.role === 'initiator' ? 'r2i' : 'i2r';
    const sendKey = await directionKey(shared, mine);
    const recvKey = await directionKey(shared, theirs);
    let sent = 0;
    let lastReceived = -1;
    stats.handshakes++;
    const session: SecureSession = {
      async seal(plaintext) {
        const counter = sent++;
        const ct = new Uint8Array(
          await subtle.encrypt({ name: 'AES-GCM', iv: nonce(counter) }, sendKey, new Uint8Array(plaintext)),
        );
        const out = new Uint8Array(8 + ct.length);
        new DataView(out.buffer).setBigUint64(0, BigInt(counter));
        out.set(ct, 8);
        return out;
      },
      async open(frame) {
        if (typeof frame === 'string' || frame.byteLength < 8 + 16) throw new Error('fixture: short frame');
        const counter = Number(new DataView(frame.buffer, frame.byteOffset, 8).getBigUint64(0));
        if (counter <= lastReceived) throw new Error('fixture: replay');
        const pt = await subtle.decrypt(
          { name: 'AES-GCM', iv: nonce(counter) },
          recvKey,
          new Uint8Array(frame.subarray(8)),
        );
        lastReceived = counter;
        return new Uint8Array(pt);
      },
    };
    return session;
  };
}
