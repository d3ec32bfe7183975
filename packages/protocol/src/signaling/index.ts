export * from './json-scan.js';
export * from './limits.js';
export * from './messages.js';
export * from './relay-read.js';
export * from './relay-splice.js';
export * from './validate.js';
