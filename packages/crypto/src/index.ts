export * from './errors.js';
export * from './identity/index.js';
export * from './layer.js';
export * from './random.js';
export * from './signal/index.js';
