/**
 * Responder side of a PeerJS data connection: apply the OFFER, answer at once, receive the channel
 * through `ondatachannel` (matched by the signaling's connectionId, not by label, as peerjs does).
 */
import type { AnswerPayload, OfferPayload } from './payloads.js';
import { Transport, type TransportOptions } from './transport.js';

export interface Responded {
  transport: Transport;
  /** Resolves once the ANSWER has been handed to signaling; rejects if the offer is unusable. */
  answered: Promise<void>;
}

export function respond(
  options: TransportOptions,
  offer: OfferPayload,
  sendAnswer: (payload: AnswerPayload & Record<string, unknown>) => void,
  restartId: string | undefined,
): Responded {
  const transport = new Transport(options);
  transport.pc.ondatachannel = (ev) => transport.attachChannel(ev.channel);
  const answered = (async () => {
    await transport.setRemoteDescription(offer.sdp);
    const answer = await transport.pc.createAnswer();
    await transport.pc.setLocalDescription(answer);
    const payload: AnswerPayload & Record<string, unknown> = {
      sdp: { type: 'answer', sdp: answer.sdp ?? '' },
      type: 'data',
      connectionId: offer.connectionId,
      enkrypted: 1,
    };
    if (restartId !== undefined) payload.restartId = restartId;
    sendAnswer(payload);
  })();
  return { transport, answered };
}
