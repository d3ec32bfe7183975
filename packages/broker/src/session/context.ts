/** What every session shares: one object per broker, referenced (not copied) by each session. */
import type { EventEmitter } from 'node:events';
import type { Logger } from '../logger.js';
import type { BrokerMetrics } from '../metrics.js';
import type { BrokerOptions } from '../options.js';
import type { Registry } from '../registry/registry.js';
import type { Session } from './session.js';

export interface BrokerContext {
  readonly options: BrokerOptions;
  readonly registry: Registry;
  readonly metrics: BrokerMetrics;
  readonly log: Logger;
  /** Every open socket's session (admitting, open or closing), for the sweep and shutdown. */
  readonly sessions: Set<Session>;
  readonly events: EventEmitter;
  /** Called once per socket when it closes, to return its per-IP slot. */
  releaseIp(ip: string): void;
  /** Clock in ms; injectable for tests of the sweep. */
  now(): number;
}
