/**
 * Initiator side of a PeerJS data connection (peerjs-protocol.md §3.5): create the peer connection
 * and the channel, make the offer, send OFFER through the broker. The ANSWER and CANDIDATEs are fed
 * back by the connection through `Transport.setRemoteDescription` / `addRemoteCandidate`.
 */
import type { OfferPayload } from './payloads.js';
import { Transport, type TransportOptions } from './transport.js';

export interface OfferSpec {
  connectionId: string;
  label: string;
  reliable: boolean;
  serialization: string;
  metadata?: unknown;
  /** Set when this offer replaces the transport of an existing connection (recovery). */
  restartId?: string | undefined;
}

export interface Initiated {
  transport: Transport;
  /** Resolves once the OFFER has been handed to signaling. */
  offered: Promise<void>;
}

export function initiate(
  options: TransportOptions,
  spec: OfferSpec,
  sendOffer: (payload: OfferPayload & Record<string, unknown>) => void,
): Initiated {
  const transport = new Transport(options);
  // No maxRetransmits: delivery is always reliable, `reliable` only selects ordering, as in peerjs.
  const channel = transport.pc.createDataChannel(spec.label, { ordered: spec.reliable });
  transport.attachChannel(channel);
  const offered = (async () => {
    const offer = await transport.pc.createOffer();
    await transport.pc.setLocalDescription(offer);
    const payload: OfferPayload & Record<string, unknown> = {
      sdp: { type: 'offer', sdp: offer.sdp ?? '' },
      type: 'data',
      connectionId: spec.connectionId,
      label: spec.label,
      reliable: spec.reliable,
      serialization: spec.serialization,
      enkrypted: 1,
    };
    if (spec.metadata !== undefined) payload.metadata = spec.metadata;
    if (spec.restartId !== undefined) {
      payload.iceRestart = true;
      payload.restartId = spec.restartId;
    }
    sendOffer(payload);
  })();
  return { transport, offered };
}
