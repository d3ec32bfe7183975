#!/usr/bin/env node
// The whole test suite: system packages the tests drive, build, type check, lint, then every
// `*.test.ts` under packages/*/test, apps/*/test and tests/ through Node's own test runner.
// Flags: --no-system-deps, --no-check (skip build/typecheck/lint), and file or folder filters.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSystemDeps } from './system-deps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const filters = args.filter((a) => !a.startsWith('--'));

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function findTests(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

if (!flags.has('--no-system-deps')) ensureSystemDeps();
if (!flags.has('--no-check')) {
  run(process.execPath, ['scripts/build.mjs']);
  run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']);
  // The web app needs its own JSX settings, so it is type-checked as its own project.
  run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'apps/web/tsconfig.json', '--noEmit']);
  run(process.execPath, ['node_modules/@biomejs/biome/bin/biome', 'check', '.']);
}

const roots = ['packages', 'apps', 'tests'].map((d) => join(root, d));
let files = roots.flatMap((d) => findTests(d)).sort();
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
run(process.execPath, [
  '--conditions=source',
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=2',
  '--test-timeout=300000',
  ...files,
]);
