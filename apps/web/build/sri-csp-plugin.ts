/**
 * Vite plugin for the production build (ch. 8.4): adds the CSP <meta> tag, puts a sha384
 * Subresource-Integrity attribute on every emitted script and stylesheet the page references, and
 * writes `security-headers.json` (CSP and companions as response headers) for the static server.
 * Hashes are computed from the exact bytes Vite emits, after every other transform.
 */
import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';
import { CSP_HEADER, CSP_META } from './csp.js';

/** sha384 is what the SRI spec recommends as the default strength. */
const SRI_ALGORITHM = 'sha384';

function integrity(source: string | Uint8Array): string {
  return `${SRI_ALGORITHM}-${createHash(SRI_ALGORITHM).update(source).digest('base64')}`;
}

/** `./assets/x.js`, `/assets/x.js` or `assets/x.js` → `assets/x.js` (the bundle's file name). */
function bundleName(url: string): string {
  return url.replace(/^\.?\//, '');
}

export function sriCspPlugin(): Plugin {
  return {
    name: 'enkrypted-sri-csp',
    apply: 'build',
    enforce: 'post',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return html;
        const hashOf = (url: string): string | undefined => {
          const item = bundle[bundleName(url)];
          if (!item) return undefined;
          return integrity(item.type === 'chunk' ? item.code : item.source);
        };
        const withSri = html.replace(
          /<(script|link)\b([^>]*?)\s(src|href)="([^"]+)"([^>]*)>/g,
          (tag, name: string, before: string, attr: string, url: string, after: string) => {
            if (/\bintegrity=/.test(tag) || /^(https?:)?\/\//.test(url)) return tag;
            if (name === 'link' && !/\brel="(stylesheet|modulepreload)"/.test(tag)) return tag;
            const sri = hashOf(url);
            if (!sri) throw new Error(`SRI: ${url} is referenced by index.html but not in the bundle`);
            const cors = /\bcrossorigin\b/.test(tag) ? '' : ' crossorigin';
            return `<${name}${before} ${attr}="${url}"${after} integrity="${sri}"${cors}>`;
          },
        );
        // Right after the charset declaration, before anything that loads a resource.
        return withSri.replace(
          '<meta charset="utf-8">',
          `<meta charset="utf-8">\n    <meta http-equiv="Content-Security-Policy" content="${CSP_META}">`,
        );
      },
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
  };
}
