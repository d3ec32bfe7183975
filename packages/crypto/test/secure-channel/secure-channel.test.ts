import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BULK_MIN_PLAINTEXT_BYTES,
  CHUNK_ERROR,
  CHUNK_SIZE_BYTES,
  type ChunkPdu,
  decodePdu,
  encodePdu,
  MAX_CONCURRENT_REASSEMBLIES,
  MAX_PDU_BYTES,
  type MessagePdu,
  PDU_ERROR,
  PDU_TYPE,
  SESSION_ERROR,
} from '@enkrypted/protocol';
import fc from 'fast-check';
import { CRYPTO_ERROR, isCryptoError } from '../../src/errors.js';
import { MAX_PLAINTEXT_BYTES, SecureChannel } from '../../src/secure-channel/secure-channel.js';
import { handshakePair } from '../handshake/fixtures.js';

const text = (s: string) => new TextEncoder().encode(s);

async function pair(): Promise<{ a: SecureChannel; b: SecureChannel }> {
  const r = await handshakePair();
  if (r.a.status !== 'fulfilled' || r.b.status !== 'fulfilled') throw new Error('handshake failed');
  return { a: r.a.value, b: r.b.value };
}

/** Opens every frame; returns the plaintexts delivered (non-null results). */
async function deliver(to: SecureChannel, frames: string[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const f of frames) {
    const r = await to.open(f);
    if (r !== null) out.push(r);
  }
  return out;
}

function edit(frame: string, change: (msg: MessagePdu) => void): string {
  const pdu = decodePdu(frame) as MessagePdu;
  change(pdu);
  return JSON.stringify(
    JSON.parse(
      // Re-encode without validation so the edit reaches the receiver even when it breaks a rule.
      JSON.stringify(pdu, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v)),
    ),
  ).replace('"type":"message"', '"type":"message","specVersion":"EnkryptedChat-Profile-v0"');
}

/** Expects a typed drop (ProtocolError or CryptoError with a code), never plaintext. */
async function refused(p: Promise<Uint8Array | null>, code?: string): Promise<string> {
  const err = await p.then(
    (v) => assert.fail(`expected a refusal, got ${v === null ? 'null' : 'plaintext'}`),
    (e: unknown) => e as { code?: string },
  );
  assert.equal(typeof err.code, 'string');
  if (code !== undefined) assert.equal(err.code, code);
  return err.code as string;
}

