// Public surface of the extender: the pure placement decisions (shared with the simulator) and the
// app factory with its seams. `main.ts` is the CLI entry (`climatik extender`).
export * from './decisions/index.js';
export { buildExtender, DEFAULT_BODY_LIMIT_BYTES, type BuiltExtender } from './app.js';
export type { ExtenderDeps, ExtenderSettings, ExtenderContext, TlsSettings } from './context.js';
export { OFFLINE_BIND_ERROR, type Binder, type BindOutcome, type BindTarget } from './binder.js';
export { BindLedger, podKey, type LedgerEntry, type UncoveredContext } from './ledger.js';
export { PlanStore, type PlanInputs, type StoredPlan, type PlanStoreOptions } from './plan-store.js';
export { TopologyStore, type ApplyResult } from './topology-store.js';
export { effectivePower, type EffectivePower, type PowerSource } from './power-source.js';
export { placementView, planInputs, candidateOf, type NodeLabelSource, type PlacementView, type PlacementSources } from './placement.js';
export { PendingDemand, applyPodEvent, ledgerEntryOf, boundAtMs, runningSinceMs, type TrackedPod, type TrackingContext } from './pod-tracking.js';
export { ExtenderConfigSchema, extenderConfig, type ExtenderConfig } from './config.js';
export { buildRuntime, type ExtenderRuntime, type RuntimeParts } from './runtime.js';
export * from './wire.js';
