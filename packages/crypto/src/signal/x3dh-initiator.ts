/**
 * X3DH, initiator side (Alice), in the 3-DH form of the P2P profile (Appendix B: no one-time
 * prekey, so no DH4). Signal X3DH §3.3: verify the prekey signature first, then
 *   DH1 = DH(IK_A, SPK_B)  DH2 = DH(EK_A, IK_B)  DH3 = DH(EK_A, SPK_B)  SK = KDF(DH1 ‖ DH2 ‖ DH3)
 * and delete EK_A and the DH outputs. Returns the message for the wire apart from the secret for
 * the ratchet.
 */
import { concatBytes, wipe } from '../encoding.js';
import { type IdentityKeyPair, verifyPublicIdentity } from '../identity/identity-keys.js';
import { verifySignedPrekey } from '../identity/signed-prekey.js';
import type { RandomBytes } from '../random.js';
import { dh, generateDhKeyPair } from './dh.js';
import {
  type PrekeyBundle,
  type X3dhInitialMessage,
  type X3dhResult,
  x3dhAssociatedData,
  x3dhKdf,
} from './x3dh-common.js';

export interface X3dhInitiation extends X3dhResult {
  readonly initialMessage: X3dhInitialMessage;
  /** SPK_B: the initiator's first remote ratchet key (Double Ratchet spec §7.1). */
  readonly remoteRatchetKey: Uint8Array;
}

export function x3dhInitiate(
  identity: IdentityKeyPair,
  bundle: PrekeyBundle,
  random: RandomBytes,
): X3dhInitiation {
  verifyPublicIdentity(bundle.identity);
  verifySignedPrekey(bundle.identity, bundle.signedPrekey);
  const spk = bundle.signedPrekey.publicKey;
  const ephemeral = generateDhKeyPair(random);
  const dh1 = dh(identity.dhSecret, spk);
  const dh2 = dh(ephemeral.secretKey, bundle.identity.dhKey);
  const dh3 = dh(ephemeral.secretKey, spk);
  const km = concatBytes(dh1, dh2, dh3);
  const sharedSecret = x3dhKdf(km);
  wipe(dh1, dh2, dh3, km, ephemeral.secretKey);
  return {
    sharedSecret,
    associatedData: x3dhAssociatedData(identity.publicIdentity, bundle.identity),
    initialMessage: {
      identity: identity.publicIdentity,
      ephemeralKey: ephemeral.publicKey,
      signedPrekeyId: bundle.signedPrekey.id,
    },
    remoteRatchetKey: spk,
  };
}
