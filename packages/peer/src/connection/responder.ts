/**
 * Responder side of a PeerJS data connection: apply the OFFER, answer at once, receive the channel
 * through `ondatachannel` (matched by the signaling's connectionId, not by label, as peerjs does).
 */
import { REMOTE_CANDIDATE_HOLD_MS } from '../limits.js';
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
  // Ordering that keeps DTLS behind the answer (see REMOTE_CANDIDATE_HOLD_MS): our candidates go out
  // only after the ANSWER (an offerer that applies candidates before the answer would lose them), and
  // the offerer's candidates wait, so that the offerer's checks — possible only once it has our
  // answer — start the connection.
  let answerSent = false;
  const early: RTCIceCandidateInit[] = [];
  const transport = new Transport({
    ...options,
    holdCandidates: true,
    sendCandidate: (c) => {
      if (answerSent) options.sendCandidate(c);
      else early.push(c);
    },
  });
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
    answerSent = true;
    for (const c of early.splice(0)) options.sendCandidate(c);
    transport.releaseCandidatesAfter(REMOTE_CANDIDATE_HOLD_MS);
  })();
  return { transport, answered };
}
