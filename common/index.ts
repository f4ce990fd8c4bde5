export * from './errors.js';
export * from './units.js';
export * from './schema.js';
export * from './freeze.js';
export * from './config.js';
export * from './logger.js';
export * from './clock.js';
export * from './cli-args.js';
