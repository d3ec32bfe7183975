/**
 * Bundled by browser.test.ts and run in headless Chromium: builds every layer of ours through its
 * handshake helpers with the browser's WebCrypto and runs the cascade both ways, including a
 * tampered message. Returns a summary object; the Node side asserts on it.
 */
import { AesGcmLayer } from '../../src/aes/aes-layer.js';
import { deriveAesBaseSecret } from '../../src/aes/keys.js';
import { Cascade } from '../../src/cascade/cascade.js';
import { isCryptoError } from '../../src/errors.js';
import {
  decapsulate,
  deriveMlKemExport,
  deriveMlKemRootSecret,
  encapsulateTo,
  generateMlKemKeyPair,
} from '../../src/mlkem/handshake.js';
import { MlKemLayer } from '../../src/mlkem/mlkem-layer.js';
import {
  createMlsMember,
  createTwoMemberGroup,
  exportMlsSecret,
  joinTwoMemberGroup,
} from '../../src/mls/handshake.js';
import { MlsLayer } from '../../src/mls/mls-layer.js';
import { makeMlsCiphersuite } from '../../src/mls/provider.js';
import { webCryptoRandom } from '../../src/random.js';

const te = new TextEncoder();

export async function run(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {
    hasBuffer: typeof (globalThis as { Buffer?: unknown }).Buffer !== 'undefined',
    hasProcess: typeof (globalThis as { process?: unknown }).process !== 'undefined',
  };
  const impl = await makeMlsCiphersuite();
  const alice = await createMlsMember(te.encode('alice'), impl);
  const bob = await createMlsMember(te.encode('bob'), impl);
  const group = await createTwoMemberGroup(impl, alice.member, bob.keyPackageBytes, te.encode('g'));
  const bobState = await joinTwoMemberGroup(impl, bob.member, group.welcomeBytes);
  const exportA = await exportMlsSecret(group.state, impl, 'EnkryptedChat-v0 AES base', new Uint8Array(0));
  const exportB = await exportMlsSecret(bobState, impl, 'EnkryptedChat-v0 AES base', new Uint8Array(0));

  const kpA = generateMlKemKeyPair(webCryptoRandom);
  const kpB = generateMlKemKeyPair(webCryptoRandom);
  const toB = encapsulateTo(kpB.publicKey, webCryptoRandom);
  const toA = encapsulateTo(kpA.publicKey, webCryptoRandom);
  const x = {
    initiatorPublicKey: kpA.publicKey,
    responderPublicKey: kpB.publicKey,
    ciphertextToResponder: toB.ciphertext,
    ciphertextToInitiator: toA.ciphertext,
  };
  const rootA = deriveMlKemRootSecret({
    ...x,
    secretToResponder: toB.sharedSecret,
    secretToInitiator: decapsulate(toA.ciphertext, kpA.secretKey),
  });
  const rootB = deriveMlKemRootSecret({
    ...x,
    secretToResponder: decapsulate(toB.ciphertext, kpB.secretKey),
    secretToInitiator: toA.sharedSecret,
  });
  const transcript = new Uint8Array(32);
  const baseA = deriveAesBaseSecret([exportA, deriveMlKemExport(rootA, 'aes-base')], transcript);
  const baseB = deriveAesBaseSecret([exportB, deriveMlKemExport(rootB, 'aes-base')], transcript);
  const rotation = Date.now();
  const a = new Cascade([
    new MlsLayer(group.state, impl),
    MlKemLayer.create({
      role: 'initiator',
      rootSecret: rootA,
      ownSecretKey: kpA.secretKey,
      peerPublicKey: kpB.publicKey,
      rekeyEveryMessages: 3,
    }),
    await AesGcmLayer.create({ role: 'initiator', baseSecret: baseA, rotation }),
  ]);
  const b = new Cascade([
    new MlsLayer(bobState, impl),
    MlKemLayer.create({
      role: 'responder',
      rootSecret: rootB,
      ownSecretKey: kpB.secretKey,
      peerPublicKey: kpA.publicKey,
      rekeyEveryMessages: 3,
    }),
    await AesGcmLayer.create({ role: 'responder', baseSecret: baseB, rotation }),
  ]);
  const ad = te.encode('header');
  const sizes = [1, 1024, 8193, 65536, 1024 * 1024];
  let roundTrips = 0;
  /** 64 KiB and 1 MiB take the bulk form (a WebCrypto AES-256-GCM body). */
  let bulkRoundTrips = 0;
  for (const size of sizes) {
    const pt = new Uint8Array(size).map((_, i) => (i * 7) & 0xff);
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const sealed = await from.encrypt(pt, ad);
      if (sealed.bulk !== undefined) bulkRoundTrips++;
      const back = await to.decrypt(sealed, ad);
      if (back.length === size && back.every((v, i) => v === pt[i])) roundTrips++;
    }
  }
  out.roundTrips = roundTrips;
  out.expectedRoundTrips = sizes.length * 2;
  out.bulkRoundTrips = bulkRoundTrips;
  const p = await a.encrypt(te.encode('tamper me'), ad);
  const bad = p.finalCiphertext.slice();
  bad[3] = (bad[3] as number) ^ 1;
  try {
    await b.decrypt({ ...p, finalCiphertext: bad }, ad);
    out.tamper = 'accepted';
  } catch (err) {
    out.tamper = isCryptoError(err) ? err.code : 'untyped';
  }
  out.afterTamper = new TextDecoder().decode(await b.decrypt(p, ad));
  out.webCryptoEd25519 = await globalThis.crypto.subtle
    .importKey('raw', new Uint8Array(32).fill(1), 'Ed25519', false, ['verify'])
    .then(
      () => true,
      () => false,
    );
  return out;
}
