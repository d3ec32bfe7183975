/**
 * Entry of the browser bundle used by the Chromium test: the library as a page would import it,
 * exposed on `window` for the test to drive. Bundled with the `browser` condition, so the platform
 * seam resolves to native WebRTC and WebSocket.
 */
import * as enkryptedPeer from '@enkrypted/peer';

(globalThis as unknown as { enkryptedPeer: typeof enkryptedPeer }).enkryptedPeer = enkryptedPeer;
