/**
 * `enkrypted`: the terminal client. Argument parsing (commander), the commands, and the one place
 * where errors become messages and exit codes: no stack trace ever reaches the user.
 */
import { readFile, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename } from 'node:path';
import { MAX_FILE_BYTES } from '@enkrypted/chat';
import { ContactPins, computeSafetyNumber, isCryptoError, publicIdentityFromJson } from '@enkrypted/crypto';
import { isPeerError, PEER_ERROR, Peer } from '@enkrypted/peer';
import { Command, CommanderError, Option } from 'commander';
import { CLI_ERROR, CliError, EXIT_CODE, isCliError } from './errors.js';
import { DEFAULT_HOME, Home } from './home.js';
import { ChatLink } from './link.js';
import { bindFilter, DEFAULT_BROKER, iceServers, parseBrokerUrl, parsePeerId } from './options.js';
import { Reporter } from './output.js';

/** Registration with the broker: generous for a loaded machine, short enough to fail visibly. */
const BROKER_TIMEOUT_MS = 20_000;
/**
 * Pause between closing the session and leaving the process, so the data channel's close reaches
 * the contact (who then sees a clean close rather than a lost transport it tries to recover).
 */
const CLOSE_FLUSH_MS = 300;
/** Printed before a fast-path transfer starts: the user must not mistake it for an encrypted one. */
const FAST_PATH_WARNING =
  'FAST PATH: the file content travels with DTLS only, NOT end-to-end encrypted (name, size and SHA-256 still go through the encrypted session).';
/** After stdin ends, how long to wait for delivery receipts of the last messages before leaving. */
const EOF_LINGER_MS = 10_000;

interface GlobalOptions {
  home: string;
  broker: string;
  id?: string;
  stun: string[];
  turn: string[];
  turnUsername?: string;
  turnCredential?: string;
  relayOnly?: boolean;
  turnFromBroker?: boolean;
  json?: boolean;
  bind?: string;
  name?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const reporter = new Reporter(process.argv.includes('--json'));
/** Cleanup of the running command (session, peer), run once before the process exits. */
let cleanup: (() => Promise<void>) | undefined;
let exiting = false;

async function exit(code: number): Promise<never> {
  if (!exiting) {
    exiting = true;
    reporter.close();
    await cleanup?.().catch(() => undefined);
  }
  // node-datachannel keeps native handles alive a while after close: leave explicitly.
  process.exit(code);
}

function fail(err: unknown): Promise<never> {
  const e = describe(err);
  reporter.emit({ event: 'error', code: e.code, message: e.message });
  return exit(EXIT_CODE[e.code as keyof typeof EXIT_CODE] ?? 1);
}

function describe(err: unknown): { code: string; message: string } {
  if (isCliError(err)) return { code: err.code, message: err.message };
  if (isPeerError(err, PEER_ERROR.peerUnavailable))
    return { code: CLI_ERROR.peerUnavailable, message: err.message };
  if (isPeerError(err)) return { code: CLI_ERROR.broker, message: `Broker: ${err.message} (${err.code})` };
  if (isCryptoError(err)) return { code: err.code, message: err.message };
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) {
    return { code: CLI_ERROR.homeInsecure, message: `${(err as Error).message}` };
  }
  return { code: CLI_ERROR.connection, message: err instanceof Error ? err.message : String(err) };
}

async function loadProfile(g: GlobalOptions) {
  const home = await Home.open(g.home);
  const { profile, created } = await home.profile();
  const ownId = g.id === undefined ? profile.peerId : parsePeerId(g.id, '');
  return { home, profile, created, ownId };
}

