// Public surface of the simulator: load a scenario, replay it under each policy, render the results.
export { parseTrace, readTraceFile, parseAzureTimestampS, type Trace, type TraceFormat } from './trace-reader.js';
export { shapeTrace, type ShapeOptions } from './trace-shape.js';
export { loadScenario, resolveScenario, defaultScenarioPath, bundledDataDir, type ResolvedScenario, type ScenarioOverrides } from './scenario.js';
export { ScenarioSchema, POLICY_NAMES, type PolicyName, type ScenarioDocument } from './scenario-schema.js';
export { runPolicy } from './engine.js';
export { runLpBound } from './lp-bound.js';
export { simulate, toJson, twinRuns, type SimulationResult, type SimulationJson, type ProgressFn } from './simulate.js';
export { counterfactualReport, counterfactualSummary, verdict, type CounterfactualReport } from './counterfactual.js';
export { CapMeter } from './cap-meter.js';
export type { PolicyMetrics, PolicyExtras, PolicyRun, PolicySeries, CappingOutcome } from './results.js';
export { comparisonTable, counterfactualSection } from './report-table.js';
export { renderHtmlReport } from './report-html.js';
export { prefillSlowdown, decodeSlowdown, gpuPowerW, type GpuPowerSpec } from './gpu-power.js';
export { Autoscaler, type AutoscalerSpec } from './autoscaler.js';
export { createPrng, forkPrng, type Prng } from './prng.js';
