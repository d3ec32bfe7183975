/**
 * Protocol benchmark: a 10 MiB ciphertext through the whole wire path of packages/protocol —
 * split into 8192-byte chunks, each chunk encoded (canonical JSON + base64) and decoded (size,
 * shape, JSON, strict validation), then reassembled — next to an anchor measured in the same run:
 * a plain copy of the 10 MiB buffer plus one JSON.stringify/parse of a base64 string of the same
 * size (the cost any JSON-over-data-channel design pays). Also single-PDU decode of a handshake PDU.
 * Run: node --conditions=source --import tsx bench/protocol.ts
 */
import {
  type ChunkPdu,
  decodePdu,
  encodeBase64,
  encodeMessageFrames,
  encodePdu,
  type MessagePdu,
  PDU_TYPE,
  Reassembler,
} from '@enkrypted/protocol';

const SIZE = 10 * 1024 * 1024;
/** Few rounds: each moves 10 MiB and the machine is shared. */
const ROUNDS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function message(ct: Uint8Array): MessagePdu {
  return {
    type: PDU_TYPE.message,
    messageId: 'AAECAwQFBgcICQoLDA0ODw',
    encryptedMessage: {
      encrypted: true,
      cascaded: true,
      cascadedPayload: {
        finalCiphertext: ct,
        layers: [{ algorithm: 'AES-GCM-256', version: '1.0.0' }],
        layerParameters: [{ counter: 0, rotation: 0 }],
        originalSize: ct.length - 16,
        finalSize: ct.length,
      },
    },
  };
}

function wirePath(ct: Uint8Array): number {
  const t0 = performance.now();
  const frames = encodeMessageFrames(message(ct));
  const r = new Reassembler();
  let out: Uint8Array | undefined;
  for (const f of frames) {
    const res = r.push(decodePdu(f) as MessagePdu | ChunkPdu);
    if (res.status === 'complete' && res.message.encryptedMessage.cascaded) {
      out = res.message.encryptedMessage.cascadedPayload.finalCiphertext;
    }
  }
  const ms = performance.now() - t0;
  if (out?.length !== ct.length || out[12345] !== ct[12345]) throw new Error('reassembly mismatch');
  return ms;
}

function anchor(ct: Uint8Array): number {
  const t0 = performance.now();
  const copy = ct.slice();
  const text = JSON.stringify({ data: encodeBase64(copy) });
  const back = JSON.parse(text) as { data: string };
  const ms = performance.now() - t0;
  if (back.data.length === 0) throw new Error('unreachable');
  return ms;
}

const ct = Uint8Array.from({ length: SIZE }, (_, i) => (i * 31) & 0xff);
const wire: number[] = [];
const base: number[] = [];
wirePath(ct);
anchor(ct);
for (let i = 0; i < ROUNDS; i++) {
  wire.push(wirePath(ct));
  base.push(anchor(ct));
}
const w = median(wire);
const a = median(base);
const frames = encodeMessageFrames(message(ct));
const wireBytes = frames.reduce((n, f) => n + f.length, 0);

const handshake = encodePdu({
  type: PDU_TYPE.mlkemKeyExchange,
  sessionId: 'AAECAwQFBgcICQoLDA0ODw',
  generation: 0,
  publicKey: new Uint8Array(1184),
});
const N = 2000;
const t0 = performance.now();
for (let i = 0; i < N; i++) decodePdu(handshake);
const perPdu = ((performance.now() - t0) / N) * 1000;

console.log('protocol: 10 MiB split → encode → decode → reassemble');
console.log(
  `  wire path      ${w.toFixed(1)} ms median of ${ROUNDS} (${((SIZE / 1048576 / w) * 1000).toFixed(0)} MiB/s)`,
);
console.log(
  `  anchor         ${a.toFixed(1)} ms (copy + base64 + JSON.stringify/parse of one 10 MiB string)`,
);
console.log(`  ratio          ${(w / a).toFixed(2)}x the anchor`);
console.log(`  frames         ${frames.length} (1 header + ${frames.length - 1} chunks)`);
console.log(`  wire overhead  ${(wireBytes / SIZE).toFixed(3)} bytes on the wire per ciphertext byte`);
console.log(`  decodePdu      ${perPdu.toFixed(1)} µs per mlkem-key-exchange PDU (1184-byte key)`);
