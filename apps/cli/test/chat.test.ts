import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrokerUnderTest, startOurBroker } from '../../../tests/support/brokers.js';
import { type Running, runCli, runToEnd, tempDir } from './support.js';

describe('enkrypted chat and send between two CLI processes', () => {
  let broker: BrokerUnderTest;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const running: Running[] = [];
  let common: string[];
  const home = (who: string) => ['--home', join(dir.path, who)];
  let aliceId: string;
  let bobId: string;

  before(async () => {
    broker = await startOurBroker();
    dir = await tempDir();
    common = ['--json', '--broker', `http://127.0.0.1:${broker.port}${broker.path}`, '--bind', '127.0.0.1'];
    aliceId = String((await runToEnd([...home('alice'), '--json', 'id'])).events[0]?.id);
    bobId = String((await runToEnd([...home('bob'), '--json', 'id'])).events[0]?.id);
  });

  after(async () => {
    for (const r of running) r.kill();
    await broker?.stop();
    await dir?.remove();
  });

  it('chats both ways end-to-end encrypted, with delivered and read receipts, then the same safety number', async () => {
    const bob = runCli([...home('bob'), ...common, '--name', 'Bob', 'chat', aliceId, '--wait']);
    running.push(bob);
    await bob.waitFor((e) => e.event === 'listening', 'bob registered');
    const alice = runCli([...home('alice'), ...common, '--name', 'Alice', 'chat', bobId]);
    running.push(alice);
    const aliceReady = await alice.waitFor((e) => e.event === 'ready', 'alice ready');
    const bobReady = await bob.waitFor((e) => e.event === 'ready', 'bob ready');
    assert.equal(aliceReady.encrypted, true);
    assert.equal(bobReady.encrypted, true);
    assert.equal(aliceReady.safetyNumber, bobReady.safetyNumber);

    alice.send('hello bob ✓');
    const atBob = await bob.waitFor((e) => e.event === 'message', 'message at bob');
    assert.equal(atBob.text, 'hello bob ✓');
    assert.equal(atBob.from, aliceId);
    assert.equal(typeof atBob.time, 'number');
    await alice.waitFor(
      (e) => e.event === 'receipt' && e.id === atBob.id && e.status === 'read',
      'read receipt',
    );

    bob.send('hi alice');
    const atAlice = await alice.waitFor((e) => e.event === 'message', 'message at alice');
    assert.equal(atAlice.text, 'hi alice');
    assert.equal(atAlice.from, bobId);
    await bob.waitFor(
      (e) => e.event === 'receipt' && e.id === atAlice.id && e.status === 'delivered',
      'delivered',
    );
    await alice.waitFor((e) => e.event === 'hello' && e.name === 'Bob', 'hello from bob');

    alice.endInput();
    assert.equal(await alice.exited, 0);
    await bob.waitFor((e) => e.event === 'closed', 'bob sees alice leave');
    bob.endInput();
    assert.equal(await bob.exited, 0);

    const a = await runToEnd([...home('alice'), '--json', 'verify', bobId]);
    const b = await runToEnd([...home('bob'), '--json', 'verify', aliceId]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const sa = a.events.find((e) => e.event === 'safety-number');
    const sb = b.events.find((e) => e.event === 'safety-number');
    assert.match(String(sa?.safetyNumber), /^\d{5}( \d{5}){11}$/);
    assert.equal(sa?.safetyNumber, sb?.safetyNumber);
    assert.equal(sa?.safetyNumber, aliceReady.safetyNumber);
    assert.equal(sa?.verified, false);
    const marked = await runToEnd([...home('alice'), '--json', 'verify', bobId, '--mark-verified']);
    assert.equal(marked.events.find((e) => e.event === 'safety-number')?.verified, true);
  });

  it('sends a file whose bytes arrive identical', async () => {
    const downloads = join(dir.path, 'downloads');
    const bob = runCli([...home('bob'), ...common, 'chat', aliceId, '--wait', '--downloads', downloads]);
    running.push(bob);
    await bob.waitFor((e) => e.event === 'listening', 'bob registered');
    const bytes = createHash('sha512').update('seed').digest();
    const content = Buffer.concat(
      Array.from({ length: 3000 }, (_, i) => Buffer.concat([bytes, Buffer.of(i & 255)])),
    );
    const file = join(dir.path, 'payload.bin');
    await writeFile(file, content);
    const sent = await runToEnd([...home('alice'), ...common, 'send', bobId, file]);
    assert.equal(sent.code, 0, JSON.stringify(sent.events) + sent.stderr);
    const fileSent = sent.events.find((e) => e.event === 'file-sent');
    assert.equal(fileSent?.size, content.length);
    assert.ok(sent.events.some((e) => e.event === 'file-progress' && e.done === content.length));
    const got = await bob.waitFor((e) => e.event === 'file', 'file at bob');
    assert.equal(got.name, 'payload.bin');
    assert.equal(got.id, fileSent?.id);
    assert.deepEqual(await readFile(String(got.path)), content);
    bob.endInput();
    assert.equal(await bob.exited, 0);
  });

  it('blocks a contact whose identity key changed until `trust` re-approves it', async () => {
    // Same peer id, new identity (a reinstalled or impersonated contact).
    const bob = runCli([...home('bob-new'), ...common, '--id', bobId, 'chat', aliceId, '--wait']);
    running.push(bob);
    await bob.waitFor((e) => e.event === 'listening', 'new bob registered');
    const blocked = runCli([...home('alice'), ...common, 'chat', bobId]);
    running.push(blocked);
    assert.equal(await blocked.exited, 4);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(blocked.events.at(-1)?.code, 'CRYPTO_IDENTITY_KEY_CHANGED');
    assert.ok(!blocked.events.some((e) => e.event === 'ready'));
    const stillBlocked = await runToEnd([...home('alice'), '--json', 'verify', bobId]);
    assert.equal(stillBlocked.code, 0); // the old, pinned identity's number: nothing was re-pinned

    const trusted = await runToEnd([...home('alice'), '--json', 'trust', bobId]);
    assert.equal(trusted.code, 0);
    const alice = runCli([...home('alice'), ...common, 'chat', bobId]);
    running.push(alice);
    const ready = await alice.waitFor((e) => e.event === 'ready', 'alice ready after trust');
    assert.notEqual(ready.safetyNumber, stillBlocked.events[0]?.safetyNumber);
    alice.endInput();
    assert.equal(await alice.exited, 0);
    bob.endInput();
    assert.equal(await bob.exited, 0);
  });

  it('connects two `chat --wait` started apart: each dials by the web app rule, crossing dials resolve, a message queued before arrives once; --typing announces a partial line', async () => {
    // Two fresh identities (the earlier tests re-pinned alice's view of bob).
    const idOf = async (who: string) =>
      String((await runToEnd([...home(who), '--json', 'id'])).events[0]?.id);
    const ids = { carol: await idOf('carol'), dave: await idOf('dave') };
    const [low, high] = ids.carol < ids.dave ? (['carol', 'dave'] as const) : (['dave', 'carol'] as const);
    const lowId = ids[low];
    const highId = ids[high];
    // The higher id waits first, with a message queued: it dials the lower id, who is not online yet
    // (the broker holds or expires the offer; the dial is retried).
    const h = runCli([...home(high), ...common, 'chat', lowId, '--wait']);
    running.push(h);
    await h.waitFor((e) => e.event === 'listening', 'high registered');
    h.send('queued before you came');
    // The lower id comes online waiting too: it dials as well, so the two dials may cross.
    const l = runCli([...home(low), ...common, 'chat', highId, '--wait', '--typing']);
    running.push(l);
    await l.waitFor((e) => e.event === 'ready', 'low ready');
    await h.waitFor((e) => e.event === 'ready', 'high ready');
    await l.waitFor((e) => e.event === 'message' && e.text === 'queued before you came', 'queued message');
    // --typing: part of a line on stdin announces typing; the rest of the line sends the message.
    l.child.stdin?.write('and ba');
    await h.waitFor((e) => e.event === 'typing' && e.on === true, 'typing at high');
    l.send('ck');
    await h.waitFor((e) => e.event === 'message' && e.text === 'and back', 'reply');
    await h.waitFor((e) => e.event === 'receipt' && e.status === 'read', 'read receipt at high');
    l.endInput();
    assert.equal(await l.exited, 0);
    h.endInput();
    assert.equal(await h.exited, 0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(l.events.filter((e) => e.event === 'message').length, 1, 'delivered once');
    assert.equal(l.events.filter((e) => e.event === 'ready').length, 1, 'one session, no churn');
  });

  it('fails fast with PEER_UNAVAILABLE for an id nobody registered', async () => {
    const r = runCli([...home('alice'), ...common, 'chat', 'nobody-here-1234']);
    running.push(r);
    assert.equal(await r.exited, 3);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(r.events.at(-1)?.code, 'PEER_UNAVAILABLE');
  });
});
