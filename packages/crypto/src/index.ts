export * from './errors.js';
export * from './layer.js';
export * from './random.js';