async function connect(g: GlobalOptions, remote: string, extra: { wait: boolean; downloads: string }) {
  const { home, profile, ownId } = await loadProfile(g);
  const remoteId = parsePeerId(remote, ownId);
  const broker = parseBrokerUrl(g.broker);
  const servers = iceServers({
    stun: g.stun,
    turn: g.turn,
    turnUsername: g.turnUsername,
    turnCredential: g.turnCredential,
  });
  const bind = g.bind;
  const peer = await Peer.open(
    {
      ...broker,
      id: ownId,
      token: ownId === profile.peerId ? profile.token : undefined,
      iceServers: servers,
      iceTransportPolicy: g.relayOnly ? 'relay' : 'all',
      ...(g.turnFromBroker ? { turn: 'broker' as const } : {}),
      ...(bind ? { bindAddress: bind, candidateFilter: bindFilter(bind) } : {}),
    },
    { timeoutMs: BROKER_TIMEOUT_MS },
  );
  const pins = new ContactPins({ storage: home.pinStorage() });
  let link: ChatLink | undefined;
  cleanup = async () => {
    await link?.close();
    await new Promise((resolve) => setTimeout(resolve, CLOSE_FLUSH_MS));
    peer.close();
  };
  link = new ChatLink({
    peer,
    ownId,
    remoteId,
    identity: profile.identity,
    pins,
    home,
    reporter,
    name: g.name ?? userInfo().username,
    wait: extra.wait,
    downloads: extra.downloads,
    onFatal: (err) => void fail(err),
    onRemoteClosed: () => void exit(0),
  });
  if (extra.wait) reporter.emit({ event: 'listening', id: ownId });
  link.start();
  return link;
}

