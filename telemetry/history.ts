// History for the capper's forecasting and for warm-starting workload profiles: the same queries as
// the live collector, evaluated with query_range, then composed step by step with the same code
// (node power = platform, else package + dram + GPU), so history and live values agree.
import type { TelemetryConfig } from './config.js';
import { applyDcgm, dcgmQueries } from './dcgm.js';
import { applyKepler, keplerQueries, type NamedQuery } from './kepler.js';
import type { InstantSample, RangeSeries } from './prometheus-api.js';
import { detectGenerations, type QueryApi } from './read-all.js';
import { emptyReadings, type Readings } from './readings.js';
import { composePower, type RackOfNode } from './snapshot.js';

export interface RangeApi extends QueryApi {
  queryRange(promql: string, startMs: number, endMs: number, stepMs: number): Promise<RangeSeries[]>;
}

export interface HistoryWindow {
  readonly startMs: number;
  readonly endMs: number;
  readonly stepMs: number;
}

export interface PowerPoint {
  readonly timeMs: number;
  readonly powerW: number;
}

export interface RackPowerHistory {
  /** rack id → points in time order (steps where none of its nodes reported are absent). */
  readonly racks: Readonly<Record<string, readonly PowerPoint[]>>;
  readonly problems: readonly string[];
}

/** Readings per step of the window, for the given scope of queries. */
export async function rangeReadings(api: RangeApi, cfg: TelemetryConfig, scope: 'node' | 'all', window: HistoryWindow): Promise<{ timeMs: number; readings: Readings }[]> {
  const problems: string[] = [];
  const generations = await detectGenerations(api, cfg, window.endMs, problems);
  const queries: NamedQuery[] = [...keplerQueries(cfg, generations, scope), ...dcgmQueries(cfg, 'node')];
  const answers = await Promise.all(queries.map(async (q) => [q.name, await api.queryRange(q.promql, window.startMs, window.endMs, window.stepMs)] as const));
  const byTime = new Map<number, Map<string, InstantSample[]>>();
  for (const [name, series] of answers) {
    for (const s of series) {
      for (const p of s.points) {
        const at = byTime.get(p.timeMs) ?? new Map<string, InstantSample[]>();
        byTime.set(p.timeMs, at);
        const list = at.get(name) ?? [];
        at.set(name, list);
        list.push({ metric: s.metric, timeMs: p.timeMs, value: p.value });
      }
    }
  }
  const steps = [...byTime.keys()].sort((a, b) => a - b);
  return steps.map((timeMs) => {
    const readings = emptyReadings();
    readings.problems.push(...problems);
    const results = byTime.get(timeMs) ?? new Map<string, InstantSample[]>();
    applyKepler(results, cfg, generations, readings);
    applyDcgm(results, cfg, readings);
    return { timeMs, readings };
  });
}

/** Rack power over the window (the capper's observation window), summed from node power per step. */
export async function rackPowerHistory(api: RangeApi, cfg: TelemetryConfig, rackOfNode: RackOfNode, window: HistoryWindow): Promise<RackPowerHistory> {
  const racks: Record<string, PowerPoint[]> = {};
  const problems = new Set<string>();
  for (const { timeMs, readings } of await rangeReadings(api, cfg, 'node', window)) {
    for (const p of readings.problems) problems.add(p);
    const sums = new Map<string, number>();
    for (const [nodeName, n] of composePower(readings).node) {
      const rack = rackOfNode(nodeName);
      if (rack !== undefined) sums.set(rack, (sums.get(rack) ?? 0) + n.value);
    }
    for (const [rack, powerW] of sums) (racks[rack] ??= []).push({ timeMs, powerW });
  }
  return { racks, problems: [...problems] };
}
