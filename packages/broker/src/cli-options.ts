/**
 * Command line and environment → broker options. Pure apart from commander's own output: file
 * contents (TLS, API secret) are read by cli.ts from the paths returned here.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { BROKER_ERROR, BrokerError } from './errors.js';
import { LOG_LEVELS, type LogLevel } from './logger.js';
import { type BrokerOptions, DEFAULT_OPTIONS } from './options.js';

/** Environment variables, one per flag: ENKRYPTED_BROKER_ + the flag in upper snake case. */
export const ENV_PREFIX = 'ENKRYPTED_BROKER_';
/** Environment variable holding an API secret directly (instead of --api-secret-file). */
export const ENV_API_SECRET = `${ENV_PREFIX}API_SECRET`;
/** Environment variable holding the TURN shared secret directly (instead of --turn-secret-file). */
export const ENV_TURN_SECRET = `${ENV_PREFIX}TURN_SECRET`;

export interface CliPlan {
  kind: 'serve' | 'mint-token';
  options: Partial<BrokerOptions>;
  logLevel: LogLevel;
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  /** Folder of a built web app to serve on the same port (--static). */
  staticDir: string | undefined;
  apiSecretFile: string | undefined;
  /** Secret given directly through the environment (never as a flag: flags show up in `ps`). */
  apiSecretEnv: string | undefined;
  /** For mint-token: lifetime in seconds. */
  tokenTtlSeconds: number;
}

