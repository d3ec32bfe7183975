/** Spawning and driving bench/lib/cluster-worker.ts child processes. */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { ClusterWorkerCommand, ClusterWorkerReply } from './cluster-worker.js';

export class ClusterLoadWorker {
  readonly #child: ChildProcess;
  constructor(root: string) {
    this.#child = fork(join(root, 'bench', 'lib', 'cluster-worker.ts'), [], {
      cwd: root,
      execArgv: ['--conditions=source', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  run<C extends ClusterWorkerCommand>(cmd: C): Promise<Extract<ClusterWorkerReply, { cmd: C['cmd'] }>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`cluster load worker exited (${code})`));
      this.#child.once('exit', onExit);
      this.#child.once('message', (reply: ClusterWorkerReply) => {
        this.#child.off('exit', onExit);
        if (reply.ok) resolve(reply as Extract<ClusterWorkerReply, { cmd: C['cmd'] }>);
        else reject(new Error(reply.error));
      });
      this.#child.send(cmd);
    });
  }

  stop(): void {
    this.#child.disconnect();
  }
}
