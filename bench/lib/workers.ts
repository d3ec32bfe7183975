/** Spawning and driving bench/lib/load-worker.ts child processes. */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { WorkerCommand, WorkerReply } from './load-worker.js';

export class LoadWorker {
  readonly #child: ChildProcess;
  constructor(root: string) {
    this.#child = fork(join(root, 'bench', 'lib', 'load-worker.ts'), [], {
      cwd: root,
      execArgv: ['--conditions=source', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  }

  run<C extends WorkerCommand>(cmd: C): Promise<Extract<WorkerReply, { cmd: C['cmd'] }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: WorkerReply) => {
        this.#child.off('exit', onExit);
        if (!reply.ok) reject(new Error(reply.error));
        else resolve(reply as Extract<WorkerReply, { cmd: C['cmd'] }>);
      };
      const onExit = (code: number | null) => reject(new Error(`load worker exited (${code})`));
      this.#child.once('message', onMessage);
      this.#child.once('exit', onExit);
      this.#child.send(cmd);
    });
  }

  stop(): void {
    this.#child.disconnect();
  }
}