function program(): Command {
  const p = new Command('enkrypted')
    .description('End-to-end encrypted chat over WebRTC (Enkrypted Chat), in the terminal.')
    .option('--home <dir>', 'identity, pins and contacts folder', DEFAULT_HOME)
    .option('--broker <url>', 'signaling broker URL', DEFAULT_BROKER)
    .option('--id <peer-id>', 'own peer id (default: the one created with the identity)')
    .option('--stun <url>', 'STUN server (repeatable)', collect, [])
    .option('--turn <url>', 'TURN server (repeatable; needs --turn-username/--turn-credential)', collect, [])
    .option('--turn-username <name>', 'TURN user name')
    .option('--turn-credential <secret>', 'TURN credential')
    .option('--relay-only', 'use TURN relays only (hides your address from the contact)')
    .option('--turn-from-broker', 'use short-lived TURN credentials issued by the broker (docs/turn.md)')
    .option('--json', 'one JSON event per stdout line; stdin lines are messages')
    .option('--name <name>', 'display name announced to contacts')
    .addOption(new Option('--bind <address>', 'local address for WebRTC (e.g. 127.0.0.1)').hideHelp())
    .showHelpAfterError(false)
    .exitOverride()
    // Our own error line replaces commander's; in --json mode stderr-help would only be noise.
    .configureOutput({
      outputError: () => undefined,
      writeErr: (text) => {
        if (!reporter.json) process.stderr.write(text);
      },
    });

  p.command('id')
    .description('print your peer id (creates the identity on first use)')
    .action(async (_o, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { ownId, created, home } = await loadProfile(g);
      reporter.emit({ event: 'id', id: ownId, created, home: home.dir });
      await exit(0);
    });

  p.command('chat')
    .description('chat with a contact; stdin lines are sent, messages and receipts are printed')
    .argument('<peer-id>', "the contact's peer id")
    .option('--wait', 'keep waiting until the contact comes online (instead of failing fast)')
    .option('--downloads <dir>', 'where received files are saved', process.cwd())
    .option(
      '--typing',
      'announce typing while a line is entered (default: on in a terminal, off with --json)',
    )
    .option('--no-typing', 'never announce typing')
    .action(async (remote: string, _o, cmd: Command) => {
      const g = cmd.optsWithGlobals<
        GlobalOptions & { wait?: boolean; downloads: string; typing?: boolean }
      >();
      const link = await connect(g, remote, { wait: g.wait === true, downloads: g.downloads });
      const typing = g.typing ?? !reporter.json;
      reporter.readLines(
        (line) => {
          if (line.trim() === '') return;
          try {
            link.sendText(line);
          } catch (err) {
            const e = describe(err);
            reporter.emit({ event: 'error', code: e.code, message: e.message });
          }
        },
        () => {
          void (async () => {
            await link.waitDelivered(EOF_LINGER_MS);
            await exit(0);
          })();
        },
        typing ? () => link.typing(true) : undefined,
      );
    });

  p.command('send')
    .description('send a file through the encrypted session (progress on stderr)')
    .argument('<peer-id>', "the contact's peer id")
    .argument('<file>', 'the file to send')
    .option('--fast-path', 'send the bytes over DTLS only, WITHOUT end-to-end encryption (faster; warns)')
    .action(async (remote: string, file: string, _o, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions & { fastPath?: boolean }>();
      const bytes = await readSendable(file);
      const fastPath = g.fastPath === true;
      if (fastPath) reporter.emit({ event: 'error', code: 'WARNING', message: FAST_PATH_WARNING });
      const link = await connect(g, remote, { wait: false, downloads: process.cwd() });
      const id = await link.sendFile(basename(file), bytes, fastPath);
      reporter.emit({ event: 'file-sent', to: remote, id, name: basename(file), size: bytes.length });
      await exit(0);
    });

  p.command('verify')
    .description('print the safety number with a contact whose identity is pinned')
    .argument('<peer-id>', "the contact's peer id")
    .option('--mark-verified', 'record that you compared the number with the contact out of band')
    .action(async (remote: string, _o, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions & { markVerified?: boolean }>();
      const { home, profile, ownId } = await loadProfile(g);
      const id = parsePeerId(remote, ownId);
      const pins = new ContactPins({ storage: home.pinStorage() });
      const contact = (await home.contacts())[id];
      if ((await pins.get(id)) === undefined || contact === undefined) {
        throw new CliError(CLI_ERROR.notPinned, `No identity is pinned for ${id} yet: chat with it first.`);
      }
      const identity = publicIdentityFromJson(contact.identity);
      // Refuses (CRYPTO_IDENTITY_KEY_CHANGED) when the stored identity is not the pinned one.
      const record = g.markVerified
        ? await pins.markVerified(id, identity)
        : (await pins.check(id, identity)).record;
      const sn = computeSafetyNumber(
        { identity: profile.identity.publicIdentity, stableId: ownId },
        { identity, stableId: id },
      );
      reporter.emit({
        event: 'safety-number',
        peer: id,
        safetyNumber: sn.display,
        digits: sn.digits,
        verified: record.verified,
      });
      await exit(0);
    });

  p.command('trust')
    .description('re-approve a contact after its identity key changed (the next key is pinned)')
    .argument('<peer-id>', "the contact's peer id")
    .action(async (remote: string, _o, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { home, ownId } = await loadProfile(g);
      const id = parsePeerId(remote, ownId);
      await new ContactPins({ storage: home.pinStorage() }).forget(id);
      reporter.emit({ event: 'trusted', peer: id });
      await exit(0);
    });
  return p;
}

async function readSendable(file: string): Promise<Uint8Array> {
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new CliError(CLI_ERROR.fileUnreadable, `${file} is not a regular file.`);
    if (s.size > MAX_FILE_BYTES) {
      throw new CliError(
        CLI_ERROR.fileUnreadable,
        `${file} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB.`,
      );
    }
    return new Uint8Array(await readFile(file));
  } catch (err) {
    if (isCliError(err)) throw err;
    throw new CliError(
      CLI_ERROR.fileUnreadable,
      `Cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
    );
  }
}

export async function main(argv: readonly string[]): Promise<void> {
  const p = program();
  try {
    await p.parseAsync(argv as string[]);
    if (p.args.length === 0) {
      throw new CliError(CLI_ERROR.usage, 'Name a command: id, chat, send, verify or trust (see --help).');
    }
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) await exit(0); // --help, --version
      const text =
        err.code === 'commander.help'
          ? 'Name a command: id, chat, send, verify or trust (see --help).'
          : err.message.replace(/^error: /, '');
      await fail(new CliError(CLI_ERROR.usage, text));
    }
    await fail(err);
  }
}

process.on('unhandledRejection', (err) => void fail(err));
await main(process.argv);
