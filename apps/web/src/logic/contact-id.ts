/**
 * Turning what a user pasted or scanned into a contact's peer id, with a clear refusal for each
 * kind of bad input. Pure; the QR pixels are decoded elsewhere (jsqr) and only their text comes here.
 */
import { isValidPeerId } from '@enkrypted/protocol';
import { WEB_ERROR, WebError } from './errors.js';

/** Prefix of the text in our contact QR codes, so a random QR code is not mistaken for an id. */
export const CONTACT_QR_PREFIX = 'enkrypted:contact:';

export function contactQrText(peerId: string): string {
  return `${CONTACT_QR_PREFIX}${peerId}`;
}

/**
 * Validates a pasted id. Whitespace around it is forgiven (copy-paste adds it); anything else that
 * is not a PeerJS-grammar id is refused, as is our own id.
 */
export function parseContactId(input: string, ownId: string): string {
  const id = input.trim();
  if (id.startsWith(CONTACT_QR_PREFIX)) return parseContactId(id.slice(CONTACT_QR_PREFIX.length), ownId);
  if (id.length === 0) throw new WebError(WEB_ERROR.invalidPeerId, 'Enter a peer id.');
  if (!isValidPeerId(id)) {
    throw new WebError(
      WEB_ERROR.invalidPeerId,
      'That is not a valid peer id: letters and digits, optionally joined by single "-", "_" or spaces.',
    );
  }
  if (id === ownId)
    throw new WebError(WEB_ERROR.ownPeerId, 'That is your own id: add the id of someone else.');
  return id;
}

/** Validates the text decoded from a QR image (`undefined` when no code was found in it). */
export function parseContactQr(text: string | undefined, ownId: string): string {
  if (text === undefined) {
    throw new WebError(WEB_ERROR.invalidQr, 'No QR code could be read from that image.');
  }
  if (!text.startsWith(CONTACT_QR_PREFIX)) {
    throw new WebError(WEB_ERROR.invalidQr, 'That QR code is not an Enkrypted contact code.');
  }
  try {
    return parseContactId(text.slice(CONTACT_QR_PREFIX.length), ownId);
  } catch (err) {
    if (err instanceof WebError && err.code === WEB_ERROR.invalidPeerId) {
      throw new WebError(WEB_ERROR.invalidQr, 'That QR code holds a malformed peer id.');
    }
    throw err;
  }
}
