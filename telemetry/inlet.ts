// Rack inlet temperatures from whatever the site exports (IPMI, Redfish, facility BMS): one
// configurable query whose series carry either a rack label or a node label (mapped to the node's
// rack later). Several sensors per rack: the hottest one counts (conservative).
import type { InstantSample } from './prometheus-api.js';
import type { TelemetryConfig } from './config.js';
import type { NamedQuery } from './kepler.js';
import { acceptSamples, temperatureCheck, type PointMap, type Readings } from './readings.js';

export function inletQueries(cfg: TelemetryConfig): NamedQuery[] {
  return cfg.inlet === undefined ? [] : [{ name: 'inlet', promql: cfg.inlet.query }];
}

export function applyInlet(results: ReadonlyMap<string, readonly InstantSample[]>, cfg: TelemetryConfig, readings: Readings): void {
  const inlet = cfg.inlet;
  if (inlet === undefined) return;
  const label = inlet.rackLabel ?? inlet.nodeLabel ?? '';
  const target = inlet.rackLabel !== undefined ? readings.inletByRack : readings.inletByNode;
  const accepted = acceptSamples('inlet temperature', results.get('inlet') ?? [], (s) => s.metric[label] || undefined, temperatureCheck, readings);
  for (const { key, sample } of accepted) maxInto(target, key, sample);
}

export function maxInto(target: PointMap, key: string, sample: { value: number; timeMs: number }): void {
  const prev = target.get(key);
  if (prev === undefined || sample.value > prev.value) target.set(key, { value: sample.value, timeMs: sample.timeMs });
}
