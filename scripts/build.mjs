#!/usr/bin/env node
// Builds every workspace in dependency order (protocol ← crypto ← chat, peer ← apps; protocol ← broker).
// tsc's incremental build info makes a second run cheap, so `npm start` and `npm test` can always call it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const order = [
  'packages/protocol',
  'packages/crypto',
  'packages/broker',
  'packages/chat',
  'packages/peer',
  'apps/cli',
];
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

if (!existsSync(tsc)) {
  // `prepare` also runs for installs that skip devDependencies; nothing to build then.
  console.warn('build: typescript is not installed, skipping');
  process.exit(0);
}
for (const pkg of order) {
  const project = join(root, pkg, 'tsconfig.build.json');
  if (!existsSync(project)) continue;
  const r = spawnSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    console.error(`build: ${pkg} failed`);
    process.exit(r.status ?? 1);
  }
}
const web = join(root, 'apps', 'web', 'package.json');
if (existsSync(web)) {
  const r = spawnSync('npm', ['run', 'build', '-w', 'apps/web', '--if-present'], {
    stdio: 'inherit',
    cwd: root,
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
