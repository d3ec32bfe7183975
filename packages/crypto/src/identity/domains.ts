/**
 * Domain-separation labels. The identity's Ed25519 key signs several kinds of statement (the
 * binding of its X25519 key, signed prekeys, handshake transcripts); every signed message starts
 * with a distinct label so that a signature made for one purpose can never be replayed as another.
 * The labels are part of the wire profile: changing one breaks interoperability.
 */
import { utf8 } from '../encoding.js';

export const PROFILE_ID = 'EnkryptedChat-Profile-v0';

export const IDENTITY_BINDING_LABEL = utf8(`${PROFILE_ID} identity-binding`);
export const SIGNED_PREKEY_LABEL = utf8(`${PROFILE_ID} signed-prekey`);
export const TRANSCRIPT_HASH_LABEL = utf8(`${PROFILE_ID} channel-binding transcript`);
export const TRANSCRIPT_SIGNATURE_LABEL = utf8(`${PROFILE_ID} channel-binding signature`);
