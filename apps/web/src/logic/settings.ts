/**
 * User settings, their defaults, and the parsing of the two that come as text (broker URL, ICE
 * servers). Pure.
 */
import type { BrokerAddress } from '@enkrypted/peer';
import { WEB_ERROR, WebError } from './errors.js';

export interface IceServerSetting {
  readonly urls: string;
  readonly username?: string;
  readonly credential?: string;
}

export interface Settings {
  /** Empty: the origin that served the app (the broker serves it, ch. P0 one-port deployment). */
  readonly brokerUrl: string;
  readonly iceServers: readonly IceServerSetting[];
  /** Force every path through TURN (ch. 3.3): hides IP addresses from the peer. */
  readonly relayOnly: boolean;
  /** Ask the broker for short-lived TURN credentials (docs/turn.md) on top of `iceServers`. */
  readonly turnFromBroker: boolean;
  readonly sendDeliveryReceipts: boolean;
  readonly sendReadReceipts: boolean;
  readonly sendTyping: boolean;
  /** DEBUG ONLY: chat without end-to-end encryption (P2.4.4). Off by default, loudly marked. */
  readonly debugUnencrypted: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  brokerUrl: '',
  iceServers: [],
  relayOnly: false,
  turnFromBroker: false,
  sendDeliveryReceipts: true,
  sendReadReceipts: true,
  sendTyping: true,
  debugUnencrypted: false,
};

/** Merges stored values over the defaults, keeping only well-typed fields (old or hostile data). */
export function normaliseSettings(value: unknown): Settings {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const bool = (k: keyof Settings): boolean =>
    typeof v[k] === 'boolean' ? (v[k] as boolean) : (DEFAULT_SETTINGS[k] as boolean);
  const ice = Array.isArray(v.iceServers) ? v.iceServers.filter(isIceServer) : [];
  return {
    brokerUrl: typeof v.brokerUrl === 'string' ? v.brokerUrl : '',
    iceServers: ice,
    relayOnly: bool('relayOnly'),
    turnFromBroker: bool('turnFromBroker'),
    sendDeliveryReceipts: bool('sendDeliveryReceipts'),
    sendReadReceipts: bool('sendReadReceipts'),
    sendTyping: bool('sendTyping'),
    debugUnencrypted: bool('debugUnencrypted'),
  };
}

function isIceServer(value: unknown): value is IceServerSetting {
  const s = value as Partial<IceServerSetting> | null;
  return typeof s === 'object' && s !== null && typeof s.urls === 'string';
}

/**
 * The broker for a URL the user typed (http(s) or ws(s), optional path), or for the page's own
 * origin when the setting is empty.
 */
export function brokerAddress(setting: string, pageUrl: string): BrokerAddress {
  const text = setting.trim() === '' ? pageUrl : setting.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebError(WEB_ERROR.invalidSetting, 'The broker URL is not a valid URL.');
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  if (!secure && url.protocol !== 'http:' && url.protocol !== 'ws:') {
    throw new WebError(WEB_ERROR.invalidSetting, 'The broker URL must start with http(s):// or ws(s)://.');
  }
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  // The page's own path (e.g. /index.html) is not the broker's mount path: keep directories only.
  const path = setting.trim() === '' ? url.pathname.replace(/[^/]*$/, '') : url.pathname;
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port, path: path === '' ? '/' : path, secure };
}

/**
 * Parses the ICE servers textarea: one server per line, `url [username credential]`. Refuses lines
 * that are not stun:/turn:/turns: URLs, and TURN lines without credentials.
 */
export function parseIceServers(text: string): IceServerSetting[] {
  const out: IceServerSetting[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [urls, username, credential, ...rest] = line.split(/\s+/);
    const where = `line ${i + 1}`;
    if (!urls || !/^(stun|turns?):[^\s]+$/.test(urls) || rest.length > 0) {
      throw new WebError(
        WEB_ERROR.invalidSetting,
        `ICE server ${where}: write "stun:host:port" or "turn:host:port user password".`,
      );
    }
    if (urls.startsWith('turn') && (username === undefined || credential === undefined)) {
      throw new WebError(
        WEB_ERROR.invalidSetting,
        `ICE server ${where}: a TURN server needs a username and a password.`,
      );
    }
    out.push(username !== undefined && credential !== undefined ? { urls, username, credential } : { urls });
  }
  return out;
}

export function formatIceServers(servers: readonly IceServerSetting[]): string {
  return servers
    .map((s) => [s.urls, s.username, s.credential].filter((x) => x !== undefined).join(' '))
    .join('\n');
}
