// The counterfactual report, measured instead of estimated: the live capper can only model what the
// other choice would have done, the simulator replays it. The capper-in-the-loop policy runs twice on
// the same trace and seed, once with the capper's actions applied (Enforce) and once with them only
// recommended (Recommend: `decide` runs, nothing is applied), and the two replays fill the same
// CounterfactualSummary the live capper publishes.
import type { CounterfactualSide, CounterfactualSummary } from '../capper/counterfactual/types.js';
import type { CappingOutcome } from './results.js';

/**
 * The summary (the shared shape, what the JSON carries) and the p99 TTFT of both replays, which the
 * shared shape has no field for but the table and the verdict show: with every token still served,
 * latency is where capping costs.
 */
export interface CounterfactualReport {
  readonly summary: CounterfactualSummary;
  readonly p99TtftS: { readonly withActions: number; readonly withoutActions: number };
}

export function counterfactualReport(enforced: CappingOutcome, recommended: CappingOutcome, durationS: number): CounterfactualReport {
  return {
    summary: counterfactualSummary(enforced, recommended, durationS),
    p99TtftS: { withActions: enforced.p99TtftS, withoutActions: recommended.p99TtftS },
  };
}

/** The twin's two replays; `recommendations` come from the Recommend one, `taken` from the Enforce one. */
export function counterfactualSummary(enforced: CappingOutcome, recommended: CappingOutcome, durationS: number): CounterfactualSummary {
  return {
    // The replay's clock starts at 0 = the Unix epoch: the times the capper's decisions saw.
    from: new Date(0).toISOString(),
    to: new Date(Math.round(durationS * 1000)).toISOString(),
    recommendations: recommended.recommendations,
    taken: enforced.taken,
    withActions: { ...enforced.side, basis: 'simulated' },
    withoutActions: { ...recommended.side, basis: 'simulated' },
    verdict: verdict(enforced.side, recommended.side, recommended.recommendations, { withS: enforced.p99TtftS, withoutS: recommended.p99TtftS }),
  };
}

/** One line for humans: the breach seconds the actions removed and what they cost in tokens, energy and latency. */
export function verdict(
  withActions: CounterfactualSide,
  withoutActions: CounterfactualSide,
  recommendations: number,
  p99Ttft?: { readonly withS: number; readonly withoutS: number },
): string {
  const breachS = withoutActions.capBreachSeconds - withActions.capBreachSeconds;
  const servedPoints = withoutActions.servedPercent - withActions.servedPercent;
  const energyKWh = withoutActions.energyKWh - withActions.energyKWh;
  const ttftChanged = p99Ttft !== undefined && p99Ttft.withS.toFixed(2) !== p99Ttft.withoutS.toFixed(2);
  if (recommendations === 0 && breachS === 0 && servedPoints === 0 && energyKWh === 0 && !ttftChanged) {
    return 'no guarded rack neared its cap: the capper recommended nothing and changed nothing';
  }
  const breach =
    breachS > 0
      ? `capping removed ${seconds(breachS)} over cap (${seconds(withoutActions.capBreachSeconds)} → ${seconds(withActions.capBreachSeconds)})`
      : breachS < 0
        ? `capping added ${seconds(-breachS)} over cap (${seconds(withoutActions.capBreachSeconds)} → ${seconds(withActions.capBreachSeconds)})`
        : `capping left ${seconds(withActions.capBreachSeconds)} over cap unchanged`;
  // Below 0.01 percentage points of the demand the difference is rounding, not a cost.
  const tokens =
    servedPoints >= 0.01
      ? `at the cost of ${servedPoints.toFixed(2)} % of tokens`
      : servedPoints <= -0.01
        ? `serving ${(-servedPoints).toFixed(2)} % more of the tokens`
        : 'with no token loss';
  const energy = `${Math.abs(energyKWh).toFixed(1)} kWh ${energyKWh >= 0 ? 'less' : 'more'} IT energy on the guarded racks`;
  const latency = p99Ttft === undefined || !ttftChanged ? '' : `; p99 TTFT ${p99Ttft.withoutS.toFixed(2)} → ${p99Ttft.withS.toFixed(2)} s`;
  return `${breach}, ${tokens}, ${energy}${latency}`;
}

function seconds(s: number): string {
  return `${Math.round(s)} s`;
}
