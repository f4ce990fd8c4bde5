// Public surface of the rack model: topology, thermal and cooling maths, planners. Pure (no I/O)
// except loadTopologyFile, which reads the document it is given.
export * from './types.js';
export * from './topology-schema.js';
export { topologyIssues } from './topology-validate.js';
export { parseTopology, rackOfNode } from './topology.js';
export { loadTopologyFile } from './topology-file.js';
export { generateRecirculationMatrix, buildLayoutGraph, ROW_LAYOUT_DEFAULTS, type PlacedRack, type RowLayoutParams } from './recirculation-matrix.js';
export {
  coefficientOfPerformance,
  coolingPowerW,
  inletTemperaturesC,
  powerVectorW,
  recirculationRiseC,
  thermalDetail,
  thermalSummary,
  type ThermalDetail,
} from './thermal.js';
export { RackPowerFileSchema, parseRackPowerFile, rackPowerIssues, type RackPowerFile } from './rack-power.js';
export { lpPlanner, createLpPlanner, type LpSolve } from './lp-planner.js';
export { greedyPlanner, createGreedyPlanner, type GreedyOptions } from './greedy-planner.js';
export { planners, type PlannerName } from './planners.js';
export { clampLimitW, decodeSlowdown, gpuPeakW, gpuPowerW, prefillSlowdown, type GpuPowerSpec } from './gpu-power.js';
