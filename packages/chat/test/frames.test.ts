import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHAT_ERROR } from '../src/errors.js';
import { FileAssembly, sha256Hex } from '../src/file-assembly.js';
import { decodeFrame, encodeChunk, encodeControl, FRAME_KIND, randomId } from '../src/frames.js';
import { MAX_APP_FRAME_BYTES } from '../src/limits.js';

const control = (value: unknown): Uint8Array => {
  const body = new TextEncoder().encode(JSON.stringify(value));
  return Uint8Array.of(FRAME_KIND.control, ...body);
};

describe('app frames', () => {
  it('round-trips control and chunk frames', () => {
    const id = randomId();
    const msg = { t: 'msg', id, text: 'hi ✓', sentAt: 1 } as const;
    assert.deepEqual(decodeFrame(encodeControl(msg)), { kind: 'control', frame: msg });
    const data = Uint8Array.of(1, 2, 3);
    const decoded = decodeFrame(encodeChunk({ transferId: id, offset: 70000, data }));
    assert.deepEqual(decoded, { kind: 'chunk', chunk: { transferId: id, offset: 70000, data } });
  });

  it('drops malformed and oversized frames with WEB_MALFORMED_FRAME', () => {
    const bad: (Uint8Array | string)[] = [
      'text',
      new Uint8Array(0),
      Uint8Array.of(0x09, 1),
      Uint8Array.of(FRAME_KIND.control, 0xff),
      control([]),
      control({ t: 'nope' }),
      control({ t: 'msg', id: 'short', text: 'x', sentAt: 1 }),
      control({ t: 'msg', id: randomId(), text: 'x'.repeat(20000), sentAt: 1 }),
      control({ t: 'receipt', kind: 'seen', ids: [randomId()] }),
      control({ t: 'receipt', kind: 'read', ids: [] }),
      control({
        t: 'file-offer',
        id: randomId(),
        name: 'a',
        size: -1,
        mime: '',
        sha256: '0'.repeat(64),
        fastPath: false,
        sentAt: 1,
      }),
      Uint8Array.of(FRAME_KIND.chunk, 1, 2),
      new Uint8Array(MAX_APP_FRAME_BYTES + 1),
    ];
    for (const frame of bad) assert.throws(() => decodeFrame(frame), { code: CHAT_ERROR.malformedFrame });
  });
});

describe('file assembly', () => {
  it('reassembles in-order chunks and checks the hash', async () => {
    const file = new Uint8Array(100).map((_, i) => i);
    const a = new FileAssembly(100, await sha256Hex(file));
    a.add(0, file.subarray(0, 60));
    a.add(60, file.subarray(60));
    assert.deepEqual(await a.finish(), file);
  });

  it('fails on gaps, overruns and a wrong hash', async () => {
    const a = new FileAssembly(10, '0'.repeat(64));
    assert.throws(() => a.add(5, new Uint8Array(1)), { code: CHAT_ERROR.transferFailed });
    assert.throws(() => a.add(0, new Uint8Array(11)), { code: CHAT_ERROR.transferFailed });
    a.add(0, new Uint8Array(10));
    await assert.rejects(a.finish(), { code: CHAT_ERROR.transferFailed });
  });
});
