/**
 * Everything the CLI tells its user goes through a Reporter: in `--json` mode one JSON object per
 * stdout line (for scripts), otherwise sentences for people. In an interactive terminal the input
 * line is kept intact: a line printed while the user types clears the prompt line, prints, and
 * redraws the prompt with what was typed so far.
 */
import { createInterface, type Interface } from 'node:readline';

export type CliEvent =
  | { event: 'id'; id: string; created: boolean; home: string }
  | { event: 'listening'; id: string }
  | { event: 'state'; peer: string; state: string; label: string }
  | { event: 'ready'; peer: string; encrypted: boolean; safetyNumber?: string }
  | { event: 'message'; from: string; name?: string; id: string; text: string; time: number }
  | { event: 'sent'; to: string; id: string; text: string; time: number }
  | { event: 'receipt'; id: string; status: string }
  | { event: 'typing'; from: string; on: boolean }
  | { event: 'hello'; from: string; name: string }
  | { event: 'file-offer'; from: string; id: string; name: string; size: number }
  | { event: 'file-progress'; id: string; done: number; size: number; direction: 'in' | 'out' }
  | { event: 'file'; from: string; id: string; name: string; size: number; path: string; sha256: string }
  | { event: 'file-sent'; to: string; id: string; name: string; size: number }
  | { event: 'safety-number'; peer: string; safetyNumber: string; digits: string; verified: boolean }
  | { event: 'trusted'; peer: string }
  | { event: 'closed'; peer: string; reason?: string }
  | { event: 'error'; code: string; message: string };

/** P7 state → the word a person sees (the web app shows the same five). */
export function stateLabel(state: string): string {
  switch (state) {
    case 'Ready':
      return 'ready';
    case 'CryptoHandshaking':
      return 'encrypting';
    case 'Disconnected':
      return 'reconnecting';
    case 'Idle':
      return 'offline';
    default:
      return 'connecting';
  }
}

const clock = (ms: number) => new Date(ms).toTimeString().slice(0, 8);

function human(e: CliEvent): string | undefined {
  switch (e.event) {
    case 'id':
      return e.id;
    case 'listening':
      return `* registered as ${e.id}; waiting for the contact`;
    case 'state':
      return `* ${e.label}`;
    case 'ready':
      return e.encrypted
        ? `* end-to-end encrypted with ${e.peer}${e.safetyNumber ? ` (safety number ${e.safetyNumber})` : ''}`
        : `* WARNING: NOT encrypted with ${e.peer} (debug mode)`;
    case 'message':
      return `[${clock(e.time)}] ${e.name ?? e.from}: ${e.text}`;
    case 'sent':
      return undefined; // the user's own line is already on the screen
    case 'receipt':
      return e.status === 'read' || e.status === 'delivered'
        ? `  (${e.status} ${e.id.slice(0, 8)})`
        : undefined;
    case 'typing':
      return e.on ? `  (${e.from} is typing)` : undefined;
    case 'hello':
      return `* ${e.from} is "${e.name}"`;
    case 'file-offer':
      return `* receiving ${e.name} (${e.size} bytes)`;
    case 'file-progress':
      return undefined; // on stderr through progress()
    case 'file':
      return `* received ${e.name} (${e.size} bytes, sha-256 ${e.sha256}) → ${e.path}`;
    case 'file-sent':
      return `* ${e.name} (${e.size} bytes) delivered to ${e.to}`;
    case 'safety-number':
      return `${e.safetyNumber}${e.verified ? '\n(verified)' : ''}`;
    case 'trusted':
      return `* the next identity key of ${e.peer} will be pinned; compare safety numbers afterwards`;
    case 'closed':
      return `* closed${e.reason ? ` (${e.reason})` : ''}`;
    case 'error':
      return e.code === 'WARNING' ? `WARNING: ${e.message}` : `error: ${e.message} [${e.code}]`;
  }
}

export class Reporter {
  readonly json: boolean;
  #rl: Interface | undefined;
  #lastLabel: string | undefined;

  constructor(json: boolean) {
    this.json = json;
  }

  emit(e: CliEvent): void {
    if (this.json) {
      this.#print(JSON.stringify(e), e.event === 'error');
      return;
    }
    if (e.event === 'state') {
      // Several P7 states read the same to a person ("connecting"): say it once.
      if (e.label === this.#lastLabel) return;
      this.#lastLabel = e.label;
    }
    const line = human(e);
    if (line !== undefined) this.#print(line, e.event === 'error');
  }

  /** Transfer progress: stderr, overwriting one line in a terminal. */
  progress(done: number, size: number, direction: 'in' | 'out', id: string): void {
    if (this.json) {
      this.emit({ event: 'file-progress', id, done, size, direction });
      return;
    }
    const pct = size === 0 ? 100 : Math.floor((done / size) * 100);
    const text = `${direction === 'out' ? 'sending' : 'receiving'} ${pct}% (${done}/${size} bytes)`;
    if (process.stderr.isTTY) process.stderr.write(`\r${text}${done === size ? '\n' : ''}`);
    else if (done === size) process.stderr.write(`${text}\n`);
  }

  /**
   * Reads stdin line by line. In a terminal (human mode) shows a prompt and keeps it intact when
   * other lines are printed. `onEnd` runs on EOF (Ctrl-D, or the end of piped input).
   */
  /**
   * Reads stdin line by line. `onPartial`, when given, is called for input that does not complete a
   * line (a key typed in a terminal, or a script writing part of a line): someone is typing.
   */
  readLines(onLine: (line: string) => void, onEnd: () => void, onPartial?: () => void): void {
    const interactive = !this.json && process.stdin.isTTY === true && process.stdout.isTTY === true;
    const rl = createInterface({
      input: process.stdin,
      output: interactive ? process.stdout : undefined,
      terminal: interactive,
    });
    this.#rl = interactive ? rl : undefined;
    if (interactive) {
      rl.setPrompt('> ');
      rl.prompt();
    }
    if (onPartial) {
      process.stdin.on('data', (chunk: Buffer | string) => {
        if (!/[\r\n]/.test(chunk.toString())) onPartial();
      });
    }
    rl.on('line', (line) => {
      onLine(line);
      if (interactive) rl.prompt();
    });
    rl.on('close', () => {
      this.#rl = undefined;
      onEnd();
    });
    // Ctrl-C in a terminal: end like EOF, cleanly.
    rl.on('SIGINT', () => rl.close());
  }

  close(): void {
    this.#rl?.close();
  }

  #print(line: string, error: boolean): void {
    const stream = error && !this.json ? process.stderr : process.stdout;
    const rl = this.#rl;
    if (rl === undefined) {
      stream.write(`${line}\n`);
      return;
    }
    // Clear the prompt line, print, and redraw the prompt with the partial input and cursor.
    process.stdout.write('\r\x1b[2K');
    stream.write(`${line}\n`);
    rl.prompt(true);
  }
}
