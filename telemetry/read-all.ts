// One refresh's worth of queries against Prometheus, turned into Readings. A query the server
// rejects (bad_data/execution: usually a configuration mistake) costs only its own component and is
// reported; an unreachable or timing-out Prometheus fails the whole refresh, so the collector keeps
// the previous snapshot instead of publishing a half-empty one.
import { isClimatikError } from '../common/index.js';
import type { TelemetryConfig } from './config.js';
import { applyDcgm, dcgmQueries } from './dcgm.js';
import { applyInlet, inletQueries } from './inlet.js';
import { applyKepler, generationsFromDetection, keplerQueries, type KeplerGeneration, type NamedQuery } from './kepler.js';
import type { InstantSample } from './prometheus-api.js';
import { emptyReadings, type Readings } from './readings.js';

/** The part of PrometheusApi the readers need (a fake in unit tests). */
export interface QueryApi {
  query(promql: string, timeMs?: number): Promise<InstantSample[]>;
}

export async function detectGenerations(api: QueryApi, cfg: TelemetryConfig, timeMs: number | undefined, problems: string[]): Promise<KeplerGeneration[]> {
  const mode = cfg.kepler.generation;
  if (mode === 'off') return [];
  if (mode !== 'auto') return [mode];
  const samples = await runOne(api, { name: 'kepler.detect', promql: cfg.kepler.detectQuery }, timeMs, problems);
  const found = generationsFromDetection(samples);
  if (found.length === 0) problems.push('kepler: no Kepler metrics found (neither kepler_node_cpu_watts nor kepler_node_*_joules_total)');
  return found;
}

export async function readAll(api: QueryApi, cfg: TelemetryConfig, timeMs?: number): Promise<Readings> {
  const readings = emptyReadings();
  const generations = await detectGenerations(api, cfg, timeMs, readings.problems);
  const queries = [...keplerQueries(cfg, generations, 'all'), ...dcgmQueries(cfg, 'all'), ...inletQueries(cfg)];
  const results = await runAll(api, queries, timeMs, readings.problems);
  applyKepler(results, cfg, generations, readings);
  applyDcgm(results, cfg, readings);
  applyInlet(results, cfg, readings);
  return readings;
}

export async function runAll(api: QueryApi, queries: readonly NamedQuery[], timeMs: number | undefined, problems: string[]): Promise<Map<string, InstantSample[]>> {
  const answers = await Promise.all(queries.map(async (q) => [q.name, await runOne(api, q, timeMs, problems)] as const));
  return new Map(answers);
}

async function runOne(api: QueryApi, q: NamedQuery, timeMs: number | undefined, problems: string[]): Promise<InstantSample[]> {
  try {
    return await api.query(q.promql, timeMs);
  } catch (err) {
    if (isClimatikError(err, 'CLIMATIK_TELEMETRY_BAD_DATA')) {
      problems.push(`${q.name}: ${err.message}`);
      return [];
    }
    throw err;
  }
}
