/**
 * A real coturn (`turnserver`, Debian package) for the TURN tests, on loopback:
 *
 * - it listens on 127.0.0.1 (UDP and TCP) and answers TURN REST credentials (`use-auth-secret`)
 *   with a secret written to its config file (never on the command line, where `ps` shows it);
 * - its relay addresses are on 127.0.0.2, another loopback address. TURN permissions are per IP
 *   (RFC 8656 §9): if peers and relays shared 127.0.0.1, a packet sent straight from a peer's host
 *   socket to the other side's relay address would pass the permission the other side installed for
 *   our relay address, and ICE would select a host↔relay pair. With distinct addresses only
 *   relay↔relay can work, as in any real deployment where the TURN server is not the peer's host;
 * - loopback peers are allowed (`allow-loopback-peers`), which production configurations must not
 *   do (docs/turn.md).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/brokers.js';

export const TURNSERVER = '/usr/bin/turnserver';
/** A reason to skip TURN tests when the test command could not install coturn, else false. */
export const COTURN_MISSING: string | false = !existsSync(TURNSERVER) && `${TURNSERVER} missing`;
export const TURN_REALM = 'enkrypted.test';
export const RELAY_IP = '127.0.0.2';
/** Generous: turnserver starts in well under a second, but the machine is shared and loaded. */
const READY_TIMEOUT_MS = 20_000;

export interface Coturn {
  port: number;
  secret: string;
  /** `turn:127.0.0.1:<port>?transport=udp` and `…tcp`. */
  urls: string[];
  output(): string;
  stop(): Promise<void>;
}

/** One STUN Binding request (RFC 8489 §5): type 0x0001, length 0, magic cookie, transaction id. */
function bindingRequest(): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt16BE(0x0001, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt32BE(0x2112a442, 4);
  randomBytes(12).copy(b, 8);
  return b;
}

/** Resolves once the server answers a STUN Binding request on UDP. */
async function waitForStun(port: number, child: ChildProcess): Promise<void> {
  const sock = createSocket('udp4');
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (child.exitCode !== null) return reject(new Error(`turnserver exited with ${child.exitCode}`));
        if (Date.now() > deadline) return reject(new Error('turnserver did not answer STUN in time'));
        sock.send(bindingRequest(), port, '127.0.0.1');
      }, 100);
      sock.on('message', () => {
        clearInterval(timer);
        resolve();
      });
      sock.on('error', (err) => {
        clearInterval(timer);
        reject(err);
      });
    });
  } finally {
    sock.close();
  }
}

/**
 * Relay ports per server. Allocations of closed connections stay until their lifetime (10 min)
 * ends, so a range must cover every allocation a test file or benchmark makes.
 */
const DEFAULT_RELAY_PORTS = 100;

export async function startCoturn(options: { secret?: string; relayPorts?: number } = {}): Promise<Coturn> {
  const secret = options.secret ?? randomBytes(32).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'coturn-'));
  const port = await freePort();
  // A small relay range, random per server so parallel test files do not compete for ports.
  const relayPorts = options.relayPorts ?? DEFAULT_RELAY_PORTS;
  const minPort = 50_000 + Math.floor(Math.random() * (15_000 - relayPorts));
  const config = [
    'listening-ip=127.0.0.1',
    `listening-port=${port}`,
    `relay-ip=${RELAY_IP}`,
    `min-port=${minPort}`,
    `max-port=${minPort + relayPorts - 1}`,
    'use-auth-secret',
    `static-auth-secret=${secret}`,
    `realm=${TURN_REALM}`,
    'allow-loopback-peers',
    'no-cli',
    'no-tls',
    'no-dtls',
    'fingerprint',
    'no-software-attribute',
    'log-file=stdout',
    'simple-log',
    `pidfile=${join(dir, 'turnserver.pid')}`,
    `userdb=${join(dir, 'turndb')}`,
  ].join('\n');
  const configFile = join(dir, 'turnserver.conf');
  writeFileSync(configFile, `${config}\n`, { mode: 0o600 });
  const child = spawn(TURNSERVER, ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForStun(port, child);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${out}`);
  }
  return {
    port,
    secret,
    urls: [`turn:127.0.0.1:${port}?transport=udp`, `turn:127.0.0.1:${port}?transport=tcp`],
    output: () => out,
    stop,
  };
}