describe('SecureChannel', () => {
  test('text both ways, many messages alternating', async () => {
    const { a, b } = await pair();
    assert.equal(a.confirmedByPeer, false);
    assert.equal(b.confirmedByPeer, false);
    for (let i = 0; i < 20; i++) {
      const [from, to] = i % 3 === 0 ? [b, a] : [a, b];
      const frames = await from.seal(text(`message ${i}`));
      assert.equal(frames.length, 1);
      assert.deepEqual(await deliver(to, frames), [text(`message ${i}`)]);
      // The receiver has now seen the peer's first authenticated message: the peer is confirmed.
      assert.equal(to.confirmedByPeer, true);
    }
  });

  test('a 10 MiB payload is chunked at 8192 bytes and reassembled exactly, even with chunks reversed', async () => {
    const { a, b } = await pair();
    const payload = new Uint8Array(10 * 1024 * 1024);
    for (let i = 0; i < payload.length; i += 65536)
      globalThis.crypto.getRandomValues(payload.subarray(i, i + 65536));
    const frames = await a.seal(payload);
    const header = decodePdu(frames[0] as string) as MessagePdu;
    assert.ok(header.encryptedMessage.cascaded && header.encryptedMessage.chunked);
    const finalSize = header.encryptedMessage.cascaded
      ? header.encryptedMessage.cascadedPayload.finalSize
      : 0;
    assert.equal(frames.length, 1 + Math.ceil(finalSize / CHUNK_SIZE_BYTES));
    const [first, ...chunks] = frames;
    const out = await deliver(b, [...chunks.reverse(), first as string]);
    assert.equal(out.length, 1);
    assert.ok(Buffer.from(out[0] as Uint8Array).equals(Buffer.from(payload)));
    // The channel still works afterwards in both directions.
    assert.deepEqual(await deliver(a, await b.seal(text('got it'))), [text('got it')]);
  });

  test('tampering with any part of a message is refused without plaintext, and changes no state', async () => {
    const { a, b } = await pair();
    const frame = (await a.seal(text('secret')))[0] as string;
    const cases: ((m: MessagePdu) => void)[] = [];
    const ctLength = (
      (decodePdu(frame) as MessagePdu).encryptedMessage as { cascadedPayload: { finalSize: number } }
    ).cascadedPayload.finalSize;
    for (const at of [0, 1, Math.floor(ctLength / 2), ctLength - 17, ctLength - 1]) {
      cases.push((m) => {
        const p = (m.encryptedMessage as { cascadedPayload: { finalCiphertext: Uint8Array } })
          .cascadedPayload;
        p.finalCiphertext[at] = (p.finalCiphertext[at] as number) ^ 0x01;
      });
    }
    // Every layer's parameters (MLS epoch, Signal header, ML-KEM counter, AES counter).
    for (let layer = 0; layer < 4; layer++) {
      cases.push((m) => {
        const params = (
          m.encryptedMessage as { cascadedPayload: { layerParameters: Record<string, unknown>[] } }
        ).cascadedPayload.layerParameters[layer] as Record<string, unknown>;
        const key = Object.keys(params).find((k) => typeof params[k] === 'number') as string;
        params[key] = (params[key] as number) + 1;
      });
    }
    // Relabelling a layer (downgrade / substitution) and another messageId (AD).
    cases.push((m) => {
      (m.encryptedMessage as { cascadedPayload: { layers: { algorithm: string }[] } }).cascadedPayload
        .layers[3]!.algorithm = 'AES-GCM-128';
    });
    cases.push((m) => {
      m.messageId = 'CCCCCCCCCCCCCCCCCCCCCA';
    });
    assert.equal(b.confirmedByPeer, false);
    for (const change of cases) {
      // A fresh genuine message per case, so each refusal comes from the tampering, not the replay filter.
      const genuine = (await a.seal(text('secret')))[0] as string;
      const code = await refused(b.open(edit(genuine, change)));
      assert.notEqual(code, CHUNK_ERROR.replay);
    }
    // A refused message confirms nothing. Nothing moved in any layer: the first genuine message and a new one still open.
    assert.equal(b.confirmedByPeer, false);
    assert.deepEqual(await b.open(frame), text('secret'));
    assert.equal(b.confirmedByPeer, true);
    assert.deepEqual(await deliver(b, await a.seal(text('next'))), [text('next')]);
  });

  test('bulk messages on the wire: a tampered chunk, a header bulk field changed, or chunks swapped between two messages are refused; the genuine ones still open', async () => {
    const { a, b } = await pair();
    const payload = new Uint8Array(BULK_MIN_PLAINTEXT_BYTES * 2).map((_, i) => i & 0xff);
    const m1 = await a.seal(payload);
    const m2 = await a.seal(payload.slice().reverse());
    const header1 = decodePdu(m1[0] as string) as MessagePdu;
    assert.ok(header1.encryptedMessage.cascaded && header1.encryptedMessage.cascadedPayload.bulk);
    const id1 = header1.messageId;
    const id2 = (decodePdu(m2[0] as string) as MessagePdu).messageId;
    // A copy of message 1 under a fresh messageId with one chunk replaced; it must not open.
    let n = 0;
    const variant = (frames: string[], change: (chunks: string[]) => void): string[] => {
      const fresh = `${String(n++).padStart(4, '0')}${'H'.repeat(17)}A`;
      const chunks = frames.slice(1);
      change(chunks);
      return [frames[0] as string, ...chunks].map((f) => f.replace(id1, fresh));
    };
    const flipChunk = (frame: string): string => {
      const c = decodePdu(frame) as ChunkPdu;
      c.data[0] = (c.data[0] as number) ^ 1;
      return encodePdu(c);
    };
    const cases: string[][] = [
      // A body chunk (the last) and the key envelope's chunk (the first) flipped.
      variant(m1, (c) => (c[c.length - 1] = flipChunk(c[c.length - 1] as string))),
      variant(m1, (c) => (c[0] = flipChunk(c[0] as string))),
      // Message 2's body chunks under message 1's header and key envelope.
      variant(m1, (c) => {
        for (let i = 1; i < c.length; i++) c[i] = (m2[i + 1] as string).replace(id2, id1);
      }),
    ];
    for (const frames of cases) {
      const last = frames.pop() as string;
      assert.deepEqual(await deliver(b, frames), []);
      await refused(b.open(last));
    }
    // The bulk descriptor removed from the header: read as P5.2, it cannot authenticate either.
    const stripped = variant(m1, () => {});
    stripped[0] = edit(stripped[0] as string, (m) => {
      if (m.encryptedMessage.cascaded) delete m.encryptedMessage.cascadedPayload.bulk;
    });
    const lastStripped = stripped.pop() as string;
    await deliver(b, stripped);
    await refused(b.open(lastStripped));
    assert.deepEqual(await deliver(b, m1), [payload]);
    assert.deepEqual(await deliver(b, m2), [payload.slice().reverse()]);
  });

  test('a plaintext too large for one message is refused before any layer moves', async () => {
    const { a, b } = await pair();
    await assert.rejects(a.seal(new Uint8Array(MAX_PLAINTEXT_BYTES + 1)), (e) =>
      isCryptoError(e, CRYPTO_ERROR.encryptFailed),
    );
    assert.deepEqual(await deliver(b, await a.seal(text('fine'))), [text('fine')]);
  });

  test('truncation of the ciphertext is refused', async () => {
    const { a, b } = await pair();
    const frame = (await a.seal(text('truncate me')))[0] as string;
    const truncated = edit(frame, (m) => {
      const p = (
        m.encryptedMessage as { cascadedPayload: { finalCiphertext: Uint8Array; finalSize: number } }
      ).cascadedPayload;
      p.finalCiphertext = p.finalCiphertext.subarray(0, p.finalCiphertext.length - 1);
      p.finalSize -= 1;
    });
    await refused(b.open(truncated));
    // A chunked message missing its last chunk never yields anything (no partial decrypt).
    const big = await a.seal(new Uint8Array(3 * CHUNK_SIZE_BYTES));
    assert.deepEqual(await deliver(b, big.slice(0, -1)), []);
    assert.equal(b.pendingReassemblies, 1);
  });

  test('a replayed message is dropped by messageId; re-sent under a new messageId it fails authentication', async () => {
    const { a, b } = await pair();
    const frame = (await a.seal(text('once')))[0] as string;
    assert.deepEqual(await b.open(frame), text('once'));
    await refused(b.open(frame), CHUNK_ERROR.replay);
    await refused(b.open(edit(frame, (m) => (m.messageId = 'EEEEEEEEEEEEEEEEEEEEEA'))));
  });

  test('reordering within the skip bound is accepted; beyond it is refused with a typed error', async () => {
    const { a, b } = await pair();
    const frames: string[] = [];
    for (let i = 0; i < 6; i++) frames.push((await a.seal(text(`m${i}`)))[0] as string);
    const got = await deliver(b, [...frames].reverse());
    assert.deepEqual(
      got.map((x) => new TextDecoder().decode(x)),
      ['m5', 'm4', 'm3', 'm2', 'm1', 'm0'],
    );
    // 1001 messages skipped in one go exceed every layer's bound (1000).
    let last = '';
    for (let i = 0; i < 1002; i++) last = (await a.seal(text('x')))[0] as string;
    await refused(b.open(last));
  });

  test('chunk floods: too many concurrent reassemblies and absurd chunk counts are refused', async () => {
    const { a, b } = await pair();
    const data = new Uint8Array(CHUNK_SIZE_BYTES);
    const id = (i: number) => `${String(i).padStart(4, '0')}${'F'.repeat(17)}A`;
    for (let i = 0; i < MAX_CONCURRENT_REASSEMBLIES; i++) {
      const chunk = encodePdu({
        type: PDU_TYPE.chunk,
        messageId: id(i),
        chunkIndex: 0,
        totalChunks: 3,
        data,
      });
      assert.equal(await b.open(chunk), null);
    }
    const one = encodePdu({
      type: PDU_TYPE.chunk,
      messageId: id(MAX_CONCURRENT_REASSEMBLIES),
      chunkIndex: 0,
      totalChunks: 3,
      data,
    });
    await refused(b.open(one), CHUNK_ERROR.tooManyReassemblies);
    const absurd = encodePdu({
      type: PDU_TYPE.chunk,
      messageId: id(9000),
      chunkIndex: 0,
      totalChunks: 2,
      data,
    }).replace('"totalChunks":2', '"totalChunks":100000');
    await refused(b.open(absurd), CHUNK_ERROR.tooManyChunks);
    void a;
  });

  test('oversized frames are refused before parsing; unknown types are dropped; MLS-only is a refused downgrade', async () => {
    const { a, b } = await pair();
    await refused(b.open('x'.repeat(MAX_PDU_BYTES + 1)), PDU_ERROR.tooLarge);
    assert.equal(await b.open('{"type":"typing-indicator","specVersion":"EnkryptedChat-Profile-v0"}'), null);
    const mlsOnly = encodePdu({
      type: PDU_TYPE.message,
      messageId: 'GGGGGGGGGGGGGGGGGGGGGA',
      encryptedMessage: {
        encrypted: true,
        cascaded: false,
        envelope: { groupId: new Uint8Array([1]), ciphertext: new Uint8Array([2]), timestamp: 1 },
      },
    });
    await refused(b.open(mlsOnly), SESSION_ERROR.encryptionRequired);
    await refused(
      b.open(
        '{"type":"message","specVersion":"EnkryptedChat-Profile-v0","messageId":"GGGGGGGGGGGGGGGGGGGGGA","encryptedMessage":{"encrypted":false}}',
      ),
    );
    assert.deepEqual(await deliver(b, await a.seal(text('still fine'))), [text('still fine')]);
  });

  test('rotation-timestamp-broadcast rotates the AES layer on both sides; stale rotations are refused', async () => {
    const { a, b } = await pair();
    const before = (await a.seal(text('before')))[0] as string;
    const broadcast = await a.rotate(1_800_000_000_000);
    assert.equal(a.rotation, 1_800_000_000_000);
    assert.equal(await b.open(broadcast), null);
    assert.equal(b.rotation, 1_800_000_000_000);
    // A message sealed before the rotation still opens within the grace period.
    assert.deepEqual(await b.open(before), text('before'));
    assert.deepEqual(await deliver(b, await a.seal(text('after'))), [text('after')]);
    assert.deepEqual(await deliver(a, await b.seal(text('reply'))), [text('reply')]);
    const err = await refused(b.open(broadcast));
    assert.equal(err, CRYPTO_ERROR.malformed);
  });

  test('a fatal protocol-error from the peer ends the channel: nothing is sealed or opened after it', async () => {
    const { a, b } = await pair();
    const frame = (await a.seal(text('late')))[0] as string;
    const bye = encodePdu({
      type: PDU_TYPE.protocolError,
      code: SESSION_ERROR.channelBindingFailed,
      fatal: true,
    });
    const notice = encodePdu({ type: PDU_TYPE.protocolError, code: CHUNK_ERROR.timeout, fatal: false });
    assert.equal(await b.open(notice), null);
    assert.equal(b.endedByPeer, undefined);
    assert.equal(await b.open(bye), null);
    assert.equal(b.endedByPeer, SESSION_ERROR.channelBindingFailed);
    await refused(b.open(frame), CRYPTO_ERROR.notReady);
    await assert.rejects(b.seal(text('x')), (e) => isCryptoError(e, CRYPTO_ERROR.notReady));
  });

  test('exportState/importState resumes both sides (P7.4)', async () => {
    const { a, b } = await pair();
    assert.deepEqual(await deliver(b, await a.seal(text('one'))), [text('one')]);
    const sa = JSON.parse(JSON.stringify(await a.exportState()));
    const sb = JSON.parse(JSON.stringify(await b.exportState()));
    const a2 = await SecureChannel.importState(sa);
    const b2 = await SecureChannel.importState(sb);
    assert.equal(a2.sessionId, a.sessionId);
    assert.deepEqual(await deliver(b2, await a2.seal(text('two'))), [text('two')]);
    assert.deepEqual(await deliver(a2, await b2.seal(text('three'))), [text('three')]);
    await assert.rejects(SecureChannel.importState({ ...sa, v: 2 }), (e) =>
      isCryptoError(e, CRYPTO_ERROR.malformed),
    );
    await assert.rejects(SecureChannel.importState({ ...sa, role: 'responder' }), (e) =>
      isCryptoError(e, CRYPTO_ERROR.malformed),
    );
  });

  test('property: any payload round-trips exactly, in either direction', async () => {
    const { a, b } = await pair();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 3 * CHUNK_SIZE_BYTES }),
        fc.boolean(),
        async (payload, dir) => {
          const [from, to] = dir ? [a, b] : [b, a];
          const out = await deliver(to, await from.seal(payload));
          assert.equal(out.length, 1);
          assert.deepEqual(out[0], payload);
        },
      ),
      { numRuns: 25 },
    );
  });
});
