// Public surface of the capper: the policy resource, its pure decisions (shared with the
// simulator), the GPU backend seam and the controller/agent classes for embedding.
export * from './policy-schema.js';
export { resolvePolicy, policySpecIssues, specWithDefaults, type ResolvedPolicy } from './policy-validate.js';
export { buildPolicyCrd, policyCrdYaml } from './crd.js';
export * from './decisions/index.js';
export { GpuBackendError, type GpuPowerBackend, type GpuStatus } from './gpu/backend.js';
export { nvidiaSmiBackend, parseQueryCsv } from './gpu/nvidia-smi-backend.js';
export { FakeGpuBackend } from './gpu/fake-backend.js';
export { applyGpuLimit, type AppliedReport } from './node-agent/apply.js';
export { NodeAgent } from './node-agent/agent.js';
export { Capper, type CapperDeps } from './controller.js';
export { buildTargets, type ClusterObjects, type ScaledObject } from './cluster-view.js';
export { FilePowerSource, PrometheusPowerSource, type CapperPowerSource, type PrometheusPowerOptions } from './power-source.js';
export { TopologySource, type TopologySourceDeps, type ReloadResult } from './topology-source.js';
export { LeaseLock } from './leader.js';
export { summarizeOutcomes, updateOutcomes, type CounterfactualSummary, type OutcomeRecord } from './counterfactual/index.js';
