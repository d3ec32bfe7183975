/** Public surface of identities, TOFU pins, safety numbers and channel binding. */
export * from './channel-binding.js';
export * from './contact-pins.js';
export * from './identity-keys.js';
export * from './safety-number.js';
export * from './signed-prekey.js';
