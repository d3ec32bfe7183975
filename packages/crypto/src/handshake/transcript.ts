/**
 * Order of the handshake PDUs in the channel-binding transcript. Both sides must hash the same
 * bytes in the same order although they saw the PDUs interleaved differently (our own before or
 * after the peer's, reordered on the way), so the order is canonical, not arrival order: all of the
 * initiator's PDUs, then all of the responder's, each side's by their place in the profile's
 * handshake table (P3.2). Every type is sent at most once per side per handshake, so the order is
 * total. `handshake-finished` carries the signature and is not part of what it signs.
 */
import { HANDSHAKE_PDU_TYPES, type HandshakePduType, PDU_TYPE } from '@enkrypted/protocol';

export const HANDSHAKE_PDU_ORDER: readonly HandshakePduType[] = HANDSHAKE_PDU_TYPES.filter(
  (t) => t !== PDU_TYPE.handshakeFinished,
);
