// Runs every requested policy on the same scenario and seed, in order, and the lp-bound against the
// default-spread run (or the first policy run when default-spread is not requested). With an explicit
// `climatik.capping` policy, the `climatik` policy also gets its counterfactual twin: the replay in
// the other capper mode (Enforce ↔ Recommend), so the summary compares actions applied vs. not.
import type { CounterfactualSummary } from '../capper/counterfactual/types.js';
import type { PolicyMode } from '../capper/policy-schema.js';
import { counterfactualReport, type CounterfactualReport } from './counterfactual.js';
import { runLpBound } from './lp-bound.js';
import { runPolicy, type PlacementPolicyName } from './engine.js';
import type { CappingOutcome, PolicyMetrics, PolicyRun } from './results.js';
import type { ResolvedScenario } from './scenario.js';

export interface SimulationResult {
  readonly runs: readonly PolicyRun[];
  /** Placement policy name → its counterfactual (only policies with the capper in the loop). */
  readonly counterfactual: Readonly<Record<string, CounterfactualReport>>;
}

/** `label` is a policy name, or e.g. "climatik (capper: Recommend)" for a counterfactual twin. */
export type ProgressFn = (label: string, fraction: number, index: number, count: number) => void;

/** The policy that runs the capper in its loop, and so the one with a counterfactual. */
const CAPPED_POLICY: PlacementPolicyName = 'climatik';
const TWIN_MODES: readonly PolicyMode[] = ['Enforce', 'Recommend'];

export function twinLabel(mode: PolicyMode): string {
  return `${CAPPED_POLICY} (capper: ${mode})`;
}

/** Capper modes that need a replay of their own: those of the twin the `climatik` run is not already in. */
export function twinRuns(scenario: ResolvedScenario): readonly PolicyMode[] {
  if (scenario.doc.climatik.capping === undefined || !scenario.policies.includes(CAPPED_POLICY)) return [];
  return TWIN_MODES.filter((m) => m !== scenario.capping.mode);
}

export function simulate(scenario: ResolvedScenario, onProgress?: ProgressFn): SimulationResult {
  const placement = scenario.policies.filter((p): p is PlacementPolicyName => p !== 'lp-bound');
  const wantsBound = scenario.policies.includes('lp-bound');
  // The bound needs a reference run; run default-spread for it even when only lp-bound is asked for.
  const toRun = wantsBound && placement.length === 0 ? (['default-spread'] as PlacementPolicyName[]) : placement;
  const twins = twinRuns(scenario);
  const labels = [...toRun, ...twins.map(twinLabel), ...(wantsBound ? ['lp-bound'] : [])];
  const progress = (label: string) => (fraction: number) => onProgress?.(label, fraction, labels.indexOf(label), labels.length);

  const runs = new Map<string, PolicyRun>();
  for (const name of toRun) runs.set(name, runPolicy(scenario, name, progress(name)));
  const counterfactual: Record<string, CounterfactualReport> = {};
  const main = runs.get(CAPPED_POLICY)?.capping;
  if (main !== undefined && twins.length > 0) {
    const byMode = new Map<PolicyMode, CappingOutcome>([[main.mode, main]]);
    for (const mode of twins) {
      const twin = runPolicy({ ...scenario, capping: { ...scenario.capping, mode } }, CAPPED_POLICY, progress(twinLabel(mode))).capping;
      if (twin !== undefined) byMode.set(mode, twin);
    }
    const enforced = byMode.get('Enforce');
    const recommended = byMode.get('Recommend');
    if (enforced !== undefined && recommended !== undefined) {
      counterfactual[CAPPED_POLICY] = counterfactualReport(enforced, recommended, scenario.durationS);
    }
  }

  const out: PolicyRun[] = [];
  for (const name of scenario.policies) {
    if (name !== 'lp-bound') {
      const run = runs.get(name);
      if (run !== undefined) out.push(run);
      continue;
    }
    const reference = runs.get('default-spread') ?? runs.values().next().value;
    if (reference !== undefined) out.push(runLpBound(scenario, reference));
    progress('lp-bound')(1);
  }
  return { runs: out, counterfactual };
}

/** The JSON contract (`--json`, results.json); see the README. */
export interface SimulationJson {
  readonly policies: Record<string, PolicyMetrics>;
  /** Only when some policy has a counterfactual: placement policy name → summary. */
  readonly counterfactual?: Record<string, CounterfactualSummary>;
}

/** `{"policies": {"<name>": {metrics}}, "counterfactual": {"climatik": {...}}}`, in the requested order. */
export function toJson(result: SimulationResult): SimulationJson {
  const policies = Object.fromEntries(result.runs.map((r) => [r.name, r.metrics]));
  const entries = Object.entries(result.counterfactual);
  return entries.length === 0 ? { policies } : { policies, counterfactual: Object.fromEntries(entries.map(([name, r]) => [name, r.summary])) };
}
