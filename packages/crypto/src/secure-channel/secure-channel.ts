/**
 * The P6 outbound and inbound paths of a session once the handshake reached Ready. It is the only
 * way to produce or accept a `message` PDU (a SecureChannel exists only after Ready, P3.3).
 *
 * Outbound (P6.2): plaintext → cascade MLS → Signal → ML-KEM → AES, wrapped in `encryptedMessage`
 * of a `message` with a fresh random messageId, split into `__mls_chunk__` PDUs when the ciphertext
 * is over CHUNK_SIZE_BYTES. Every layer authenticates the sessionId and the messageId (cascade AD),
 * so a ciphertext cannot be replayed under another messageId or into another session.
 *
 * Inbound (P6.3, P8.2): size cap before parse (decodePdu), unknown types dropped (null), chunks and
 * messages through the per-peer reassembler (P8.4 limits, messageId replay window, never a partial
 * payload), then the cascade in reverse, which fails closed: any failure throws a typed error and
 * leaves every layer's state as it was. `rotation-timestamp-broadcast` rotates the AES layer.
 *
 * Operations run one at a time (layers hold one state for both directions).
 */
import {
  CHUNK_ERROR,
  decodePdu,
  encodeBase64url,
  encodeMessageFrames,
  encodePdu,
  isProtocolError,
  KEY_BYTES,
  MAX_REASSEMBLED_BYTES,
  type MessagePdu,
  PDU_ERROR,
  PDU_TYPE,
  ProtocolError,
  type ProtocolErrorPdu,
  Reassembler,
  type ReassemblerOptions,
  SESSION_ERROR,
  type CascadedPayload as WirePayload,
} from '@enkrypted/protocol';
import type { CiphersuiteImpl } from 'ts-mls';
import { AesGcmLayer, type AesLayerState } from '../aes/aes-layer.js';
import { Cascade } from '../cascade/cascade.js';
import { concatBytes, fromBase64, toBase64, utf8 } from '../encoding.js';
import { CRYPTO_ERROR, CryptoError } from '../errors.js';
import type { PinCheck } from '../identity/contact-pins.js';
import {
  type PublicIdentity,
  type PublicIdentityJson,
  publicIdentityFromJson,
  publicIdentityToJson,
} from '../identity/identity-keys.js';
import { computeSafetyNumber, type SafetyNumber } from '../identity/safety-number.js';
import { MlKemLayer, type MlKemLayerState } from '../mlkem/mlkem-layer.js';
import { MlsLayer } from '../mls/mls-layer.js';
import { makeMlsCiphersuite } from '../mls/provider.js';
import { type RandomBytes, webCryptoRandom } from '../random.js';
import { SignalLayer, type SignalSessionJson } from '../signal/signal-layer.js';
import { payloadFromWire, payloadToWire } from './payload.js';

export type ChannelRole = 'initiator' | 'responder';

export interface SecureChannelLayers {
  readonly mls: MlsLayer;
  readonly signal: SignalLayer;
  readonly mlkem: MlKemLayer;
  readonly aes: AesGcmLayer;
}

export interface SecureChannelInit {
  readonly sessionId: string;
  readonly role: ChannelRole;
  readonly layers: SecureChannelLayers;
  readonly localIdentity: PublicIdentity;
  readonly remoteIdentity: PublicIdentity;
  /** TOFU outcome of the handshake (absent after importState). */
  readonly pin?: PinCheck;
}

export interface SecureChannelOptions {
  readonly random?: RandomBytes;
  /** Wall clock (ms) for timestamps, rotations and reassembly timeouts. */
  readonly now?: () => number;
  /** Monotonic clock (ms) for the informative processing times (vectors fix it). */
  readonly elapsed?: () => number;
  readonly reassembler?: Omit<ReassemblerOptions, 'now'>;
  /** Called with each `protocol-error` the peer sends after Ready. */
  readonly onPeerError?: (pdu: ProtocolErrorPdu) => void;
}

/**
 * Largest plaintext `seal` accepts. The ciphertext must fit the reassembler's MAX_REASSEMBLED_BYTES
 * (16 MiB); the four layers add well under 1 KiB, so 64 KiB of headroom is generous. Checked before
 * encrypting, so an oversized message never advances any layer.
 */
export const MAX_PLAINTEXT_BYTES = MAX_REASSEMBLED_BYTES - 64 * 1024;

/** Cascade associated data: sessionId ‖ 0x00 ‖ messageId (both printable ASCII, so unambiguous). */
export function channelMessageAd(sessionId: string, messageId: string): Uint8Array {
  return concatBytes(utf8(sessionId), Uint8Array.of(0), utf8(messageId));
}

export class SecureChannel {
  readonly sessionId: string;
  readonly role: ChannelRole;
  readonly localIdentity: PublicIdentity;
  readonly remoteIdentity: PublicIdentity;
  readonly pin: PinCheck | undefined;
  readonly #layers: SecureChannelLayers;
  readonly #cascade: Cascade;
  readonly #reassembler: Reassembler;
  readonly #random: RandomBytes;
  readonly #now: () => number;
  readonly #onPeerError: ((pdu: ProtocolErrorPdu) => void) | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** Set when the peer ended the session with a fatal `protocol-error`: nothing is sealed or opened after. */
  #endedByPeer: string | undefined;
  #confirmedByPeer = false;

