/**
 * X3DH, responder side (Bob), 3-DH form (Appendix B). Signal X3DH §3.4: Bob repeats the DH
 * calculations with his private keys:
 *   DH1 = DH(SPK_B, IK_A)  DH2 = DH(IK_B, EK_A)  DH3 = DH(SPK_B, EK_A)  SK = KDF(DH1 ‖ DH2 ‖ DH3)
 * The initiator's identity is verified (binding signature) before any DH. Whether that identity is
 * the one expected for this contact is the caller's decision (ContactPins).
 */
import { concatBytes, wipe } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import { type IdentityKeyPair, verifyPublicIdentity } from '../identity/identity-keys.js';
import type { SignedPrekey } from '../identity/signed-prekey.js';
import { dh } from './dh.js';
import { type X3dhInitialMessage, type X3dhResult, x3dhAssociatedData, x3dhKdf } from './x3dh-common.js';

export function x3dhRespond(
  identity: IdentityKeyPair,
  signedPrekey: SignedPrekey,
  message: X3dhInitialMessage,
): X3dhResult {
  if (message.signedPrekeyId !== signedPrekey.id) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'initial message names an unknown signed prekey');
  }
  verifyPublicIdentity(message.identity);
  const dh1 = dh(signedPrekey.secretKey, message.identity.dhKey);
  const dh2 = dh(identity.dhSecret, message.ephemeralKey);
  const dh3 = dh(signedPrekey.secretKey, message.ephemeralKey);
  const km = concatBytes(dh1, dh2, dh3);
  const sharedSecret = x3dhKdf(km);
  wipe(dh1, dh2, dh3, km);
  return { sharedSecret, associatedData: x3dhAssociatedData(message.identity, identity.publicIdentity) };
}
