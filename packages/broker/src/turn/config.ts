/**
 * TURN settings of the broker: which shared secret mints credentials, which TURN/STUN URLs are
 * handed out with them, and for how long they are valid. Resolved once at start: the secret file is
 * read here (the only file this module touches), so the running broker holds the secret text only.
 */
import { readFileSync } from 'node:fs';
import { BROKER_ERROR, BrokerError } from '../errors.js';
import {
  DEFAULT_TURN_TTL_SECONDS,
  MAX_TURN_TTL_SECONDS,
  MAX_TURN_URL_CHARS,
  MAX_TURN_URLS,
  MIN_TURN_TTL_SECONDS,
  TURN_SECRET_MAX_CHARS,
  TURN_SECRET_MIN_CHARS,
} from './limits.js';

export interface TurnOptions {
  /** The coturn `static-auth-secret` text. Unset (and no file) = the credentials endpoint is off. */
  secret: string | undefined;
  /** A file whose first line (blank lines and `#` comments skipped) is the secret; read at start. */
  secretFile: string | undefined;
  /** `turn:`, `turns:` and `stun:` URLs handed out with the credentials (RFC 7064/7065 syntax). */
  urls: string[];
  /** Credential lifetime in seconds. */
  ttlSeconds: number;
}

export const DEFAULT_TURN_OPTIONS: Readonly<TurnOptions> = Object.freeze({
  secret: undefined,
  secretFile: undefined,
  urls: [],
  ttlSeconds: DEFAULT_TURN_TTL_SECONDS,
});

/**
 * RFC 7064/7065 URIs: scheme, host (name, IPv4 or [IPv6]), optional port, optional transport. No
 * userinfo: credentials never travel inside the URL.
 */
const TURN_URL =
  /^(?:stuns?|turns?):(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?(?:\?transport=(?:udp|tcp))?$/;

function invalid(message: string): BrokerError {
  return new BrokerError(BROKER_ERROR.invalidOption, message);
}

/** The secret from a file's text: its first line that is neither blank nor a `#` comment. */
export function secretFromText(text: string): string | undefined {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length > 0 && !line.startsWith('#')) return line;
  }
  return undefined;
}

function readSecretFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw invalid(`cannot read TURN secret file ${path}: ${code}`);
  }
  const secret = secretFromText(text);
  if (secret === undefined) throw invalid(`TURN secret file ${path} holds no secret`);
  return secret;
}

/** Reads the secret file if one is named, then validates; throws BrokerError(BROKER_INVALID_OPTION). */
export function resolveTurnOptions(input: Partial<TurnOptions> | undefined): TurnOptions {
  const o: TurnOptions = { ...DEFAULT_TURN_OPTIONS, ...(input ?? {}) };
  const fromFile = o.secretFile !== undefined ? readSecretFile(o.secretFile) : undefined;
  const secret = fromFile ?? o.secret;
  if (secret !== undefined) {
    // The message names the rule, never the value.
    if (secret.length < TURN_SECRET_MIN_CHARS || secret.length > TURN_SECRET_MAX_CHARS) {
      throw invalid(
        `the TURN secret must be ${TURN_SECRET_MIN_CHARS}–${TURN_SECRET_MAX_CHARS} characters (openssl rand -hex 32)`,
      );
    }
    if (!/^[\x21-\x7e]+$/.test(secret)) {
      throw invalid('the TURN secret must be printable ASCII without spaces (as in turnserver.conf)');
    }
  }
  if (
    !Number.isInteger(o.ttlSeconds) ||
    o.ttlSeconds < MIN_TURN_TTL_SECONDS ||
    o.ttlSeconds > MAX_TURN_TTL_SECONDS
  ) {
    throw invalid(
      `turn ttl must be an integer in [${MIN_TURN_TTL_SECONDS}, ${MAX_TURN_TTL_SECONDS}] seconds`,
    );
  }
  if (!Array.isArray(o.urls) || o.urls.length > MAX_TURN_URLS) {
    throw invalid(`at most ${MAX_TURN_URLS} TURN URLs`);
  }
  for (const url of o.urls) {
    if (typeof url !== 'string' || url.length > MAX_TURN_URL_CHARS || !TURN_URL.test(url)) {
      throw invalid('TURN URLs look like turn:host:3478?transport=udp, turns:host:5349 or stun:host:3478');
    }
  }
  if (secret !== undefined && !o.urls.some((u) => u.startsWith('turn'))) {
    throw invalid('a TURN secret needs at least one turn: or turns: URL to hand out (--turn-url)');
  }
  return { secret, secretFile: undefined, urls: [...o.urls], ttlSeconds: o.ttlSeconds };
}