  constructor(init: SecureChannelInit, options: SecureChannelOptions = {}) {
    this.sessionId = init.sessionId;
    this.role = init.role;
    this.localIdentity = init.localIdentity;
    this.remoteIdentity = init.remoteIdentity;
    this.pin = init.pin;
    this.#layers = init.layers;
    this.#random = options.random ?? webCryptoRandom;
    this.#now = options.now ?? Date.now;
    this.#onPeerError = options.onPeerError;
    const { mls, signal, mlkem, aes } = init.layers;
    this.#cascade = new Cascade([mls, signal, mlkem, aes], {
      now: this.#now,
      random: this.#random,
      ...(options.elapsed ? { elapsed: options.elapsed } : {}),
    });
    this.#reassembler = new Reassembler({ ...options.reassembler, now: this.#now });
  }

  /** The wire code of the fatal `protocol-error` that ended this channel, if any. */
  get endedByPeer(): string | undefined {
    return this.#endedByPeer;
  }

  /**
   * True once a `message` of the peer opened through every layer. Ready means we verified the peer;
   * `handshake-finished` is each side's last PDU, so only the peer's first authenticated message
   * (keyed from the transcript both signed) proves the peer verified us and reached Ready too
   * (docs/protocol.md §3.6). Until then an app shows what it sent as not yet delivered.
   */
  get confirmedByPeer(): boolean {
    return this.#confirmedByPeer;
  }

  /** Current AES rotation timestamp. */
  get rotation(): number {
    return this.#layers.aes.rotation;
  }

  /** Unfinished chunked messages being reassembled. */
  get pendingReassemblies(): number {
    return this.#reassembler.pending;
  }

  /** The 60-digit safety number of this session's two identities (stable ids chosen by the app). */
  safetyNumber(localStableId: string, remoteStableId: string): SafetyNumber {
    return computeSafetyNumber(
      { identity: this.localIdentity, stableId: localStableId },
      { identity: this.remoteIdentity, stableId: remoteStableId },
    );
  }

  /** Encrypts `plaintext` into the data-channel frames of one `message` (header, then chunks). */
  seal(plaintext: Uint8Array): Promise<string[]> {
    return this.#serialise(async () => {
      if (!(plaintext instanceof Uint8Array))
        throw new CryptoError(CRYPTO_ERROR.malformed, 'plaintext must be bytes');
      if (plaintext.length > MAX_PLAINTEXT_BYTES) {
        throw new CryptoError(CRYPTO_ERROR.encryptFailed, `plaintext over ${MAX_PLAINTEXT_BYTES} bytes`);
      }
      const messageId = encodeBase64url(this.#random(KEY_BYTES.id));
      const payload = await this.#cascade.encrypt(plaintext, channelMessageAd(this.sessionId, messageId));
      const msg: MessagePdu = {
        type: PDU_TYPE.message,
        messageId,
        encryptedMessage: { encrypted: true, cascaded: true, cascadedPayload: payloadToWire(payload) },
      };
      return encodeMessageFrames(msg);
    });
  }

  /**
   * Processes one inbound frame. Returns the plaintext of a complete message, or null for a frame
   * that completes nothing (a chunk of an unfinished message, a rotation, an ignored type). Throws
   * ProtocolError (PDU_*, CHUNK_*, MESSAGE_REPLAYED) or CryptoError (CRYPTO_*) for a frame to drop;
   * no plaintext is ever returned for a message that did not authenticate in every layer.
   */
  open(frame: string | Uint8Array): Promise<Uint8Array | null> {
    return this.#serialise(async () => {
      let pdu: ReturnType<typeof decodePdu>;
      try {
        pdu = decodePdu(frame);
      } catch (err) {
        if (isProtocolError(err, PDU_ERROR.unknownType)) return null;
        throw err;
      }
      switch (pdu.type) {
        case PDU_TYPE.message:
        case PDU_TYPE.chunk: {
          if (pdu.type === PDU_TYPE.message && !pdu.encryptedMessage.cascaded) {
            // The MLS-only fallback would skip three layers: refused as a downgrade.
            throw new ProtocolError(
              SESSION_ERROR.encryptionRequired,
              'MLS-only message refused: cascade required',
            );
          }
          const r = this.#reassembler.push(pdu);
          if (r.status === 'pending') return null;
          return this.#decrypt(r.message);
        }
        case PDU_TYPE.rotationTimestampBroadcast:
          this.#checkSession(pdu.sessionId);
          await this.#layers.aes.rotate(pdu.rotationTimestamp);
          return null;
        case PDU_TYPE.protocolError:
          if (pdu.fatal) this.#endedByPeer = pdu.code;
          this.#onPeerError?.(pdu);
          return null;
        default:
          // Handshake PDUs after Ready (late duplicates, a peer's retry): ignored (P8.2).
          return null;
      }
    });
  }

  /**
   * Rotates the AES layer to `timestamp` (default now) and returns the `rotation-timestamp-broadcast`
   * frame to send. The peer keeps accepting the previous rotation for AES_ROTATION_GRACE_MS.
   */
  rotate(timestamp?: number): Promise<string> {
    return this.#serialise(async () => {
      const t = timestamp ?? Math.max(this.#now(), this.rotation + 1);
      await this.#layers.aes.rotate(t);
      return encodePdu({
        type: PDU_TYPE.rotationTimestampBroadcast,
        sessionId: this.sessionId,
        rotationTimestamp: t,
      });
    });
  }

  /** Drops reassemblies past their deadline (the owner may call this from a timer). */
  expireReassemblies(): string[] {
    return this.#reassembler.expire();
  }

  #checkSession(sessionId: string): void {
    if (sessionId !== this.sessionId) {
      throw new ProtocolError(CHUNK_ERROR.inconsistent, 'PDU of another session');
    }
  }

  async #decrypt(msg: MessagePdu): Promise<Uint8Array> {
    const em = msg.encryptedMessage;
    if (!em.cascaded) throw new ProtocolError(SESSION_ERROR.encryptionRequired, 'cascade required');
    const payload = payloadFromWire(em.cascadedPayload as WirePayload);
    const plaintext = await this.#cascade.decrypt(payload, channelMessageAd(this.sessionId, msg.messageId));
    this.#confirmedByPeer = true;
    return plaintext;
  }

  #serialise<T>(op: () => Promise<T>): Promise<T> {
    const guarded = () => {
      if (this.#endedByPeer !== undefined) {
        return Promise.reject(new CryptoError(CRYPTO_ERROR.notReady, 'the peer ended this session'));
      }
      return op();
    };
    const run = this.#queue.then(guarded, guarded);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Serialisable state for resumption after a transport outage (P7.4: Disconnected → Ready when both
   * sides kept state). It holds every layer's secrets: store it encrypted, and never resume the same
   * exported state twice (nonces and ratchets would repeat). The reassembler and its replay window
   * are not kept: a resumed channel starts with none in flight, and the layers reject replays.
   */
  exportState(): Promise<SecureChannelState> {
    return this.#serialise(async () => ({
      v: SECURE_CHANNEL_STATE_VERSION,
      sessionId: this.sessionId,
      role: this.role,
      localIdentity: publicIdentityToJson(this.localIdentity),
      remoteIdentity: publicIdentityToJson(this.remoteIdentity),
      mls: toBase64(this.#layers.mls.exportState()),
      signal: this.#layers.signal.toJSON(),
      mlkem: this.#layers.mlkem.exportState(),
      aes: this.#layers.aes.exportState(),
    }));
  }

  /** Rebuilds a channel from exportState(); throws CRYPTO_MALFORMED on anything inconsistent. */
  static async importState(
    state: SecureChannelState,
    options: SecureChannelOptions & { mlsSuite?: CiphersuiteImpl } = {},
  ): Promise<SecureChannel> {
    if (
      state?.v !== SECURE_CHANNEL_STATE_VERSION ||
      (state.role !== 'initiator' && state.role !== 'responder')
    ) {
      throw new CryptoError(CRYPTO_ERROR.malformed, 'not a secure channel state');
    }
    if (
      typeof state.sessionId !== 'string' ||
      state.mlkem?.role !== state.role ||
      state.aes?.role !== state.role
    ) {
      throw new CryptoError(CRYPTO_ERROR.malformed, 'inconsistent secure channel state');
    }
    const random = options.random ?? webCryptoRandom;
    const now = options.now ?? Date.now;
    const suite = options.mlsSuite ?? (await makeMlsCiphersuite(random));
    const layers: SecureChannelLayers = {
      mls: MlsLayer.importState(fromBase64(state.mls), suite),
      signal: SignalLayer.fromJSON(state.signal, random),
      mlkem: MlKemLayer.importState(state.mlkem, { random, now }),
      aes: await AesGcmLayer.importState(state.aes, { now }),
    };
    return new SecureChannel(
      {
        sessionId: state.sessionId,
        role: state.role,
        layers,
        localIdentity: publicIdentityFromJson(state.localIdentity),
        remoteIdentity: publicIdentityFromJson(state.remoteIdentity),
      },
      options,
    );
  }
}

export const SECURE_CHANNEL_STATE_VERSION = 1;

/** JSON-safe state of a SecureChannel (contains secrets). */
export interface SecureChannelState {
  readonly v: typeof SECURE_CHANNEL_STATE_VERSION;
  readonly sessionId: string;
  readonly role: ChannelRole;
  readonly localIdentity: PublicIdentityJson;
  readonly remoteIdentity: PublicIdentityJson;
  /** TLS-encoded MLS GroupState, base64. */
  readonly mls: string;
  readonly signal: SignalSessionJson;
  readonly mlkem: MlKemLayerState;
  readonly aes: AesLayerState;
}
