/**
 * Sliding-window replay detection over message counters (the IPsec/WireGuard anti-replay scheme,
 * RFC 6479 style): remembers the highest counter accepted and which of the WINDOW counters below it
 * were seen. Immutable: `check` never changes anything, `accept` returns a new window, so a failed
 * decrypt elsewhere in the cascade leaves replay state untouched.
 */
import { CRYPTO_ERROR, CryptoError } from '../errors.js';

/**
 * How far behind the newest counter a message may arrive. A data channel is ordered, so real
 * reordering is rare; 1024 covers retransmission after reconnects with room to spare while the
 * bitmap stays 128 bytes.
 */
export const REPLAY_WINDOW = 1024;

export interface ReplayWindow {
  /** Highest counter accepted so far, or -1 before the first. */
  readonly highest: number;
  /** Bit i set ⇔ counter (highest - i) was accepted; length REPLAY_WINDOW / 8. */
  readonly seen: Uint8Array;
}

export function emptyReplayWindow(): ReplayWindow {
  return { highest: -1, seen: new Uint8Array(REPLAY_WINDOW / 8) };
}

function bit(seen: Uint8Array, offset: number): boolean {
  return (((seen[offset >>> 3] as number) >>> (offset & 7)) & 1) === 1;
}

/** Throws CRYPTO_REPLAY for a counter already accepted or too old to tell. */
export function checkReplay(window: ReplayWindow, counter: number): void {
  if (counter > window.highest) return;
  const offset = window.highest - counter;
  if (offset >= REPLAY_WINDOW || bit(window.seen, offset)) {
    throw new CryptoError(
      CRYPTO_ERROR.replay,
      'message counter already seen or older than the replay window',
    );
  }
}

/** The window after accepting `counter` (call `checkReplay` first). */
export function acceptCounter(window: ReplayWindow, counter: number): ReplayWindow {
  const seen = new Uint8Array(REPLAY_WINDOW / 8);
  if (counter > window.highest) {
    const shift = window.highest < 0 ? REPLAY_WINDOW : counter - window.highest;
    if (shift < REPLAY_WINDOW) {
      for (let off = 0; off + shift < REPLAY_WINDOW; off++) {
        if (bit(window.seen, off))
          seen[(off + shift) >>> 3] = (seen[(off + shift) >>> 3] as number) | (1 << ((off + shift) & 7));
      }
    }
    seen[0] = (seen[0] as number) | 1;
    return { highest: counter, seen };
  }
  seen.set(window.seen);
  const offset = window.highest - counter;
  seen[offset >>> 3] = (seen[offset >>> 3] as number) | (1 << (offset & 7));
  return { highest: window.highest, seen };
}
