// The CLI's building blocks, for embedding; the command itself is src/cli.ts (bin/enkrypted.js).
export * from './errors.js';
export * from './home.js';
export * from './link.js';
export * from './options.js';
export * from './output.js';
