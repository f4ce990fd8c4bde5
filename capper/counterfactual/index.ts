// Public surface of the counterfactual report: outcome records kept in the policy status, the model
// of the choice not made, and the summary shared with the simulator (types.ts).
export type { CounterfactualBasis, CounterfactualSide, CounterfactualSummary } from './types.js';
export { CounterfactualSummarySchema, OutcomeRecordSchema, OutcomeSideSchema, type OutcomeRecord, type OutcomeSide } from './schema.js';
export { actionEffectW, gpuServedShare, gpuSpecOf, PREFILL_SHARE, rackEffect, type EffectContext, type RackEffect } from './effect.js';
export { actionLabel, fold, FOLLOW_MS, markTaken, MAX_OUTCOMES, MAX_SAMPLE_GAP_MS, newRecommendation, recovered, updateOutcomes, type OutcomeUpdate } from './outcomes.js';
export { summarizeOutcomes } from './summary.js';
