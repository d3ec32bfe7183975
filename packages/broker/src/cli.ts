#!/usr/bin/env node
/**
 * `enkrypted-broker`: flags/env → createBroker → listen; logs one JSON line per event (the first
 * says where it listens, with the actual port, so `--port 0` is usable by scripts and tests).
 * SIGTERM/SIGINT close every socket with 1001 and exit 0.
 * The installed command is bin/enkrypted-broker.js, which adds the V8 flags we deploy with; run
 * through `node` directly, pass them yourself (see that file).
 */
import { readFileSync } from 'node:fs';
import { signApiToken } from './auth/api-token.js';
import { type CliPlan, helpText, parseCli, parseSecrets } from './cli-options.js';
import { BROKER_ERROR, BrokerError, isBrokerError } from './errors.js';
import { loadStaticSite } from './http/static-site.js';
import { createLogger } from './logger.js';
import { resolveOptions } from './options.js';
import { createBroker } from './server.js';

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new BrokerError(
      what === 'TLS' ? BROKER_ERROR.tlsFiles : BROKER_ERROR.apiSecret,
      `cannot read ${what} file ${path}: ${code}`,
    );
  }
}

function loadSecrets(plan: CliPlan): Uint8Array[] {
  const secrets: Uint8Array[] = [];
  if (plan.apiSecretFile)
    secrets.push(...parseSecrets(readFile(plan.apiSecretFile, 'API secret').toString('utf8')));
  if (plan.apiSecretEnv) secrets.push(...parseSecrets(plan.apiSecretEnv));
  return secrets;
}

async function main(): Promise<number> {
  let plan: CliPlan;
  try {
    plan = parseCli(process.argv.slice(2), process.env);
  } catch (err) {
    if (isBrokerError(err)) {
      process.stderr.write(`enkrypted-broker: ${err.message}\n\n${helpText()}`);
      return 2;
    }
    // --help
    process.stdout.write(helpText());
    return 0;
  }
  const log = createLogger(plan.logLevel);
  try {
    const apiSecrets = loadSecrets(plan);
    if (plan.kind === 'mint-token') {
      if (apiSecrets.length === 0) throw new BrokerError(BROKER_ERROR.apiSecret, 'no API secret configured');
      const expires = Math.floor(Date.now() / 1000) + plan.tokenTtlSeconds;
      process.stdout.write(`${signApiToken(apiSecrets[0]!, expires)}\n`);
      return 0;
    }
    const tls =
      plan.tlsCertFile && plan.tlsKeyFile
        ? { cert: readFile(plan.tlsCertFile, 'TLS'), key: readFile(plan.tlsKeyFile, 'TLS') }
        : undefined;
    const staticSite = plan.staticDir ? loadStaticSite(plan.staticDir) : undefined;
    const options = resolveOptions({ ...plan.options, tls, apiSecrets, staticSite });
    const broker = createBroker({ ...options, logger: log });
    broker.on('listening', ({ host, port, url }) => {
      // Always printed, whatever the log level: scripts read the actual port from it (--port 0).
      log.child({}, { level: 'info' }).info(
        {
          host,
          port,
          url,
          tls: options.tls !== undefined,
          apiTokens: apiSecrets.length > 0,
          aliveTimeoutMs: options.aliveTimeoutMs,
          expireTimeoutMs: options.expireTimeoutMs,
          concurrentLimit: options.concurrentLimit,
          perIpLimit: options.perIpLimit,
          // With --static, the address to open in a browser.
          app: staticSite ? url.replace(/^ws/, 'http') : undefined,
        },
        'listening',
      );
    });
    await broker.start();
    await new Promise<void>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        log.info({ signal, sockets: broker.socketCount }, 'shutting down');
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        broker.stop().then(resolve, resolve);
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
    log.info('stopped');
    return 0;
  } catch (err) {
    if (isBrokerError(err)) {
      log.fatal({ code: err.code }, err.message);
      return 2;
    }
    const e = err as NodeJS.ErrnoException;
    log.fatal({ code: e.code ?? 'error' }, e.message ?? 'start failed');
    return 1;
  }
}

process.on('uncaughtException', (err) => {
  // A bug, not bad input (bad input never throws out of a session). Log and keep serving others.
  process.stderr.write(
    `${JSON.stringify({ level: 50, msg: 'uncaught exception', err: String(err?.stack ?? err) })}\n`,
  );
});

main().then(
  (code) => {
    process.exitCode = code;
    if (code !== 0) setTimeout(() => process.exit(code), 100).unref();
  },
  () => {
    process.exitCode = 1;
  },
);
