/**
 * Structured JSON logs (pino). What is logged at info: lifecycle, limits hit, counts. Peer ids only
 * at debug; tokens, keys, API tokens and payloads (SDP, ICE candidates) never.
 */
import { type Logger, pino } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({
    level,
    base: { svc: 'enkrypted-broker' },
    // Defence in depth: if a field with one of these names is ever logged, it is masked.
    redact: {
      paths: ['token', 'key', 'apiToken', 'payload', '*.token', '*.key', '*.payload'],
      censor: '[redacted]',
    },
  });
}

/** A logger that drops everything (embedding without logs, tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
