/**
 * One WebRTC transport: an RTCPeerConnection and its single data channel, with the ICE bookkeeping
 * both roles share. Remote candidates are held until the remote description is set (browsers chain
 * these operations; node-datachannel does not, deps.md caveat A), bounded by
 * MAX_PENDING_REMOTE_CANDIDATES.
 *
 * Loss detection (what makes a connection recover instead of close):
 * - ICE/connection state `failed` or `closed`, or the channel closing while the peer connection is no
 *   longer connected → lost;
 * - ICE `disconnected` that does not heal within ICE_DISCONNECTED_GRACE_MS → lost;
 * - the channel closing while the peer connection is still connected means the remote closed the
 *   connection on purpose (an SCTP stream reset) → remote-close.
 */
import { PEER_ERROR, PeerError } from '../errors.js';
import { ICE_DISCONNECTED_GRACE_MS, MAX_PENDING_REMOTE_CANDIDATES } from '../limits.js';
import type { PeerConnectionConfig, Platform } from '../platform/types.js';
import { Emitter } from '../util/emitter.js';
import { type WaitOptions, waitFor } from '../util/wait.js';
import { candidateToJson } from './payloads.js';

export interface TransportOptions {
  platform: Platform;
  rtc: PeerConnectionConfig;
  /** Called with each local candidate that passes the filter, to be sent as CANDIDATE. */
  sendCandidate(candidate: RTCIceCandidateInit): void;
  /** Optional: keep only candidates this returns true for (both directions), e.g. loopback only. */
  candidateFilter?: ((candidate: string) => boolean) | undefined;
  /** Overrides ICE_DISCONNECTED_GRACE_MS (tests use shorter values). */
  disconnectedGraceMs?: number | undefined;
  /** Hold remote candidates, even after the remote description is set, until `releaseCandidates()`. */
  holdCandidates?: boolean | undefined;
}

type TransportEvents = {
  open: [];
  message: [unknown];
  /** The path died (ICE failed, disconnected past grace, peer connection closed underneath). */
  lost: [];
  /** The remote closed the channel on purpose while the path was healthy. */
  'remote-close': [];
};

/** How long `close()` lets the channel's stream reset reach the remote before tearing down ICE. */
const CLOSE_LINGER_MS = 50;

export class Transport extends Emitter<TransportEvents> {
  readonly pc: RTCPeerConnection;
  #channel: RTCDataChannel | undefined;
  readonly #options: TransportOptions;
  #remoteSet = false;
  #held = false;
  #releaseTimer: ReturnType<typeof setTimeout> | undefined;
  #pending: RTCIceCandidateInit[] = [];
  #graceTimer: ReturnType<typeof setTimeout> | undefined;
  #ended = false;
  #opened = false;

