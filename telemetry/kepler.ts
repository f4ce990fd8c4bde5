// Kepler adapters for both generations, picked by which metric names exist:
//   legacy (≤ 0.9): joule counters, node label `instance`, watts = rate(...[$window]);
//   current (≥ 0.10): watts gauges, node label `node_name`, CPU zones never summed (package + dram only).
// During a rolling upgrade both may exist; a node seen in both keeps the current generation's values.
import type { InstantSample } from './prometheus-api.js';
import { renderQuery, type TelemetryConfig } from './config.js';
import { acceptSamples, powerCheck, sumInto, type PointMap, type Readings } from './readings.js';

export type KeplerGeneration = 'legacy' | 'current';

export interface NamedQuery {
  readonly name: string;
  readonly promql: string;
}

/** Generations present according to the detection query's `__name__` values. */
export function generationsFromDetection(samples: readonly InstantSample[]): KeplerGeneration[] {
  const names = new Set(samples.map((s) => s.metric.__name__ ?? ''));
  const found: KeplerGeneration[] = [];
  if (names.has('kepler_node_package_joules_total') || names.has('kepler_node_platform_joules_total')) found.push('legacy');
  if (names.has('kepler_node_cpu_watts')) found.push('current');
  return found;
}

const NODE_PARTS = ['platform', 'package', 'dram', 'gpu'] as const;

export function keplerQueries(cfg: TelemetryConfig, generations: readonly KeplerGeneration[], scope: 'node' | 'all'): NamedQuery[] {
  const out: NamedQuery[] = [];
  for (const gen of generations) {
    const q = gen === 'legacy' ? cfg.kepler.legacy : cfg.kepler.current;
    for (const part of NODE_PARTS) out.push({ name: `kepler.${gen}.${part}`, promql: renderQuery(q[part], cfg) });
    if (scope === 'node') continue;
    if (gen === 'legacy') out.push({ name: 'kepler.legacy.podTotal', promql: renderQuery(cfg.kepler.legacy.podTotal, cfg) });
    else out.push({ name: 'kepler.current.podCpu', promql: renderQuery(cfg.kepler.current.podCpu, cfg) });
    out.push({ name: `kepler.${gen}.podGpu`, promql: renderQuery(q.podGpu, cfg) });
  }
  return out;
}

/** Fills node and pod components from the named query results. Legacy first so current wins. */
export function applyKepler(
  results: ReadonlyMap<string, readonly InstantSample[]>,
  cfg: TelemetryConfig,
  generations: readonly KeplerGeneration[],
  readings: Readings,
): void {
  const ordered = [...generations].sort((a) => (a === 'legacy' ? -1 : 1));
  for (const gen of ordered) {
    readings.generations.push(gen);
    const q = gen === 'legacy' ? cfg.kepler.legacy : cfg.kepler.current;
    const nodeKey = (s: InstantSample) => s.metric[q.nodeLabel] || undefined;
    const podKey = (s: InstantSample) => {
      const ns = s.metric[q.namespaceLabel];
      const pod = s.metric[q.podLabel];
      return ns && pod ? `${ns}/${pod}` : undefined;
    };
    const targets = { platform: readings.node.platform, package: readings.node.package, dram: readings.node.dram, gpu: readings.node.keplerGpu };
    for (const part of NODE_PARTS) {
      const samples = results.get(`kepler.${gen}.${part}`);
      if (samples === undefined) continue;
      replaceInto(targets[part], acceptSamples(`kepler ${gen} node ${part}`, samples, nodeKey, powerCheck, readings, readings.rejectedNodes));
    }
    const gpu = new Map() as PointMap;
    sumInto(gpu, acceptSamples(`kepler ${gen} pod gpu`, results.get(`kepler.${gen}.podGpu`) ?? [], podKey, powerCheck, readings, readings.rejectedPods));
    const cpu = new Map() as PointMap;
    if (gen === 'legacy') {
      // kepler_container_joules_total includes the GPU: subtract it so DCGM can replace that part.
      const total = new Map() as PointMap;
      sumInto(total, acceptSamples('kepler legacy pod total', results.get('kepler.legacy.podTotal') ?? [], podKey, powerCheck, readings, readings.rejectedPods));
      for (const [key, p] of total) cpu.set(key, { value: Math.max(0, p.value - (gpu.get(key)?.value ?? 0)), timeMs: p.timeMs });
    } else {
      sumInto(cpu, acceptSamples('kepler current pod cpu', results.get('kepler.current.podCpu') ?? [], podKey, powerCheck, readings, readings.rejectedPods));
    }
    for (const [k, p] of cpu) readings.pod.cpu.set(k, p);
    for (const [k, p] of gpu) readings.pod.keplerGpu.set(k, p);
  }
}

/** Per generation, one series per key (the queries aggregate); a later generation replaces an earlier one. */
function replaceInto(target: PointMap, accepted: readonly { key: string; sample: InstantSample }[]): void {
  const fresh = new Map() as PointMap;
  sumInto(fresh, accepted);
  for (const [k, p] of fresh) target.set(k, p);
}
