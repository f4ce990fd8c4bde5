// The Snapshot: what telemetry knows now, immutable, every value with its sample time. Built from one
// refresh's readings plus the previous snapshot: a series that vanished (exporter down, Prometheus
// staleness marker) is carried forward with its old sample time, so its age grows until it is stale
// (past maxAgeMs) and is dropped after forgetAfterMs. Node power = platform when a platform sensor
// reports for the node, else CPU package + DRAM + GPU (DCGM when present, else Kepler's GPU reading).
import { maxInto } from './inlet.js';
import type { PointMap, Readings } from './readings.js';

export interface Sampled {
  readonly value: number;
  readonly sampleTimeMs: number;
  readonly stale: boolean;
  /** Where the value came from, e.g. `platform`, `package+dram+gpu:dcgm`, `sum of 4 nodes`. */
  readonly source: string;
}

export type SampledMap = Readonly<Record<string, Sampled>>;

export interface Snapshot {
  readonly takenAtMs: number;
  readonly rackPowerW: SampledMap;
  readonly nodePowerW: SampledMap;
  /** Key `namespace/name`. */
  readonly podPowerW: SampledMap;
  /** By rack id. */
  readonly inletC: SampledMap;
  /** By `node/gpu` (DCGM). */
  readonly gpuPowerW: SampledMap;
  readonly gpuTemperatureC: SampledMap;
  readonly gpuPowerLimitW: SampledMap;
  /** Kepler generations seen in the last successful refresh. */
  readonly keplerGenerations: readonly string[];
  /** What degraded and why, in words. */
  readonly problems: readonly string[];
}

/** A snapshot with nothing in it but `over`: one place to extend when Snapshot gains a field. */
export function emptySnapshot(takenAtMs: number, over: Partial<Omit<Snapshot, 'takenAtMs'>> = {}): Snapshot {
  return {
    takenAtMs,
    rackPowerW: {},
    nodePowerW: {},
    podPowerW: {},
    inletC: {},
    gpuPowerW: {},
    gpuTemperatureC: {},
    gpuPowerLimitW: {},
    keplerGenerations: [],
    problems: [],
    ...over,
  };
}

export interface SnapshotSource {
  current(): Snapshot | undefined;
  start(): void;
  stop(): Promise<void>;
}

/** Node name → rack id (rack-model's `rackOfNode` bound to a topology), undefined when unknown. */
export type RackOfNode = (nodeName: string) => string | undefined;

export interface StalenessPolicy {
  readonly maxAgeMs: number;
  readonly forgetAfterMs: number;
}

interface Fresh {
  readonly value: number;
  readonly timeMs: number;
  readonly source: string;
}

/** Node and pod power from the component readings (pure). */
export function composePower(r: Readings): { node: Map<string, Fresh>; pod: Map<string, Fresh>; gpuOnlyNodes: string[] } {
  const node = new Map<string, Fresh>();
  const gpuOnlyNodes: string[] = [];
  const names = new Set([...r.node.platform.keys(), ...r.node.package.keys(), ...r.node.dram.keys(), ...r.node.keplerGpu.keys(), ...r.node.dcgmGpu.keys()]);
  for (const name of names) {
    if (r.rejectedNodes.has(name)) continue;
    const platform = r.node.platform.get(name);
    if (platform !== undefined) {
      node.set(name, { value: platform.value, timeMs: platform.timeMs, source: 'platform' });
      continue;
    }
    const gpu = pickGpu(r.node.dcgmGpu, r.node.keplerGpu, name);
    const parts = [
      ['package', r.node.package.get(name)],
      ['dram', r.node.dram.get(name)],
      [gpu.source, gpu.point],
    ] as const;
    const present = parts.filter((p) => p[1] !== undefined);
    if (r.node.package.get(name) === undefined && r.node.dram.get(name) === undefined) gpuOnlyNodes.push(name);
    node.set(name, {
      value: present.reduce((sum, p) => sum + (p[1]?.value ?? 0), 0),
      timeMs: Math.min(...present.map((p) => p[1]?.timeMs ?? Number.POSITIVE_INFINITY)),
      source: present.map((p) => p[0]).join('+'),
    });
  }
  const pod = new Map<string, Fresh>();
  for (const key of new Set([...r.pod.cpu.keys(), ...r.pod.keplerGpu.keys(), ...r.pod.dcgmGpu.keys()])) {
    if (r.rejectedPods.has(key)) continue;
    const cpu = r.pod.cpu.get(key);
    const gpu = pickGpu(r.pod.dcgmGpu, r.pod.keplerGpu, key);
    const present = [cpu === undefined ? undefined : (['cpu', cpu] as const), gpu.point === undefined ? undefined : ([gpu.source, gpu.point] as const)].filter(
      (p) => p !== undefined,
    );
    pod.set(key, {
      value: present.reduce((s, p) => s + p[1].value, 0),
      timeMs: Math.min(...present.map((p) => p[1].timeMs)),
      source: present.map((p) => p[0]).join('+'),
    });
  }
  return { node, pod, gpuOnlyNodes };
}

