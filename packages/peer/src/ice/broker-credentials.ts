/**
 * Broker-issued TURN credentials for one Peer: fetched once the Peer is registered (the broker hands
 * them only to a registered id with its token), refreshed before they expire, and offered as
 * `iceServers` to every peer connection created after that. Credentials are secrets: never logged,
 * never put in error messages.
 */
import { PEER_ERROR, PeerError } from '../errors.js';
import type { Platform } from '../platform/types.js';
import { backoffDelay } from '../signaling/backoff.js';
import type { BrokerAddress } from '../signaling/url.js';
import {
  parseTurnCredentials,
  type TurnCredentials,
  toIceServers,
  turnCredentialsUrl,
} from './turn-credentials.js';

/** One credentials request may take this long (a broker answers in milliseconds; networks do not). */
export const TURN_FETCH_TIMEOUT_MS = 10_000;
/**
 * Refresh when this share of the lifetime has passed: with the default hour, 15 minutes before
 * expiry, which leaves room for several retries (backoff up to the reconnect maximum) if the broker
 * is briefly away.
 */
export const TURN_REFRESH_AT = 0.75;
/** Never refresh more often than this, whatever lifetime the broker grants. */
export const TURN_REFRESH_MIN_MS = 5_000;

export interface BrokerTurnCredentialsOptions {
  platform: Platform;
  address: BrokerAddress;
  /** Our id and token at the time of the request (the signaling client owns them). */
  identity(): { id: string; token: string };
  /** A refresh failed (the previous credentials stay in use until they expire). */
  onError(err: PeerError): void;
}

function refusal(status: number): PeerError {
  if (status === 401)
    return new PeerError(PEER_ERROR.invalidKey, 'the broker refused our key for TURN credentials');
  if (status === 404) return new PeerError(PEER_ERROR.serverError, 'the broker issues no TURN credentials');
  if (status === 403) {
    return new PeerError(
      PEER_ERROR.serverError,
      'the broker refused TURN credentials: this id is not registered',
    );
  }
  return new PeerError(PEER_ERROR.serverError, `the broker answered ${status} for TURN credentials`);
}

export class BrokerTurnCredentials {
  readonly #o: BrokerTurnCredentialsOptions;
  #current: TurnCredentials | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #closed = false;
  readonly #abort = new AbortController();

  constructor(options: BrokerTurnCredentialsOptions) {
    this.#o = options;
  }

  /** TURN servers with the current credentials; none once they have expired. */
  iceServers(nowMs = Date.now()): RTCIceServer[] {
    const c = this.#current;
    if (!c || c.expiresAt * 1000 <= nowMs) return [];
    return toIceServers(c);
  }

  get expiresAt(): number | undefined {
    return this.#current?.expiresAt;
  }

  /** Fetches the first credentials (rejects with a PeerError) and keeps them fresh until close(). */
  async start(): Promise<void> {
    await this.refresh();
  }

  /** Fetches new credentials now and schedules the next refresh. */
  async refresh(): Promise<void> {
    if (this.#closed) throw new PeerError(PEER_ERROR.closed, 'peer is closed');
    const { id, token } = this.#o.identity();
    const timeout = AbortSignal.timeout(TURN_FETCH_TIMEOUT_MS);
    const signal = AbortSignal.any([this.#abort.signal, timeout]);
    let res: { status: number; body: string };
    try {
      res = await this.#o.platform.postJson(
        turnCredentialsUrl(this.#o.address),
        JSON.stringify({ id, token }),
        signal,
      );
    } catch (err) {
      if (this.#closed) throw new PeerError(PEER_ERROR.closed, 'peer is closed');
      throw new PeerError(PEER_ERROR.network, 'could not reach the broker for TURN credentials', {
        cause: err,
      });
    }
    if (res.status !== 200) throw refusal(res.status);
    const creds = parseTurnCredentials(res.body);
    if (!creds) throw new PeerError(PEER_ERROR.serverError, 'the broker sent unusable TURN credentials');
    this.#current = creds;
    this.#attempt = 0;
    this.#schedule(Math.max(TURN_REFRESH_MIN_MS, creds.ttl * 1000 * TURN_REFRESH_AT));
  }

  close(): void {
    this.#closed = true;
    this.#abort.abort();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.refresh().catch((err: unknown) => {
        if (this.#closed) return;
        this.#o.onError(
          err instanceof PeerError
            ? err
            : new PeerError(PEER_ERROR.serverError, 'TURN refresh failed', { cause: err }),
        );
        this.#schedule(backoffDelay(this.#attempt++, Math.random()));
      });
    }, delayMs);
  }
}