  constructor(options: TransportOptions) {
    super();
    this.#options = options;
    this.#held = options.holdCandidates === true;
    this.pc = options.platform.createPeerConnection(options.rtc);
    this.pc.onicecandidate = (ev) => {
      if (this.#ended || !ev.candidate || !ev.candidate.candidate) return;
      if (options.candidateFilter && !options.candidateFilter(ev.candidate.candidate)) return;
      options.sendCandidate(candidateToJson(ev.candidate));
    };
    this.pc.oniceconnectionstatechange = () => this.#onPathState();
    this.pc.onconnectionstatechange = () => this.#onPathState();
  }

  get channel(): RTCDataChannel | undefined {
    return this.#channel;
  }

  get isOpen(): boolean {
    return this.#opened && !this.#ended && this.#channel?.readyState === 'open';
  }

  /** Binds the data channel (created locally or received through `ondatachannel`). */
  attachChannel(channel: RTCDataChannel): void {
    this.#channel = channel;
    channel.binaryType = 'arraybuffer';
    channel.onopen = () => {
      if (this.#ended) return;
      this.#opened = true;
      this.emit('open');
    };
    channel.onmessage = (ev) => {
      if (!this.#ended) this.emit('message', ev.data);
    };
    channel.onclose = () => {
      if (this.#ended) return;
      const pathUp = this.pc.connectionState === 'connected';
      this.#end();
      this.emit(pathUp && this.#opened ? 'remote-close' : 'lost');
    };
    if (channel.readyState === 'open') {
      this.#opened = true;
      queueMicrotask(() => {
        if (!this.#ended) this.emit('open');
      });
    }
  }

  /** Resolves when the channel is open; rejects NEGOTIATION_FAILED if the transport dies first. */
  whenOpen(options: WaitOptions): Promise<void> {
    return waitFor<void>(
      'the data channel to open',
      (resolve, reject) => {
        if (this.isOpen) resolve();
        if (this.#ended)
          reject(new PeerError(PEER_ERROR.negotiationFailed, 'transport closed before opening'));
        const offs = [
          this.on('open', resolve),
          this.on('lost', () => reject(new PeerError(PEER_ERROR.negotiationFailed, 'ICE failed'))),
          this.on('remote-close', () =>
            reject(new PeerError(PEER_ERROR.negotiationFailed, 'closed by remote')),
          ),
        ];
        return () => {
          for (const off of offs) off();
        };
      },
      options,
    );
  }

  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    await this.pc.setRemoteDescription(description);
    this.#remoteSet = true;
    await this.#flush();
  }

  /** Ends the hold requested with `holdCandidates` after `ms` (the timer dies with the transport). */
  releaseCandidatesAfter(ms: number): void {
    if (this.#releaseTimer !== undefined || this.#ended) return;
    this.#releaseTimer = setTimeout(() => {
      this.#releaseTimer = undefined;
      void this.releaseCandidates();
    }, ms);
  }

  /** Ends the hold requested with `holdCandidates`. */
  async releaseCandidates(): Promise<void> {
    this.#held = false;
    await this.#flush();
  }

  async #flush(): Promise<void> {
    if (!this.#remoteSet || this.#held) return;
    const pending = this.#pending;
    this.#pending = [];
    for (const c of pending) await this.#apply(c);
  }

  /** Applies a remote candidate now, or holds it until the remote description is set. */
  async addRemoteCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    if (this.#ended) return;
    if (this.#options.candidateFilter && !this.#options.candidateFilter(candidate.candidate ?? '')) return;
    if (!this.#remoteSet || this.#held) {
      if (this.#pending.length < MAX_PENDING_REMOTE_CANDIDATES) this.#pending.push(candidate);
      return;
    }
    await this.#apply(candidate);
  }

  async #apply(candidate: RTCIceCandidateInit): Promise<void> {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch {
      // A candidate the stack refuses (wrong ufrag after a restart, unsupported type) is not fatal:
      // ICE proceeds with the others, and failure is detected through the ICE state.
    }
  }

  #onPathState(): void {
    if (this.#ended) return;
    const ice = this.pc.iceConnectionState;
    const conn = this.pc.connectionState;
    if (ice === 'failed' || conn === 'failed' || conn === 'closed' || ice === 'closed') {
      this.#end();
      this.emit('lost');
      return;
    }
    if (ice === 'disconnected' || conn === 'disconnected') {
      if (this.#graceTimer === undefined) {
        const grace = this.#options.disconnectedGraceMs ?? ICE_DISCONNECTED_GRACE_MS;
        this.#graceTimer = setTimeout(() => {
          this.#graceTimer = undefined;
          if (this.#ended) return;
          this.#end();
          this.emit('lost');
        }, grace);
      }
      return;
    }
    if (this.#graceTimer !== undefined) {
      clearTimeout(this.#graceTimer);
      this.#graceTimer = undefined;
    }
  }

  #end(): void {
    this.#ended = true;
    if (this.#releaseTimer !== undefined) clearTimeout(this.#releaseTimer);
    this.#releaseTimer = undefined;
    if (this.#graceTimer !== undefined) clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
  }

  /**
   * Closes channel then peer connection. The short linger lets the channel's stream reset reach the
   * remote first, so it sees an intentional close rather than a lost path.
   */
  async close(linger = true): Promise<void> {
    const wasEnded = this.#ended;
    this.#end();
    const channel = this.#channel;
    if (channel && channel.readyState !== 'closed') {
      try {
        channel.close();
      } catch {
        // Already closing.
      }
      if (linger && !wasEnded) await new Promise((r) => setTimeout(r, CLOSE_LINGER_MS));
    }
    this.pc.onicecandidate = null;
    this.pc.oniceconnectionstatechange = null;
    this.pc.onconnectionstatechange = null;
    try {
      this.pc.close();
    } catch {
      // Closing twice is harmless.
    }
  }
}
