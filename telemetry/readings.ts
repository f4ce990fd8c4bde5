// Raw readings of one refresh (or one step of a range query): per-component maps of points, before
// composition into node/pod/rack power. Sample checks live here: a power that is NaN, ±Inf or
// negative, or a temperature outside a physical range, is rejected and reported, never used.
import type { InstantSample } from './prometheus-api.js';

export interface Point {
  readonly value: number;
  readonly timeMs: number;
}
export type PointMap = Map<string, Point>;

export interface GpuPoint extends Point {
  readonly nodeName: string;
}

export interface Readings {
  /** Kepler generations the readings came from (`legacy` ≤ 0.9, `current` ≥ 0.10). */
  readonly generations: string[];
  readonly node: {
    readonly platform: PointMap;
    readonly package: PointMap;
    readonly dram: PointMap;
    readonly keplerGpu: PointMap;
    readonly dcgmGpu: PointMap;
  };
  /** Keys `namespace/name`. `cpu` excludes GPU power (GPU comes from DCGM when present, else Kepler). */
  readonly pod: { readonly cpu: PointMap; readonly keplerGpu: PointMap; readonly dcgmGpu: PointMap };
  /** Keys `node/gpu`. */
  readonly gpu: { readonly powerW: Map<string, GpuPoint>; readonly temperatureC: Map<string, GpuPoint>; readonly limitW: Map<string, GpuPoint> };
  readonly inletByRack: PointMap;
  readonly inletByNode: PointMap;
  readonly problems: string[];
  /** Nodes / pods (`namespace/name`) with a rejected component: not composed from the remaining
   *  parts (that would under-report), so their last good value is carried and ages instead. */
  readonly rejectedNodes: Set<string>;
  readonly rejectedPods: Set<string>;
  /** Rejected sample count by family, for metrics. */
  readonly rejected: Map<string, number>;
}

export function emptyReadings(): Readings {
  return {
    generations: [],
    node: { platform: new Map(), package: new Map(), dram: new Map(), keplerGpu: new Map(), dcgmGpu: new Map() },
    pod: { cpu: new Map(), keplerGpu: new Map(), dcgmGpu: new Map() },
    gpu: { powerW: new Map(), temperatureC: new Map(), limitW: new Map() },
    inletByRack: new Map(),
    inletByNode: new Map(),
    problems: [],
    rejectedNodes: new Set(),
    rejectedPods: new Set(),
    rejected: new Map(),
  };
}

export type ValueCheck = (value: number) => string | undefined;

export const powerCheck: ValueCheck = (v) => (Number.isNaN(v) ? 'NaN' : !Number.isFinite(v) ? 'infinite' : v < 0 ? 'negative' : undefined);
export const temperatureCheck: ValueCheck = (v) =>
  !Number.isFinite(v) ? (Number.isNaN(v) ? 'NaN' : 'infinite') : v < -40 || v > 150 ? 'outside -40..150 °C' : undefined;

/** Sorts samples into accepted/rejected, reporting the rejected ones once per family with examples. */
export function acceptSamples<T extends InstantSample>(
  family: string,
  samples: readonly T[],
  keyOf: (s: T) => string | undefined,
  check: ValueCheck,
  readings: Readings,
  rejectedKeys?: Set<string>,
): { key: string; sample: T }[] {
  const accepted: { key: string; sample: T }[] = [];
  const bad: string[] = [];
  let unlabelled = 0;
  for (const sample of samples) {
    const key = keyOf(sample);
    if (key === undefined) {
      unlabelled++;
      continue;
    }
    const why = check(sample.value);
    if (why === undefined) {
      accepted.push({ key, sample });
    } else {
      bad.push(`${key}=${String(sample.value)} (${why})`);
      rejectedKeys?.add(key);
    }
  }
  if (bad.length > 0) {
    readings.rejected.set(family, (readings.rejected.get(family) ?? 0) + bad.length);
    const more = bad.length > 3 ? ` and ${bad.length - 3} more` : '';
    readings.problems.push(`${family}: rejected ${bad.length} sample(s): ${bad.slice(0, 3).join(', ')}${more}`);
  }
  if (unlabelled > 0) readings.problems.push(`${family}: ignored ${unlabelled} series without the expected labels`);
  return accepted;
}

/** Accepted samples into a map; duplicate keys are summed (e.g. two sockets, several GPUs). */
export function sumInto(target: PointMap, accepted: readonly { key: string; sample: InstantSample }[]): void {
  for (const { key, sample } of accepted) {
    const prev = target.get(key);
    target.set(
      key,
      prev === undefined
        ? { value: sample.value, timeMs: sample.timeMs }
        : { value: prev.value + sample.value, timeMs: Math.min(prev.timeMs, sample.timeMs) },
    );
  }
}

export function firstLabel(metric: Readonly<Record<string, string>>, names: readonly string[]): string | undefined {
  for (const n of names) {
    const v = metric[n];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}
