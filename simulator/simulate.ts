// Runs every requested policy on the same scenario and seed, in order, and the lp-bound against the
// default-spread run (or the first policy run when default-spread is not requested).
import { runLpBound } from './lp-bound.js';
import { runPolicy, type PlacementPolicyName } from './engine.js';
import type { PolicyRun } from './results.js';
import type { ResolvedScenario } from './scenario.js';

export interface SimulationResult {
  readonly runs: readonly PolicyRun[];
}

export type ProgressFn = (policy: string, fraction: number) => void;

export function simulate(scenario: ResolvedScenario, onProgress?: ProgressFn): SimulationResult {
  const placement = scenario.policies.filter((p): p is PlacementPolicyName => p !== 'lp-bound');
  const wantsBound = scenario.policies.includes('lp-bound');
  // The bound needs a reference run; run default-spread for it even when only lp-bound is asked for.
  const toRun = wantsBound && placement.length === 0 ? (['default-spread'] as PlacementPolicyName[]) : placement;
  const runs = new Map<string, PolicyRun>();
  for (const name of toRun) runs.set(name, runPolicy(scenario, name, (f) => onProgress?.(name, f)));
  const out: PolicyRun[] = [];
  for (const name of scenario.policies) {
    if (name !== 'lp-bound') {
      const run = runs.get(name);
      if (run !== undefined) out.push(run);
      continue;
    }
    const reference = runs.get('default-spread') ?? runs.values().next().value;
    if (reference !== undefined) out.push(runLpBound(scenario, reference));
    onProgress?.('lp-bound', 1);
  }
  return { runs: out };
}

/** The `--json` contract: `{"policies": {"<name>": {metrics}}}`, in the requested order. */
export function toJson(result: SimulationResult): { policies: Record<string, PolicyRun['metrics']> } {
  return { policies: Object.fromEntries(result.runs.map((r) => [r.name, r.metrics])) };
}
