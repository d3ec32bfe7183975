/**
 * Cancellable waits. Every wait in the library goes through `waitFor`, which settles on the first of:
 * the awaited event, the caller's AbortSignal, a timeout, or an error. Timers and listeners are always
 * released, so an abandoned wait never keeps a process alive.
 */
import { PEER_ERROR, PeerError } from '../errors.js';

export interface WaitOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

/**
 * `subscribe(resolve, reject)` starts listening and returns an unsubscribe function. `what` names the
 * awaited thing in TIMEOUT messages.
 */
export function waitFor<T>(
  what: string,
  subscribe: (resolve: (value: T) => void, reject: (err: unknown) => void) => () => void,
  options: WaitOptions = {},
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const { signal, timeoutMs } = options;
    if (signal?.aborted) {
      reject(abortError(what));
      return;
    }
    let done = false;
    let unsubscribe: () => void = () => {};
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = () => {
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      unsubscribe();
    };
    const onAbort = () => {
      if (done) return;
      finish();
      reject(abortError(what));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
      timer = setTimeout(() => {
        if (done) return;
        finish();
        reject(new PeerError(PEER_ERROR.timeout, `timed out waiting for ${what}`));
      }, timeoutMs);
    }
    unsubscribe = subscribe(
      (value) => {
        if (done) return;
        finish();
        resolve(value);
      },
      (err) => {
        if (done) return;
        finish();
        reject(err);
      },
    );
    // subscribe may settle synchronously, before `unsubscribe` was assigned.
    if (done) unsubscribe();
  });
}

/** A cancellable sleep. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return waitFor<void>(
    'sleep',
    (resolve) => {
      const t = setTimeout(resolve, ms);
      return () => clearTimeout(t);
    },
    { signal },
  );
}

export function abortError(what: string): PeerError {
  return new PeerError(PEER_ERROR.aborted, `aborted while waiting for ${what}`);
}
