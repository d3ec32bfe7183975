import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { loadVectors } from './load.js';

it('the vector loader fails on a file with zero cases', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vectors-'));
  try {
    writeFileSync(join(dir, 'empty.json'), JSON.stringify({ vector: 'VX', cases: [] }));
    writeFileSync(join(dir, 'none.json'), JSON.stringify({ vector: 'VX' }));
    assert.throws(() => loadVectors('empty.json', dir), /no vector cases/);
    assert.throws(() => loadVectors('none.json', dir), /no vector cases/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
