export * from './errors.js';
export * from './signaling/index.js';
