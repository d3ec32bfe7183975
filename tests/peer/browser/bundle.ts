/**
 * Builds the browser bundle of the peer library (esbuild, the `browser` condition first, then
 * `source` so workspace packages come from their TypeScript sources).
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from '../../support/brokers.js';

export async function buildBrowserBundle(): Promise<string> {
  const result = await build({
    entryPoints: [join(REPO_ROOT, 'tests', 'peer', 'browser', 'page-entry.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    conditions: ['browser', 'source'],
    logLevel: 'silent',
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error('esbuild produced no output');
  return out.text;
}
