export * from './errors.js';
export * from './file-assembly.js';
export * from './frames.js';
export * from './limits.js';
export * from './message-status.js';
