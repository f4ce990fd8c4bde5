export * from './types.js';
export * from './pod-power.js';
export * from './projection.js';
export * from './filter.js';
export * from './score.js';
export * from './plan-request.js';
