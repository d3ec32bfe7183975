/**
 * Serving a built web app (apps/web/dist) next to the broker on the same port, so one command runs
 * the whole product. The site is read into memory once at start: a built chat app is a few hundred
 * KiB, lookups are then a Map hit, and no request path ever touches the file system (no traversal,
 * no symlink escapes, no TOCTOU).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { BROKER_ERROR, BrokerError } from '../errors.js';

/** A built single-page app is well under this; a bigger folder is almost surely the wrong one. */
export const MAX_STATIC_SITE_BYTES = 64 * 1024 * 1024;
/** Same reasoning for the file count. */
export const MAX_STATIC_SITE_FILES = 2_000;
/** Written by the web build: response headers (CSP and companions) for every page. */
export const SECURITY_HEADERS_FILE = 'security-headers.json';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export interface StaticFile {
  body: Buffer;
  type: string;
  /** Content-hashed build outputs never change under their name. */
  immutable: boolean;
}

export interface StaticSite {
  files: ReadonlyMap<string, StaticFile>;
  /** Applied to every static response (CSP, nosniff, …). */
  headers: Readonly<Record<string, string>>;
}

function walk(root: string, dir: string, out: Map<string, StaticFile>, budget: { bytes: number }): void {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) {
      walk(root, full, out, budget);
      continue;
    }
    if (!st.isFile()) continue;
    const rel = relative(root, full).split(sep).join('/');
    if (rel === SECURITY_HEADERS_FILE) continue;
    budget.bytes += st.size;
    if (budget.bytes > MAX_STATIC_SITE_BYTES || out.size >= MAX_STATIC_SITE_FILES) {
      throw new BrokerError(BROKER_ERROR.invalidOption, `static site ${root} is too large to serve`);
    }
    out.set(`/${rel}`, {
      body: readFileSync(full),
      type: CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
      immutable: rel.startsWith('assets/'),
    });
  }
}

function readSecurityHeaders(root: string): Record<string, string> {
  const base: Record<string, string> = { 'X-Content-Type-Options': 'nosniff' };
  let text: string;
  try {
    text = readFileSync(join(root, SECURITY_HEADERS_FILE), 'utf8');
  } catch {
    return base;
  }
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BrokerError(BROKER_ERROR.invalidOption, `${SECURITY_HEADERS_FILE} must be a JSON object`);
  }
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9-]+$/.test(k) || /[\r\n]/.test(v)) {
      throw new BrokerError(BROKER_ERROR.invalidOption, `${SECURITY_HEADERS_FILE}: bad header ${k}`);
    }
    base[k] = v;
  }
  return base;
}

/** Reads a built site; throws BrokerError(BROKER_INVALID_OPTION) when it is unusable. */
export function loadStaticSite(root: string): StaticSite {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(root);
  } catch {
    throw new BrokerError(BROKER_ERROR.invalidOption, `static site folder ${root} does not exist`);
  }
  if (!st.isDirectory()) throw new BrokerError(BROKER_ERROR.invalidOption, `${root} is not a folder`);
  const files = new Map<string, StaticFile>();
  walk(root, root, files, { bytes: 0 });
  if (!files.has('/index.html')) {
    throw new BrokerError(
      BROKER_ERROR.invalidOption,
      `static site ${root} has no index.html (build it first)`,
    );
  }
  return { files, headers: readSecurityHeaders(root) };
}

/**
 * Answers a GET/HEAD for `path` (already stripped of its query) from the site, or returns false so
 * the caller can 404. Paths without a file extension fall back to index.html (client-side routes).
 */
export function serveStatic(site: StaticSite, path: string, res: ServerResponse): boolean {
  let file = site.files.get(path === '/' ? '/index.html' : path);
  if (!file && extname(path) === '') file = site.files.get('/index.html');
  if (!file) return false;
  res.statusCode = 200;
  for (const [k, v] of Object.entries(site.headers)) res.setHeader(k, v);
  res.setHeader('Content-Type', file.type);
  res.setHeader('Content-Length', file.body.length);
  res.setHeader('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  res.end(res.req.method === 'HEAD' ? undefined : file.body);
  return true;
}