function pickGpu(dcgm: PointMap, kepler: PointMap, key: string) {
  const d = dcgm.get(key);
  if (d !== undefined) return { point: d, source: 'gpu:dcgm' };
  return { point: kepler.get(key), source: 'gpu:kepler' };
}

export interface BuildSnapshotInput {
  readonly readings: Readings;
  readonly previous: Snapshot | undefined;
  readonly nowMs: number;
  readonly rackOfNode: RackOfNode;
  readonly policy: StalenessPolicy;
  /** Extra problems (e.g. the refresh error when Prometheus was unreachable). */
  readonly problems?: readonly string[];
}

export function buildSnapshot(input: BuildSnapshotInput): Snapshot {
  const { readings: r, previous, nowMs, policy } = input;
  const problems = [...(input.problems ?? []), ...r.problems];
  const { node, pod, gpuOnlyNodes } = composePower(r);
  if (gpuOnlyNodes.length > 0) problems.push(`${gpuOnlyNodes.length} node(s) report GPU power only (no Kepler CPU reading): ${list(gpuOnlyNodes)}`);

  const carry = (label: string, fresh: ReadonlyMap<string, Fresh>, old: SampledMap | undefined): Record<string, Sampled> =>
    carryForward(label, fresh, old, nowMs, policy, problems);
  const nodePowerW = carry('node power', node, previous?.nodePowerW);
  const podPowerW = carry('pod power', pod, previous?.podPowerW);
  const gpuPowerW = carry('gpu power', withSource(r.gpu.powerW, 'dcgm'), previous?.gpuPowerW);
  const gpuTemperatureC = carry('gpu temperature', withSource(r.gpu.temperatureC, 'dcgm'), previous?.gpuTemperatureC);
  const gpuPowerLimitW = carry('gpu power limit', withSource(r.gpu.limitW, 'dcgm'), previous?.gpuPowerLimitW);

  // Inlet: rack-labelled sensors directly, node-labelled ones through the node's rack (hottest wins).
  const inletByRack: PointMap = new Map(r.inletByRack);
  const unmappedInlet: string[] = [];
  for (const [nodeName, p] of r.inletByNode) {
    const rack = input.rackOfNode(nodeName);
    if (rack === undefined) unmappedInlet.push(nodeName);
    else maxInto(inletByRack, rack, p);
  }
  if (unmappedInlet.length > 0) problems.push(`inlet sensors on ${unmappedInlet.length} node(s) not in any rack: ${list(unmappedInlet)}`);
  const inletC = carry('inlet temperature', withSource(inletByRack, 'inlet'), previous?.inletC);

  const rackPowerW = aggregateRacks(nodePowerW, input.rackOfNode, problems);
  const staleRacks = Object.entries(rackPowerW).filter(([, s]) => s.stale).map(([id]) => id);
  if (staleRacks.length > 0) problems.push(`${staleRacks.length} rack(s) with stale power: ${list(staleRacks)}`);

  // Values are frozen where they are made; freeze the maps and the snapshot itself.
  return Object.freeze({
    takenAtMs: nowMs,
    rackPowerW: Object.freeze(rackPowerW),
    nodePowerW: Object.freeze(nodePowerW),
    podPowerW: Object.freeze(podPowerW),
    inletC: Object.freeze(inletC),
    gpuPowerW: Object.freeze(gpuPowerW),
    gpuTemperatureC: Object.freeze(gpuTemperatureC),
    gpuPowerLimitW: Object.freeze(gpuPowerLimitW),
    keplerGenerations: Object.freeze(r.generations.length > 0 || previous === undefined ? [...r.generations] : [...previous.keplerGenerations]),
    problems: Object.freeze(problems),
  });
}

