// Installs the Debian packages that the test suite drives for real (Chromium for browser tests,
// redis-server for cluster tests, coturn for TURN tests) when they are missing. Exported so that the
// test runner and the benchmarks share one list.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** binary that proves the package is there → Debian package that provides it */
export const SYSTEM_DEPS = [
  { bin: '/usr/bin/chromium', pkg: 'chromium' },
  { bin: '/usr/bin/redis-server', pkg: 'redis-server' },
  { bin: '/usr/bin/turnserver', pkg: 'coturn' },
];

export function ensureSystemDeps(wanted = SYSTEM_DEPS) {
  const missing = wanted.filter((d) => !existsSync(d.bin)).map((d) => d.pkg);
  if (missing.length === 0) return true;
  if (process.platform !== 'linux' || process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    console.warn(`system deps missing (${missing.join(', ')}); install them to run every test`);
    return false;
  }
  console.log(`installing system packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (update.status !== 0) return false;
  const inst = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env,
  });
  return inst.status === 0;
}
