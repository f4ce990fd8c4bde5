// Public surface of the capper's pure decision code (shared with the simulator).
export * from './types.js';
export { decide, actionsToApply, actionsToPublish, stateAfter } from './decide.js';
export { assessRacks, capW, guardedRacks, isHot } from './rack-assess.js';
export { forecastPeakW, holtForecast, holtWintersForecast, fitHolt, type HoltParams } from './forecast.js';
export { ownersMaxReplicaCount, ownerEdited, isCapped } from './replica-plan.js';
