/**
 * The CLI under test as real processes: `node --conditions=source --import tsx apps/cli/src/cli.ts`,
 * with JSON events read line by line from stdout and waited for with generous timeouts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../../../tests/support/brokers.js';

export const CLI = join(REPO_ROOT, 'apps', 'cli', 'src', 'cli.ts');
/** Spawning tsx and a WebRTC handshake on a loaded 2-core machine: generous. */
export const WAIT_MS = 60_000;

export type Event = Record<string, unknown> & { event: string };

export interface Running {
  child: ChildProcess;
  events: Event[];
  stderr(): string;
  /** The first event (seen or future) that `match` accepts. */
  waitFor(match: (e: Event) => boolean, what: string, timeoutMs?: number): Promise<Event>;
  send(line: string): void;
  endInput(): void;
  /** Exit code once exited. */
  exited: Promise<number | null>;
  kill(): void;
}

export function runCli(args: string[], options: { cwd?: string } = {}): Running {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CLI, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const events: Event[] = [];
  const waiters = new Set<() => void>();
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as Event);
    } catch {
      events.push({ event: 'non-json', line });
    }
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const w of [...waiters]) w();
  });
  return {
    child,
    events,
    stderr: () => err,
    exited,
    send: (line) => child.stdin?.write(`${line}\n`),
    endInput: () => child.stdin?.end(),
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
    waitFor(match, what, timeoutMs = WAIT_MS) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(match);
          if (hit) {
            cleanup();
            resolve(hit);
          } else if (done) {
            cleanup();
            reject(new Error(`exited before ${what}; events ${JSON.stringify(events)}; stderr ${err}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${what}; events ${JSON.stringify(events)}; stderr ${err}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Runs a short command to completion. */
export async function runToEnd(
  args: string[],
): Promise<{ code: number | null; events: Event[]; stderr: string }> {
  const r = runCli(args);
  r.endInput();
  const code = await r.exited;
  // Let the line reader drain.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, events: r.events, stderr: r.stderr() };
}

export async function tempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'enkrypted-cli-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
