/** Public surface of the secure channel (P6 paths after Ready). */
export * from './payload.js';
export * from './secure-channel.js';
