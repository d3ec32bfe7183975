import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { addSri } from '../build/sri-csp-plugin.js';

const files: Record<string, Uint8Array> = {
  'assets/a.js': new TextEncoder().encode('console.log(1)'),
  'assets/a.css': new TextEncoder().encode('body{}'),
};
const sri = (p: string) => `sha384-${createHash('sha384').update(files[p]!).digest('base64')}`;
const read = (p: string) => {
  const f = files[p];
  if (!f) throw new Error(`missing ${p}`);
  return f;
};

describe('SRI on the built index.html', () => {
  it('adds integrity and crossorigin to local scripts and stylesheets only', () => {
    const html = [
      '<script type="module" crossorigin src="./assets/a.js"></script>',
      '<link rel="stylesheet" href="./assets/a.css">',
      '<link rel="icon" href="data:,">',
    ].join('\n');
    const out = addSri(html, read);
    assert.ok(out.includes(`src="./assets/a.js" integrity="${sri('assets/a.js')}"`));
    assert.ok(out.includes(`href="./assets/a.css" integrity="${sri('assets/a.css')}" crossorigin`));
    assert.ok(out.includes('<link rel="icon" href="data:,">'));
  });

  it('fails the build when a referenced file is missing', () => {
    assert.throws(() => addSri('<script src="./assets/missing.js"></script>', read), /missing/);
  });
});
