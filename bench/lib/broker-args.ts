/**
 * Flags for a broker under benchmark load: the load generator connects thousands of sockets from
 * one address and sends as fast as it can, so the per-IP and rate limits (which the abuse tests
 * cover) are lifted; logs stay at warn so logging is not what is measured.
 */
export const LOAD_BROKER_ARGS: readonly string[] = [
  '--per-ip-limit',
  '20000',
  '--rate-limit',
  '1000000',
  '--rate-burst',
  '1000000',
  '--log-level',
  'warn',
];
