import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPeerError, PEER_ERROR } from '../../src/errors.js';
import { sleep, waitFor } from '../../src/util/wait.js';

test('waitFor resolves, times out with TIMEOUT, aborts with ABORTED, and always unsubscribes', async () => {
  let subscribed = 0;
  const never = (_resolve: (v: number) => void) => {
    subscribed++;
    return () => {
      subscribed--;
    };
  };
  const immediate = (resolve: (v: number) => void) => {
    resolve(7);
    return () => {};
  };
  assert.equal(await waitFor<number>('x', immediate), 7);
  await assert.rejects(waitFor('x', never, { timeoutMs: 10 }), (e) => isPeerError(e, PEER_ERROR.timeout));
  const ac = new AbortController();
  const p = waitFor('x', never, { signal: ac.signal });
  ac.abort();
  await assert.rejects(p, (e) => isPeerError(e, PEER_ERROR.aborted));
  assert.equal(subscribed, 0);
  await assert.rejects(waitFor('x', never, { signal: AbortSignal.abort() }), (e) =>
    isPeerError(e, PEER_ERROR.aborted),
  );
  await assert.rejects(sleep(10_000, AbortSignal.timeout(5)), (e) => isPeerError(e, PEER_ERROR.aborted));
});
