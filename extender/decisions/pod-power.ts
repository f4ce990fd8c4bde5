// A pod's expected power: the operator's annotation wins, then GPUs × W per GPU (by model when the
// model is known), then a CPU-based default. Never throws: a bad annotation is reported and skipped.
import type { FieldIssue } from '../../common/index.js';
import type { ContainerLike, PodLike, PodPowerConfig, PodPowerEstimate } from './types.js';

export const POWER_ANNOTATION = 'climatik.io/expected-power-watts';
export const DEFAULT_GPU_RESOURCES: readonly string[] = ['nvidia.com/gpu'];
export const DEFAULT_GPU_MODEL_LABEL = 'nvidia.com/gpu.product';

export const DEFAULT_POD_POWER_CONFIG: PodPowerConfig = Object.freeze({
  wattsPerGpu: 700,
  wattsPerCpuCore: 12,
  minPodPowerW: 50,
  gpuModelLabel: DEFAULT_GPU_MODEL_LABEL,
  gpuResources: DEFAULT_GPU_RESOURCES,
});

export function expectedPodPowerW(pod: PodLike, config: PodPowerConfig, nodeLabels?: Readonly<Record<string, string>>): number {
  return estimatePodPower(pod, config, nodeLabels).powerW;
}

/** Like `expectedPodPowerW`, also saying where the number came from. */
export function estimatePodPower(pod: PodLike, config: PodPowerConfig, nodeLabels?: Readonly<Record<string, string>>): PodPowerEstimate {
  const issues: FieldIssue[] = [];
  const raw = pod.metadata?.annotations?.[POWER_ANNOTATION];
  if (raw !== undefined) {
    const powerW = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
    if (Number.isFinite(powerW) && powerW >= 0) return { powerW, source: 'annotation', issues };
    issues.push({ path: `/metadata/annotations/${POWER_ANNOTATION.replace(/\//g, '~1')}`, message: 'expected a number of watts >= 0', value: raw });
  }
  const gpus = effectiveRequest(pod, (c) => gpuCount(c, config.gpuResources ?? DEFAULT_GPU_RESOURCES));
  if (gpus > 0) return { powerW: gpus * wattsPerGpu(pod, config, nodeLabels), source: 'gpu', issues };
  const cores = effectiveRequest(pod, cpuCores);
  return { powerW: Math.max(config.minPodPowerW, cores * config.wattsPerCpuCore), source: 'cpu', issues };
}

function wattsPerGpu(pod: PodLike, config: PodPowerConfig, nodeLabels: Readonly<Record<string, string>> | undefined): number {
  const label = config.gpuModelLabel ?? DEFAULT_GPU_MODEL_LABEL;
  const model = nodeLabels?.[label] ?? pod.spec?.nodeSelector?.[label];
  const byModel = model === undefined ? undefined : config.wattsPerGpuByModel?.[model];
  return byModel ?? config.wattsPerGpu;
}

/** Kubernetes' effective request: max(sum over containers, largest init container). */
function effectiveRequest(pod: PodLike, amount: (c: ContainerLike) => number): number {
  const containers = Array.isArray(pod.spec?.containers) ? pod.spec.containers : [];
  const inits = Array.isArray(pod.spec?.initContainers) ? pod.spec.initContainers : [];
  const sum = containers.reduce((acc, c) => acc + amount(c), 0);
  const init = inits.reduce((acc, c) => Math.max(acc, amount(c)), 0);
  return Math.max(sum, init);
}

function gpuCount(c: ContainerLike, resources: readonly string[]): number {
  let total = 0;
  for (const name of resources) {
    // Extended resources must have requests == limits, but either may be the one that is written.
    total += Math.max(quantity(c.resources?.limits?.[name]), quantity(c.resources?.requests?.[name]));
  }
  return total;
}

function cpuCores(c: ContainerLike): number {
  return quantity(c.resources?.requests?.cpu ?? c.resources?.limits?.cpu);
}

const SUFFIX: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9 };

/** Parses a Kubernetes quantity as far as CPU and GPU counts need ("500m", "2", "1.5"); else 0. */
export function quantity(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : 0;
  if (typeof value !== 'string') return 0;
  const match = /^\s*(\d+(?:\.\d+)?)([mkKMG]?)\s*$/.exec(value);
  if (match === null) return 0;
  const n = Number(match[1]) * (SUFFIX[match[2] ?? ''] ?? 0);
  return Number.isFinite(n) ? n : 0;
}
