/**
 * Runs the protocol package in real headless Chromium: its sources, transpiled file by file with
 * TypeScript (no bundler, no polyfills), are served from 127.0.0.1 as ES modules, and the page
 * round-trips every PDU family, chunks and reassembles a 1 MiB message and checks the golden V1
 * vector. Proves the package needs nothing Node-specific (no node:*, no Buffer).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import ts from 'typescript';
import { launchChromium } from '../../../../tests/support/chromium.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

let server: Server;
let browser: Browser;
let base: string;

before(async () => {
  server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>protocol</title>');
      return;
    }
    // Only .js module requests under src/, mapped to their .ts source; no path escapes.
    if (!/^\/(?:[a-z0-9-]+\/)*[a-z0-9-]+\.js$/.test(path)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const source = await readFile(`${SRC}${path.slice(1, -3)}.ts`, 'utf8');
      const out = ts.transpileModule(source, {
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          verbatimModuleSyntax: true,
        },
      });
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(out.outputText);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium({ webrtc: false });
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

it('packages/protocol runs unchanged in Chromium', { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${base}/`);
    const result = await page.evaluate(async (url) => {
      const p = await import(url);
      const id = p.encodeBase64url(crypto.getRandomValues(new Uint8Array(16)));
      const out: Record<string, unknown> = {};
      out.hasBuffer = typeof (globalThis as { Buffer?: unknown }).Buffer !== 'undefined';
      const kex = {
        type: 'mlkem-key-exchange',
        sessionId: id,
        generation: 0,
        publicKey: new Uint8Array(1184).fill(9),
      };
      const text = p.encodePdu(kex);
      out.kexRoundTrip = p.encodePdu(p.decodePdu(text)) === text;
      out.bytesInput = p.decodePdu(new TextEncoder().encode(text)).publicKey.length;
      const ct = new Uint8Array(1024 * 1024).map((_, i) => (i * 13) & 0xff);
      const msg = {
        type: 'message',
        messageId: id,
        encryptedMessage: {
          encrypted: true,
          cascaded: true,
          cascadedPayload: {
            finalCiphertext: ct,
            layers: [{ algorithm: 'AES-GCM-256', version: '1' }],
            layerParameters: [{ counter: 1 }],
            originalSize: ct.length - 16,
            finalSize: ct.length,
          },
        },
      };
      const frames: string[] = p.encodeMessageFrames(msg);
      const r = new p.Reassembler();
      let back: Uint8Array | undefined;
      for (const f of frames.reverse()) {
        const res = r.push(p.decodePdu(f));
        if (res.status === 'complete') back = res.message.encryptedMessage.cascadedPayload.finalCiphertext;
      }
      out.frames = frames.length;
      out.reassembled = back !== undefined && back.length === ct.length && back.every((b, i) => b === ct[i]);
      const v1 = p.mockCascadeEncrypt(p.hexToBytes('4869'), ['MockCipher1', 'MockCipher2', 'MockCipher3']);
      out.v1 = p.bytesToHex(v1.finalCiphertext);
      try {
        p.decodePdu('{"type":"message"}');
      } catch (e) {
        out.errorCode = (e as { code?: string }).code;
      }
      return out;
    }, `${base}/index.js`);
    assert.deepEqual(result, {
      hasBuffer: false,
      kexRoundTrip: true,
      bytesInput: 1184,
      frames: 129,
      reassembled: true,
      v1: '4869010203',
      errorCode: 'PDU_MISSING_SPEC_VERSION',
    });
  } finally {
    await page.close();
  }
});
