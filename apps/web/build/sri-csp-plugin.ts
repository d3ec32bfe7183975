/**
 * Vite plugin for the production build (ch. 8.4): adds the CSP <meta> tag, puts a sha384
 * Subresource-Integrity attribute on every script and stylesheet index.html references, and writes
 * `security-headers.json` (CSP and companions as response headers) for the static server.
 *
 * Hashes are computed in `writeBundle` from the files as written to disk, so no later transform
 * (minification runs after index.html is generated) can make them stale.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { CSP_HEADER, CSP_META } from './csp.js';

/** sha384 is what the SRI spec recommends as the default strength. */
const SRI_ALGORITHM = 'sha384';

function integrity(source: Uint8Array): string {
  return `${SRI_ALGORITHM}-${createHash(SRI_ALGORITHM).update(source).digest('base64')}`;
}

/** Adds integrity (and crossorigin) to each local <script src> and stylesheet/modulepreload <link>. */
export function addSri(html: string, read: (path: string) => Uint8Array): string {
  return html.replace(
    /<(script|link)\b([^>]*?)\s(src|href)="([^"]+)"([^>]*)>/g,
    (tag, name: string, before: string, attr: string, url: string, after: string) => {
      if (/\bintegrity=/.test(tag) || /^(?:[a-z]+:|\/\/)/i.test(url)) return tag;
      if (name === 'link' && !/\brel="(stylesheet|modulepreload)"/.test(tag)) return tag;
      const sri = integrity(read(url.replace(/^\.?\//, '')));
      const cors = /\bcrossorigin\b/.test(tag) ? '' : ' crossorigin';
      return `<${name}${before} ${attr}="${url}"${after} integrity="${sri}"${cors}>`;
    },
  );
}

export function sriCspPlugin(): Plugin {
  let outDir = 'dist';
  return {
    name: 'enkrypted-sri-csp',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    transformIndexHtml: {
      order: 'post',
      // Right after the charset declaration, before anything that loads a resource.
      handler: (html) =>
        html.replace(
          '<meta charset="utf-8">',
          `<meta charset="utf-8">\n    <meta http-equiv="Content-Security-Policy" content="${CSP_META}">`,
        ),
    },
    generateBundle() {
      this.emitFile({
        type: 'asset',
        fileName: 'security-headers.json',
        source: `${JSON.stringify(
          {
            'Content-Security-Policy': CSP_HEADER,
            'X-Content-Type-Options': 'nosniff',
            'Referrer-Policy': 'no-referrer',
            'Cross-Origin-Opener-Policy': 'same-origin',
            'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
          },
          null,
          2,
        )}\n`,
      });
    },
    writeBundle() {
      const index = join(outDir, 'index.html');
      const html = readFileSync(index, 'utf8');
      writeFileSync(
        index,
        addSri(html, (p) => readFileSync(join(outDir, p))),
      );
    },
  };
}
