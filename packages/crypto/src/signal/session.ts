/**
 * Builds a SignalLayer from the three P2P handshake PDUs (Appendix B.2):
 *   `signal-key-exchange-request`  initiator → responder: asks for a bundle (no key material needed)
 *   `signal-key-exchange-response` responder → initiator: PrekeyBundleJson (IK_B, SPK_B, Sig)
 *   `signal-session-complete`      initiator → responder: SessionCompleteJson (IK_A, EK_A, SPK id,
 *                                  plus the first ratchet message, which confirms the key)
 * The first ratchet message carries a fixed confirmation plaintext under AD purpose 0x01. It proves
 * the initiator derived the same SK and gives the responder its first remote ratchet key, so both
 * sides can send as soon as `signal-session-complete` is processed.
 */
import { constantTimeEqual, fromBase64, toBase64 } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError, isCryptoError } from '../errors.js';
import type { IdentityKeyPair, PublicIdentity } from '../identity/identity-keys.js';
import type { SignedPrekey } from '../identity/signed-prekey.js';
import { type RandomBytes, webCryptoRandom } from '../random.js';
import { AD_PURPOSE_SESSION_CONFIRMATION, SESSION_CONFIRMATION_PLAINTEXT } from './constants.js';
import {
  ratchetDecrypt,
  ratchetEncrypt,
  ratchetInitInitiator,
  ratchetInitResponder,
} from './double-ratchet.js';
import { headerFromJson, headerToJson, type RatchetHeaderJson } from './header.js';
import { messageAssociatedData, SignalLayer } from './signal-layer.js';
import {
  initialMessageFromJson,
  initialMessageToJson,
  type PrekeyBundle,
  type X3dhInitialMessageJson,
} from './x3dh-common.js';
import { x3dhInitiate } from './x3dh-initiator.js';
import { x3dhRespond } from './x3dh-responder.js';

/** Largest confirmation ciphertext we accept: the fixed plaintext padded, plus the MAC. */
const MAX_CONFIRMATION_CIPHERTEXT_CHARS = 256;

export interface SessionCompleteJson {
  readonly x3dh: X3dhInitialMessageJson;
  readonly confirmation: { readonly header: RatchetHeaderJson; readonly ciphertext: string };
}

export interface InitiatedSession {
  readonly layer: SignalLayer;
  readonly sessionComplete: SessionCompleteJson;
  /** The responder's verified identity: check it against ContactPins before trusting the session. */
  readonly remoteIdentity: PublicIdentity;
}

export interface AcceptedSession {
  readonly layer: SignalLayer;
  /** The initiator's verified identity: check it against ContactPins before trusting the session. */
  readonly remoteIdentity: PublicIdentity;
}

export async function initiateSignalSession(
  identity: IdentityKeyPair,
  bundle: PrekeyBundle,
  random: RandomBytes = webCryptoRandom,
): Promise<InitiatedSession> {
  const x3dh = x3dhInitiate(identity, bundle, random);
  const state = await ratchetInitInitiator(x3dh.sharedSecret, x3dh.remoteRatchetKey, random);
  const confirmation = await ratchetEncrypt(
    state,
    SESSION_CONFIRMATION_PLAINTEXT,
    messageAssociatedData(x3dh.associatedData, AD_PURPOSE_SESSION_CONFIRMATION, new Uint8Array(0)),
  );
  return {
    layer: new SignalLayer({ state: confirmation.state, associatedData: x3dh.associatedData }, random),
    sessionComplete: {
      x3dh: initialMessageToJson(x3dh.initialMessage),
      confirmation: {
        header: headerToJson(confirmation.header),
        ciphertext: toBase64(confirmation.ciphertext),
      },
    },
    remoteIdentity: bundle.identity,
  };
}

/**
 * Responder side. Throws CRYPTO_MALFORMED / CRYPTO_BAD_SIGNATURE for bad input and
 * CRYPTO_DECRYPT_FAILED when the confirmation does not authenticate (wrong keys, tampering, MITM).
 */
export async function acceptSignalSession(
  identity: IdentityKeyPair,
  signedPrekey: SignedPrekey,
  sessionComplete: unknown,
  random: RandomBytes = webCryptoRandom,
): Promise<AcceptedSession> {
  if (typeof sessionComplete !== 'object' || sessionComplete === null) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'session-complete is not an object');
  }
  const rec = sessionComplete as Record<string, unknown>;
  const message = initialMessageFromJson(rec.x3dh);
  const conf = rec.confirmation as Record<string, unknown> | null | undefined;
  if (typeof conf !== 'object' || conf === null || typeof conf.ciphertext !== 'string') {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'session-complete lacks a confirmation');
  }
  if (conf.ciphertext.length > MAX_CONFIRMATION_CIPHERTEXT_CHARS) {
    throw new CryptoError(CRYPTO_ERROR.malformed, 'confirmation too long');
  }
  const header = headerFromJson(conf.header);
  if (header.n !== 0 || header.pn !== 0) {
    throw new CryptoError(
      CRYPTO_ERROR.malformed,
      'the confirmation must be the first message of the session',
    );
  }
  const ciphertext = fromBase64(conf.ciphertext);
  const x3dh = x3dhRespond(identity, signedPrekey, message);
  const initial = ratchetInitResponder(x3dh.sharedSecret, {
    publicKey: signedPrekey.publicKey,
    secretKey: signedPrekey.secretKey,
  });
  const ad = messageAssociatedData(x3dh.associatedData, AD_PURPOSE_SESSION_CONFIRMATION, new Uint8Array(0));
  let opened: Awaited<ReturnType<typeof ratchetDecrypt>>;
  try {
    opened = await ratchetDecrypt(initial, header, ciphertext, ad, random);
  } catch (err) {
    // Any failure of the very first message means the keys disagree: report it as an auth failure.
    if (isCryptoError(err, CRYPTO_ERROR.malformed)) throw err;
    throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'session confirmation does not authenticate');
  }
  if (
    header.n !== 0 ||
    header.pn !== 0 ||
    !constantTimeEqual(opened.plaintext, SESSION_CONFIRMATION_PLAINTEXT)
  ) {
    throw new CryptoError(CRYPTO_ERROR.decryptFailed, 'session confirmation has unexpected content');
  }
  return {
    layer: new SignalLayer({ state: opened.state, associatedData: x3dh.associatedData }, random),
    remoteIdentity: message.identity,
  };
}