/** Rack power = sum of its nodes' power; as old as its oldest node, stale when any node is. */
export function aggregateRacks(nodePowerW: SampledMap, rackOfNode: RackOfNode, problems: string[]): Record<string, Sampled> {
  const sums = new Map<string, { value: number; timeMs: number; stale: boolean; count: number }>();
  const unknown: string[] = [];
  for (const [nodeName, s] of Object.entries(nodePowerW)) {
    const rack = rackOfNode(nodeName);
    if (rack === undefined) {
      unknown.push(nodeName);
      continue;
    }
    const acc = sums.get(rack) ?? { value: 0, timeMs: Number.POSITIVE_INFINITY, stale: false, count: 0 };
    sums.set(rack, { value: acc.value + s.value, timeMs: Math.min(acc.timeMs, s.sampleTimeMs), stale: acc.stale || s.stale, count: acc.count + 1 });
  }
  if (unknown.length > 0) problems.push(`${unknown.length} node(s) with power but no rack: ${list(unknown)}`);
  const out: Record<string, Sampled> = {};
  for (const [rack, a] of sums) out[rack] = Object.freeze({ value: a.value, sampleTimeMs: a.timeMs, stale: a.stale, source: `sum of ${a.count} node(s)` });
  return out;
}

function carryForward(
  label: string,
  fresh: ReadonlyMap<string, Fresh>,
  old: SampledMap | undefined,
  nowMs: number,
  policy: StalenessPolicy,
  problems: string[],
): Record<string, Sampled> {
  // Each value is frozen as it is made (cheaper than deep-freezing ~30k values afterwards).
  const out: Record<string, Sampled> = {};
  for (const [key, f] of fresh) {
    out[key] = Object.freeze({ value: f.value, sampleTimeMs: f.timeMs, stale: nowMs - f.timeMs > policy.maxAgeMs, source: f.source });
  }
  const carried: string[] = [];
  const dropped: string[] = [];
  for (const key in old) {
    const s = old[key];
    if (s === undefined || fresh.has(key)) continue;
    if (nowMs - s.sampleTimeMs > policy.forgetAfterMs) {
      dropped.push(key);
      continue;
    }
    carried.push(key);
    out[key] = Object.freeze({ ...s, stale: nowMs - s.sampleTimeMs > policy.maxAgeMs });
  }
  if (carried.length > 0) problems.push(`${label}: ${carried.length} series missing from this refresh, last values kept: ${list(carried)}`);
  if (dropped.length > 0) problems.push(`${label}: ${dropped.length} series dropped after ${policy.forgetAfterMs} ms without data: ${list(dropped)}`);
  return out;
}

function withSource(points: ReadonlyMap<string, { value: number; timeMs: number }>, source: string): Map<string, Fresh> {
  return new Map([...points].map(([k, p]) => [k, { value: p.value, timeMs: p.timeMs, source }]));
}

function list(names: readonly string[]): string {
  const sorted = [...names].sort();
  return sorted.length > 5 ? `${sorted.slice(0, 5).join(', ')}, …` : sorted.join(', ');
}

/** Age of a value at `nowMs`, and whether it is stale under `maxAgeMs` (or was already marked so). */
export function ageOf(s: Sampled, nowMs: number, maxAgeMs: number): { ageMs: number; stale: boolean } {
  const ageMs = Math.max(0, nowMs - s.sampleTimeMs);
  return { ageMs, stale: s.stale || ageMs > maxAgeMs };
}
