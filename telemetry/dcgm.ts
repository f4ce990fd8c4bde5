// NVIDIA DCGM exporter adapter: one series per GPU. The host label is `Hostname` in releases and
// `hostname` on newer builds; pod labels are `pod`/`namespace`, or `exported_pod`/`exported_namespace`
// when Prometheus scrapes with honor_labels: false (then `pod` is the exporter's own pod, so once any
// series of a scrape job carries an exported_* label only those are trusted for that job).
import type { InstantSample } from './prometheus-api.js';
import type { TelemetryConfig } from './config.js';
import type { NamedQuery } from './kepler.js';
import { acceptSamples, firstLabel, powerCheck, sumInto, temperatureCheck, type GpuPoint, type Readings } from './readings.js';

export function dcgmQueries(cfg: TelemetryConfig, scope: 'node' | 'all'): NamedQuery[] {
  if (!cfg.dcgm.enabled) return [];
  const out: NamedQuery[] = [{ name: 'dcgm.power', promql: cfg.dcgm.power }];
  if (scope === 'all') out.push({ name: 'dcgm.temperature', promql: cfg.dcgm.temperature }, { name: 'dcgm.powerLimit', promql: cfg.dcgm.powerLimit });
  return out;
}

export function applyDcgm(results: ReadonlyMap<string, readonly InstantSample[]>, cfg: TelemetryConfig, readings: Readings): void {
  const d = cfg.dcgm;
  const hostOf = (s: InstantSample) => firstLabel(s.metric, d.hostLabels);
  const gpuKey = (s: InstantSample) => {
    const host = hostOf(s);
    const gpu = firstLabel(s.metric, d.gpuLabels);
    return host !== undefined && gpu !== undefined ? `${host}/${gpu}` : undefined;
  };
  const fill = (name: string, family: string, target: Map<string, GpuPoint>, check: typeof powerCheck, rejected?: Set<string>) => {
    for (const { key, sample } of acceptSamples(family, results.get(name) ?? [], gpuKey, check, readings, rejected)) {
      target.set(key, { value: sample.value, timeMs: sample.timeMs, nodeName: hostOf(sample) ?? '' });
    }
  };
  const rejectedGpus = new Set<string>();
  fill('dcgm.power', 'dcgm power', readings.gpu.powerW, powerCheck, rejectedGpus);
  fill('dcgm.temperature', 'dcgm temperature', readings.gpu.temperatureC, temperatureCheck);
  fill('dcgm.powerLimit', 'dcgm power limit', readings.gpu.limitW, powerCheck);

  const power = results.get('dcgm.power') ?? [];
  // Node GPU power = sum of its GPUs; a node with a rejected GPU gets no (partial) sum here, so its
  // last good value is carried instead.
  const rejectedHosts = new Set([...rejectedGpus].map((key) => key.slice(0, key.lastIndexOf('/'))));
  for (const host of rejectedHosts) readings.rejectedNodes.add(host);
  for (const p of readings.gpu.powerW.values()) {
    if (rejectedHosts.has(p.nodeName)) continue;
    sumInto(readings.node.dcgmGpu, [{ key: p.nodeName, sample: { metric: {}, timeMs: p.timeMs, value: p.value } }]);
  }
  // Pod GPU power: only series attributed to a pod. honor_labels is per scrape job, so decide per
  // `job`: where any series carries exported_* labels, plain `pod` is the exporter's own pod.
  const renamingJobs = new Set(
    power.filter((s) => d.podLabels.some((l) => l.startsWith('exported_') && s.metric[l] !== undefined)).map((s) => s.metric.job ?? ''),
  );
  const seen = new Set<string>();
  for (const s of power) {
    const renamed = renamingJobs.has(s.metric.job ?? '');
    const key = gpuKey(s);
    const pod = firstLabel(s.metric, renamed ? d.podLabels.filter((l) => l.startsWith('exported_')) : d.podLabels);
    const ns = firstLabel(s.metric, renamed ? d.namespaceLabels.filter((l) => l.startsWith('exported_')) : d.namespaceLabels);
    if (key !== undefined && rejectedGpus.has(key) && pod !== undefined && ns !== undefined) {
      readings.rejectedPods.add(`${ns}/${pod}`);
      continue;
    }
    const point = key === undefined ? undefined : readings.gpu.powerW.get(key);
    if (key === undefined || pod === undefined || ns === undefined || point === undefined || seen.has(key)) continue;
    seen.add(key);
    sumInto(readings.pod.dcgmGpu, [{ key: `${ns}/${pod}`, sample: { metric: {}, timeMs: point.timeMs, value: point.value } }]);
  }
}
