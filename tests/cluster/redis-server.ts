/**
 * A real `redis-server` (the Debian package) on a free loopback port, with persistence off, for
 * the cluster tests, the registry unit tests, the soak run and the cluster benchmark.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort, LOOPBACK } from '../support/brokers.js';

export const REDIS_SERVER_BIN = '/usr/bin/redis-server';
/** Why a suite is skipped when the binary is absent (CI installs it through scripts/system-deps.mjs). */
export const REDIS_MISSING = existsSync(REDIS_SERVER_BIN)
  ? false
  : `redis-server not installed (${REDIS_SERVER_BIN}); run scripts/system-deps.mjs or apt-get install redis-server`;
const START_TIMEOUT_MS = 15_000;

export interface RedisUnderTest {
  port: number;
  url: string;
  /** SIGKILL (no persistence: every key is gone), wait for exit. */
  kill(): Promise<void>;
  /** Start again on the same port (empty). */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Process id of the current redis-server (CPU accounting in benchmarks). */
  pid(): number;
}

/** Starts redis-server on `fixedPort` (default: a free port). */
export async function startRedis(fixedPort?: number): Promise<RedisUnderTest> {
  const port = fixedPort ?? (await freePort());
  let child: ChildProcess | undefined;
  const spawnOnce = async (): Promise<void> => {
    const c = spawn(
      REDIS_SERVER_BIN,
      [
        '--port',
        String(port),
        '--bind',
        LOOPBACK,
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'yes',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = c;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        c.kill('SIGKILL');
        reject(new Error(`redis-server did not start within ${START_TIMEOUT_MS} ms:\n${out}`));
      }, START_TIMEOUT_MS);
      c.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      c.stderr!.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
      });
      c.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}) before ready:\n${out}`));
      });
    });
    c.stdout!.resume();
  };
  const waitExit = (sig: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill(sig);
    });
  await spawnOnce();
  return {
    port,
    url: `redis://${LOOPBACK}:${port}`,
    kill: () => waitExit('SIGKILL'),
    restart: spawnOnce,
    stop: () => waitExit('SIGTERM'),
    pid: () => child?.pid ?? 0,
  };
}
