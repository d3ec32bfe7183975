/**
 * Regenerates the fixed-seed vectors of the MLS/ML-KEM/AES/cascade modules. Run by hand only when a
 * layer's wire format changes on purpose (then bump the layer version):
 *   node --import tsx packages/crypto/test/cascade/generate-vectors.ts
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeAesVector, computeLiveCascadeVector, computeMlKemVector } from './vector-cases.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'vectors');
const write = (name: string, data: unknown) =>
  writeFileSync(join(dir, name), `${JSON.stringify(data, null, 2)}\n`);
write('aes-layer.json', await computeAesVector());
write('mlkem-layer.json', await computeMlKemVector());
write('cascade-live.json', await computeLiveCascadeVector());