function int(name: string, min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`${name} must be a whole number`);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be ≥ ${min}`);
    return n;
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return [...(previous ?? []), ...parts];
}

function envName(flag: string): string {
  return ENV_PREFIX + flag.replace(/-/g, '_').toUpperCase();
}

function opt(flags: string, description: string, long: string): Option {
  return new Option(flags, description).env(envName(long));
}

export function buildCommand(): Command {
  const d = DEFAULT_OPTIONS;
  const cmd = new Command('enkrypted-broker')
    .description(
      'PeerJS-compatible signaling broker for Enkrypted Chat. Every flag can also be set through the ' +
        `environment variable shown (${ENV_PREFIX}<FLAG>); flags win over the environment.`,
    )
    .addOption(opt('--host <address>', 'address to listen on', 'host').default(d.host))
    .addOption(
      opt('--port <port>', 'port to listen on (0 = any free port)', 'port')
        .default(d.port)
        .argParser(int('port', 0)),
    )
    .addOption(opt('--path <path>', 'mount prefix of every route', 'path').default(d.path))
    .addOption(
      opt('--key <key>', 'PeerJS key clients must send (public, not a secret)', 'key').default(d.key),
    )
    .addOption(
      opt('--alive-timeout <ms>', 'drop a socket silent for this long', 'alive-timeout')
        .default(d.aliveTimeoutMs)
        .argParser(int('alive-timeout', 100)),
    )
    .addOption(
      opt('--expire-timeout <ms>', 'age of queued messages before EXPIRE', 'expire-timeout')
        .default(d.expireTimeoutMs)
        .argParser(int('expire-timeout', 100)),
    )
    .addOption(
      opt('--concurrent-limit <n>', 'maximum registered peers', 'concurrent-limit')
        .default(d.concurrentLimit)
        .argParser(int('concurrent-limit', 1)),
    )
    .addOption(
      opt('--per-ip-limit <n>', 'maximum open sockets per client address', 'per-ip-limit')
        .default(d.perIpLimit)
        .argParser(int('per-ip-limit', 1)),
    )
    .addOption(opt('--allow-discovery', 'serve GET {path}{key}/peers (list of ids)', 'allow-discovery'))
    .addOption(
      opt('--max-frame-bytes <n>', 'largest accepted WebSocket frame', 'max-frame-bytes')
        .default(d.maxFrameBytes)
        .argParser(int('max-frame-bytes', 1024)),
    )
    .addOption(
      opt('--rate-limit <n>', 'sustained frames per second per socket', 'rate-limit')
        .default(d.ratePerSecond)
        .argParser(int('rate-limit', 1)),
    )
    .addOption(
      opt('--rate-burst <n>', 'frames a socket may send at once', 'rate-burst')
        .default(d.rateBurst)
        .argParser(int('rate-burst', 1)),
    )
    .addOption(
      opt('--queue-messages <n>', 'frames queued per offline id', 'queue-messages')
        .default(d.maxQueuedMessagesPerPeer)
        .argParser(int('queue-messages', 0)),
    )
    .addOption(
      opt('--queue-bytes <n>', 'bytes queued per offline id', 'queue-bytes')
        .default(d.maxQueuedBytesPerPeer)
        .argParser(int('queue-bytes', 0)),
    )
    .addOption(
      opt('--queue-total-bytes <n>', 'bytes queued for all offline ids together', 'queue-total-bytes')
        .default(d.maxQueuedBytesTotal)
        .argParser(int('queue-total-bytes', 0)),
    )
    .addOption(
      opt(
        '--cors <origin>',
        'allowed CORS origin (repeatable or comma-separated; default: reflect any)',
        'cors',
      ).argParser(collect),
    )
    .addOption(
      opt(
        '--trust-proxy',
        'take the client address from X-Forwarded-For (behind a proxy only)',
        'trust-proxy',
      ),
    )
    .addOption(opt('--tls-cert <file>', 'PEM certificate chain: serve HTTPS/WSS', 'tls-cert'))
    .addOption(opt('--tls-key <file>', 'PEM private key for --tls-cert', 'tls-key'))
    .addOption(opt('--insecure', 'allow plain ws on a non-loopback address', 'insecure'))
    .addOption(
      opt(
        '--api-secret-file <file>',
        `require API tokens; file holds one or more secrets (hex or base64, ≥32 bytes, one per line; first signs). Or set ${ENV_API_SECRET}`,
        'api-secret-file',
      ),
    )
    .addOption(
      opt(
        '--turn-secret-file <file>',
        `issue TURN REST credentials (coturn static-auth-secret; first line of the file). Or set ${ENV_TURN_SECRET}`,
        'turn-secret-file',
      ),
    )
    .addOption(
      opt('--turn-url <url>', 'TURN/STUN URL handed out with credentials (repeatable)', 'turn-url').argParser(
        collect,
      ),
    )
    .addOption(
      opt('--turn-ttl <seconds>', 'lifetime of issued TURN credentials', 'turn-ttl')
        .default(d.turn.ttlSeconds)
        .argParser(int('turn-ttl', 1)),
    )
    .addOption(opt('--no-metrics', 'do not serve GET /metrics', 'metrics'))
    .addOption(
      opt(
        '--static <dir>',
        'serve a built web app (e.g. apps/web/dist) on the same port; GET {path} then serves the app',
        'static',
      ),
    )
    .addOption(
      opt(
        '--redis <url>',
        'cluster mode: share ids, routing and offline queues with every broker on this Redis (redis://host:port)',
        'redis',
      ),
    )
    .addOption(opt('--redis-prefix <prefix>', 'key prefix in Redis', 'redis-prefix').default(d.redisPrefix))
    .addOption(
      opt('--cluster-lapse <ms>', "time after which a stopped node's ids lapse", 'cluster-lapse')
        .default(d.clusterLapseMs)
        .argParser(int('cluster-lapse', 1000)),
    )
    .addOption(opt('--log-level <level>', 'log level', 'log-level').choices(LOG_LEVELS).default('info'))
    .addOption(
      new Option('--mint-token <ttl-seconds>', 'print an API token valid for this long, then exit').argParser(
        int('mint-token', 1),
      ),
    )
    .helpOption('-h, --help', 'show this help')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
  return cmd;
}

/** Parses argv (without node and script) and env; throws BrokerError or CommanderError (help/version). */
export function parseCli(argv: string[], env: Record<string, string | undefined>): CliPlan {
  const cmd = buildCommand();
  // commander reads process.env for .env(); give it exactly the environment we were handed.
  const saved = process.env;
  process.env = { ...env };
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError && err.code !== 'commander.helpDisplayed') {
      throw new BrokerError(BROKER_ERROR.invalidOption, err.message.replace(/^error: /, ''));
    }
    throw err;
  } finally {
    process.env = saved;
  }
  const v = cmd.opts();
  const tlsCertFile = v.tlsCert as string | undefined;
  const tlsKeyFile = v.tlsKey as string | undefined;
  if ((tlsCertFile === undefined) !== (tlsKeyFile === undefined)) {
    throw new BrokerError(BROKER_ERROR.tlsFiles, '--tls-cert and --tls-key go together');
  }
  const options: Partial<BrokerOptions> = {
    host: v.host,
    port: v.port,
    path: v.path,
    key: v.key,
    aliveTimeoutMs: v.aliveTimeout,
    expireTimeoutMs: v.expireTimeout,
    concurrentLimit: v.concurrentLimit,
    perIpLimit: v.perIpLimit,
    allowDiscovery: v.allowDiscovery === true || v.allowDiscovery === 'true',
    maxFrameBytes: v.maxFrameBytes,
    ratePerSecond: v.rateLimit,
    rateBurst: v.rateBurst,
    maxQueuedMessagesPerPeer: v.queueMessages,
    maxQueuedBytesPerPeer: v.queueBytes,
    maxQueuedBytesTotal: v.queueTotalBytes,
    corsOrigins: v.cors ?? [],
    trustProxy: v.trustProxy === true || v.trustProxy === 'true',
    insecure: v.insecure === true || v.insecure === 'true',
    metrics: v.metrics !== false && v.metrics !== 'false',
    turn: {
      secret: env[ENV_TURN_SECRET],
      secretFile: v.turnSecretFile as string | undefined,
      urls: (v.turnUrl as string[] | undefined) ?? [],
      ttlSeconds: v.turnTtl as number,
    },
    redisUrl: v.redis as string | undefined,
    redisPrefix: v.redisPrefix as string,
    clusterLapseMs: v.clusterLapse as number,
  };
  return {
    kind: v.mintToken !== undefined ? 'mint-token' : 'serve',
    options,
    logLevel: v.logLevel as LogLevel,
    tlsCertFile,
    tlsKeyFile,
    staticDir: v.static as string | undefined,
    apiSecretFile: v.apiSecretFile,
    apiSecretEnv: env[ENV_API_SECRET],
    tokenTtlSeconds: v.mintToken ?? 0,
  };
}

export function helpText(): string {
  return buildCommand().helpInformation();
}

/** Decodes one secret line: 64+ hex digits, or base64/base64url. */
export function decodeSecret(line: string): Uint8Array {
  const s = line.trim();
  if (/^(?:[0-9a-fA-F]{2})+$/.test(s)) return Buffer.from(s, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(s))
    return Buffer.from(s, s.includes('-') || s.includes('_') ? 'base64url' : 'base64');
  throw new BrokerError(BROKER_ERROR.apiSecret, 'API secret must be hex or base64');
}

/** Secrets from a file's text: one per line, blank lines and `#` comments ignored. */
export function parseSecrets(text: string): Uint8Array[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .map(decodeSecret);
}
