/**
 * Debian's Chromium driven by playwright-core, the one way every browser test starts a browser.
 * The flags keep it off the network this machine does not have (no background requests, no QUIC,
 * no component updates) and, for WebRTC, on loopback: loopback candidates are only gathered with
 * full interface enumeration, which Chromium grants after a (fake) media permission
 * (shared/reference/deps.md §5).
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** A reason to skip browser tests when the test command could not install Chromium, else false. */
export const CHROMIUM_MISSING: string | false = !existsSync(CHROMIUM) && `${CHROMIUM} missing`;

const BASE_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

const LOOPBACK_WEBRTC_ARGS = [
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
];

export function launchChromium(options: { webrtc?: boolean } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: options.webrtc === false ? BASE_ARGS : [...BASE_ARGS, ...LOOPBACK_WEBRTC_ARGS],
  });
}
