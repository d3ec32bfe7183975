/**
 * Registry calls may answer synchronously (memory) or asynchronously (a shared store). `settle` runs
 * the continuation immediately for plain values, so the in-memory path costs no promise per frame.
 * (Not named `then`: a module exporting `then` makes its namespace object a thenable.)
 */
export type MaybePromise<T> = T | Promise<T>;

export function settle<T>(value: MaybePromise<T>, next: (v: T) => void, fail: (err: unknown) => void): void {
  if (value instanceof Promise) {
    value.then(next, fail);
    return;
  }
  try {
    next(value);
  } catch (err) {
    fail(err);
  }
}
