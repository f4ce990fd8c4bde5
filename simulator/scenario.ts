// Loads a scenario: the document (validated, defaults filled), its topology through the rack model,
// each service's trace shaped to the requested load, and the capping policy resolved by the capper's
// own validation. Command-line overrides are applied here so every caller sees one resolved value.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConfig, ClimatikError, readDocument } from '../common/index.js';
import { resolvePolicy, type ResolvedPolicy } from '../capper/policy-validate.js';
import { loadTopologyFile } from '../rack-model/index.js';
import type { Topology } from '../rack-model/types.js';
import { forkPrng } from './prng.js';
import { ScenarioSchema, type PolicyName, type ScenarioDocument, type ServiceSpec } from './scenario-schema.js';
import { readTraceFile, type Trace } from './trace-reader.js';
import { shapeTrace } from './trace-shape.js';

export interface ScenarioOverrides {
  readonly topologyFile?: string;
  readonly traceFile?: string;
  readonly policies?: readonly PolicyName[];
  /** Multiplies every service's loadScale (1 = the scenario as written). */
  readonly loadScale?: number;
  readonly durationS?: number;
  readonly seed?: number;
}

export interface ResolvedService {
  readonly spec: ServiceSpec;
  readonly trace: Trace;
}

export interface ResolvedScenario {
  readonly source: string;
  readonly doc: ScenarioDocument;
  readonly topology: Topology;
  readonly topologySource: string;
  readonly services: readonly ResolvedService[];
  readonly policies: readonly PolicyName[];
  readonly seed: number;
  readonly durationS: number;
  readonly capping: ResolvedPolicy;
}

/** The folder with the bundled scenario, topology and trace (`data/` at the package root). */
export function bundledDataDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    if (existsSync(resolve(dir, 'data', 'scenarios', 'default.yaml'))) return resolve(dir, 'data');
    dir = dirname(dir);
  }
  throw new ClimatikError('CLIMATIK_CONFIG_UNREADABLE', 'bundled data/scenarios/default.yaml not found next to the package');
}

export function defaultScenarioPath(): string {
  return resolve(bundledDataDir(), 'scenarios', 'default.yaml');
}

export async function loadScenario(file: string, overrides: ScenarioOverrides = {}): Promise<ResolvedScenario> {
  const doc = buildConfig(ScenarioSchema, await readDocument(file), file) as ScenarioDocument;
  return resolveScenario(doc, file, overrides);
}

export async function resolveScenario(doc: ScenarioDocument, source: string, overrides: ScenarioOverrides = {}): Promise<ResolvedScenario> {
  const base = dirname(resolve(source));
  const topologySource = overrides.topologyFile ?? resolve(base, doc.topology);
  const topology = await loadTopologyFile(topologySource);
  const seed = overrides.seed ?? doc.seed;
  const scale = overrides.loadScale ?? 1;
  const raw = await Promise.all(doc.services.map(async (s) => ({ spec: s, trace: await readTraceFile(overrides.traceFile ?? resolve(base, s.trace)) })));
  const durationS = overrides.durationS ?? doc.durationS ?? Math.max(...raw.map((r) => r.trace.durationS * r.spec.stretch));
  const services = raw.map(({ spec, trace }) => ({
    spec,
    trace: shapeTrace(
      trace,
      { loadScale: spec.loadScale * scale, stretch: spec.stretch, durationS, loop: true, copyWindowS: spec.copyWindowS },
      forkPrng(seed, `trace/${spec.name}`),
    ),
  }));
  const capping = resolvePolicy(doc.climatik.capping ?? defaultCappingSpec(doc.services), { namespace: 'climatik-system', name: 'simulated' });
  return { source, doc, topology, topologySource, services, policies: overrides.policies ?? doc.policies, seed, durationS, capping };
}

/** What the README recommends to start Enforcing with: 95 % of budget, GPU limits first, then replicas. */
export function defaultCappingSpec(services: readonly ServiceSpec[]): unknown {
  return {
    mode: 'Enforce',
    capPercentOfBudget: 95,
    targets: { scaledObjects: { names: services.map((s) => s.name) }, gpuPowerLimits: { enabled: true, floorW: 200, stepW: 25 } },
    forecast: { method: 'holt', horizon: '2m' },
    hysteresis: { restoreBelowPercentOfCap: 90, restoreAfter: '5m', minActionInterval: '30s' },
  };
}
