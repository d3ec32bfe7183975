/**
 * ts-mls client configuration of the MLS layer. Only the out-of-order bounds differ from ts-mls's
 * defaults: every cascade layer sees the same message sequence, so MLS must tolerate the same
 * reordering as the ML-KEM chain (MLKEM_MAX_SKIP) and the AES replay window, or it would be the
 * hidden bottleneck.
 */
import {
  type ClientConfig,
  defaultAuthenticationService,
  defaultKeyPackageEqualityConfig,
  defaultLifetimeConfig,
  defaultPaddingConfig,
} from 'ts-mls';

/** Generations a receiver may skip forward in one message (ts-mls default 200). */
export const MLS_MAX_FORWARD_STEPS = 1000;
/** Skipped generations kept for late messages (ts-mls default 10). */
export const MLS_RETAINED_GENERATIONS = 1000;
/** Past epochs whose keys are kept for late messages; ts-mls's default. */
export const MLS_RETAINED_EPOCHS = 4;

export const mlsClientConfig: ClientConfig = {
  keyRetentionConfig: {
    retainKeysForGenerations: MLS_RETAINED_GENERATIONS,
    retainKeysForEpochs: MLS_RETAINED_EPOCHS,
    maximumForwardRatchetSteps: MLS_MAX_FORWARD_STEPS,
  },
  lifetimeConfig: defaultLifetimeConfig,
  keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
  // Pads every message to at least 256 bytes so short texts do not reveal their exact length.
  paddingConfig: defaultPaddingConfig,
  authService: defaultAuthenticationService,
};
