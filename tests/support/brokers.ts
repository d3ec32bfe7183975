/**
 * Brokers under test as real processes on loopback: ours (from source through tsx) and the stock
 * `peer` server (node_modules/peer). One shape for both, so a suite is written once and run
 * against each.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LOOPBACK = '127.0.0.1';
/** Generous: spawning tsx on a loaded 2-core machine can take several seconds. */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export type BrokerName = 'enkrypted' | 'stock-peer';

export interface BrokerUnderTest {
  name: BrokerName;
  host: string;
  port: number;
  /** Mount path, always ending with `/`. */
  path: string;
  key: string;
  /** WebSocket URL for a peer; every part is percent-encoded. */
  wsUrl(id: string, token: string, key?: string): string;
  /** http://host:port + path (path relative to the server root, e.g. `/peerjs/id`). */
  httpUrl(path: string): string;
  /** SIGTERM, wait for exit. */
  stop(): Promise<void>;
  /** Send a signal (default SIGKILL), wait for exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stop and start again on the same port with the same options. */
  restart(): Promise<void>;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** The process id of the current broker process. */
  pid(): number;
  /** Exit code of the current process once it has exited (null while running or if signalled). */
  exitCode(): number | null;
}

export interface StartOptions {
  /** Extra raw CLI arguments. */
  args?: string[];
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Common settings, translated to each server's flag names. */
  expireTimeoutMs?: number;
  aliveTimeoutMs?: number;
  concurrentLimit?: number;
  allowDiscovery?: boolean;
  key?: string;
  path?: string;
  /** Run our broker from `dist/` (built JavaScript, as deployed) instead of source through tsx. */
  fromDist?: boolean;
}

/** A port that was free a moment ago (for servers that cannot listen on port 0 and report it). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, LOOPBACK);
  await once(srv, 'listening');
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

interface Launch {
  args: string[];
  env: Record<string, string>;
  /** Returns the port once the output shows the server is listening. */
  ready(line: string): number | undefined;
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

async function launch(
  name: BrokerName,
  key: string,
  path: string,
  makeLaunch: (port: number | undefined) => Promise<Launch>,
): Promise<BrokerUnderTest> {
  let child: ChildProcess;
  let port = 0;
  let out = '';

  const spawnOnce = async (fixedPort: number | undefined): Promise<void> => {
    const l = await makeLaunch(fixedPort);
    child = spawn(process.execPath, l.args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...l.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const c = child;
    let pending = '';
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        c.kill('SIGKILL');
        reject(new Error(`${name} broker did not start within ${START_TIMEOUT_MS} ms:\n${out}`));
      }, START_TIMEOUT_MS);
      const onData = (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        out += text;
        pending += text;
        let nl = pending.indexOf('\n');
        while (nl >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          const p = l.ready(line);
          if (p !== undefined) {
            clearTimeout(timer);
            resolve(p);
          }
          nl = pending.indexOf('\n');
        }
      };
      c.stdout!.on('data', onData);
      c.stderr!.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
      });
      c.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} broker exited (${code ?? signal}) before listening:\n${out}`));
      });
    });
  };

  await spawnOnce(undefined);
  const host = LOOPBACK;
  const b: BrokerUnderTest = {
    name,
    host,
    get port() {
      return port;
    },
    path,
    key,
    wsUrl(id, token, k = key) {
      const q = `key=${encodeURIComponent(k)}&id=${encodeURIComponent(id)}&token=${encodeURIComponent(token)}`;
      return `ws://${host}:${port}${path}peerjs?${q}`;
    },
    httpUrl(p) {
      return `http://${host}:${port}${p}`;
    },
    async stop() {
      child.kill('SIGTERM');
      await waitExit(child, STOP_TIMEOUT_MS);
    },
    async kill(signal = 'SIGKILL') {
      child.kill(signal);
      await waitExit(child, STOP_TIMEOUT_MS);
    },
    async restart() {
      const same = port;
      await b.stop();
      await spawnOnce(same);
    },
    output: () => out,
    pid: () => child.pid ?? 0,
    exitCode: () => child.exitCode,
  };
  return b;
}

/** The node flags of the installed command's shebang (`#!/usr/bin/env -S node <flags>`): run as deployed. */
function cliNodeFlags(): string[] {
  const bin = join(REPO_ROOT, 'packages', 'broker', 'bin', 'enkrypted-broker.js');
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!.*\bnode\b(.*)$/.exec(first);
  return m?.[1]?.trim() ? m[1].trim().split(/\s+/) : [];
}

/** Our broker, `packages/broker/src/cli.ts` run from source, listening on a free port. */
export function startOurBroker(opts: StartOptions = {}): Promise<BrokerUnderTest> {
  const key = opts.key ?? 'peerjs';
  const path = normalize(opts.path ?? '/');
  return launch('enkrypted', key, path, async (fixedPort) => {
    const entry = opts.fromDist
      ? [join('packages', 'broker', 'dist', 'cli.js')]
      : ['--conditions=source', '--import', 'tsx', join('packages', 'broker', 'src', 'cli.ts')];
    const args = [...cliNodeFlags(), ...entry, ...serverArgs(opts, fixedPort ?? 0, key, path, '-')];
    return {
      args,
      env: { ...opts.env },
      ready(line) {
        if (!line.startsWith('{')) return undefined;
        try {
          const rec = JSON.parse(line) as { msg?: string; port?: number };
          return rec.msg === 'listening' && typeof rec.port === 'number' ? rec.port : undefined;
        } catch {
          return undefined;
        }
      },
    };
  });
}

/** The stock `peer` 1.0.2 server (its CLI cannot report a port-0 choice, so a free port is picked). */
export function startStockPeerServer(opts: StartOptions = {}): Promise<BrokerUnderTest> {
  const key = opts.key ?? 'peerjs';
  const path = normalize(opts.path ?? '/');
  return launch('stock-peer', key, path, async (fixedPort) => {
    const port = fixedPort ?? (await freePort());
    const args = [
      join('node_modules', 'peer', 'dist', 'bin', 'peerjs.js'),
      ...serverArgs(opts, port, key, path, '_'),
    ];
    return {
      args,
      env: { ...opts.env },
      ready: (line) => (line.includes('Started PeerServer') ? port : undefined),
    };
  });
}

/**
 * The flags both servers share. They differ only in spelling: ours are kebab-case, the stock CLI's
 * snake_case (`--alive-timeout` vs `--alive_timeout`).
 */
function serverArgs(opts: StartOptions, port: number, key: string, path: string, sep: '-' | '_'): string[] {
  const flag = (name: string) => `--${name.replaceAll('-', sep)}`;
  const args = ['--port', String(port), '--host', LOOPBACK, '--key', key, '--path', path];
  if (opts.expireTimeoutMs !== undefined) args.push(flag('expire-timeout'), String(opts.expireTimeoutMs));
  if (opts.aliveTimeoutMs !== undefined) args.push(flag('alive-timeout'), String(opts.aliveTimeoutMs));
  if (opts.concurrentLimit !== undefined) args.push(flag('concurrent-limit'), String(opts.concurrentLimit));
  if (opts.allowDiscovery) args.push(flag('allow-discovery'));
  args.push(...(opts.args ?? []));
  return args;
}

function normalize(p: string): string {
  let s = p.startsWith('/') ? p : `/${p}`;
  if (!s.endsWith('/')) s = `${s}/`;
  return s;
}
