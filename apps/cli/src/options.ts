/** Turning command-line option values into the peer library's options, with a clear refusal each. */
import { isValidPeerId } from '@enkrypted/protocol';
import { CLI_ERROR, CliError } from './errors.js';

export const DEFAULT_BROKER = 'http://127.0.0.1:9000/';

export interface BrokerAddress {
  host: string;
  port: number;
  path: string;
  secure: boolean;
}

export function parseBrokerUrl(text: string): BrokerAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(CLI_ERROR.usage, `--broker: "${text}" is not a URL (e.g. ${DEFAULT_BROKER}).`);
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  if (!secure && url.protocol !== 'http:' && url.protocol !== 'ws:') {
    throw new CliError(CLI_ERROR.usage, '--broker: the URL must start with http(s):// or ws(s)://.');
  }
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port, path, secure };
}

export interface IceServer {
  urls: string;
  username?: string;
  credential?: string;
}

export interface IceInput {
  stun: readonly string[];
  turn: readonly string[];
  turnUsername?: string;
  turnCredential?: string;
}

/** STUN/TURN servers; TURN needs credentials (a TURN server without them refuses allocations). */
export function iceServers(input: IceInput): IceServer[] {
  const out: IceServer[] = [];
  for (const url of input.stun) {
    if (!/^stuns?:/.test(url)) throw new CliError(CLI_ERROR.usage, `--stun: "${url}" is not a stun: URL.`);
    out.push({ urls: url });
  }
  for (const url of input.turn) {
    if (!/^turns?:/.test(url)) throw new CliError(CLI_ERROR.usage, `--turn: "${url}" is not a turn: URL.`);
    if (input.turnUsername === undefined || input.turnCredential === undefined) {
      throw new CliError(CLI_ERROR.usage, '--turn needs --turn-username and --turn-credential.');
    }
    out.push({ urls: url, username: input.turnUsername, credential: input.turnCredential });
  }
  return out;
}

/**
 * `--bind`: keep candidates on that address, plus relay candidates (their address is the TURN
 * server's, so an address filter alone would drop every relay path).
 */
export function bindFilter(address: string): (candidate: string) => boolean {
  return (c) => c.includes(` ${address} `) || / typ relay( |$)/.test(c);
}

/** A contact's peer id: valid under the PeerJS grammar and not our own. */
export function parsePeerId(input: string, ownId: string): string {
  const id = input.trim();
  if (!isValidPeerId(id)) {
    throw new CliError(
      CLI_ERROR.invalidPeerId,
      `"${input}" is not a valid peer id: letters and digits, optionally joined by single "-", "_" or spaces.`,
    );
  }
  if (id === ownId) throw new CliError(CLI_ERROR.ownPeerId, 'That is your own id: name someone else.');
  return id;
}
