/** A fresh Alice/Bob ratchet pair over a real X3DH agreement, for the ratchet tests. */
import { generateIdentity } from '../../src/identity/identity-keys.js';
import { generateSignedPrekey, publicSignedPrekey } from '../../src/identity/signed-prekey.js';
import type { RandomBytes } from '../../src/random.js';
import {
  type RatchetState,
  ratchetInitInitiator,
  ratchetInitResponder,
} from '../../src/signal/double-ratchet.js';
import { x3dhInitiate } from '../../src/signal/x3dh-initiator.js';
import { x3dhRespond } from '../../src/signal/x3dh-responder.js';

export interface RatchetPair {
  alice: RatchetState;
  bob: RatchetState;
  ad: Uint8Array;
  sharedSecret: Uint8Array;
}

export async function ratchetPair(random: RandomBytes): Promise<RatchetPair> {
  const alice = generateIdentity(random);
  const bob = generateIdentity(random);
  const spk = generateSignedPrekey(bob, 1, random);
  const init = x3dhInitiate(
    alice,
    { identity: bob.publicIdentity, signedPrekey: publicSignedPrekey(spk) },
    random,
  );
  const resp = x3dhRespond(bob, spk, init.initialMessage);
  return {
    alice: await ratchetInitInitiator(init.sharedSecret, init.remoteRatchetKey, random),
    bob: ratchetInitResponder(resp.sharedSecret, spk),
    ad: init.associatedData,
    sharedSecret: init.sharedSecret,
  };
}
