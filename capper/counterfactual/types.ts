// The counterfactual report's shared shapes. The live capper fills them from what each rack did
// after a recommendation plus a model of the other choice; the simulator fills the same summary by
// replaying the trace twice (actions applied vs. only recommended). One shape, so `climatik report`
// and the simulator's output read the same way.

/** One side of the comparison over the same period: the rack(s) with or without the actions. */
export interface CounterfactualSide {
  /** Time-mean power of the guarded racks, summed, W. */
  readonly meanPowerW: number;
  /** Highest power of any guarded rack, W. */
  readonly peakPowerW: number;
  /** Seconds during which at least one guarded rack was above its cap. */
  readonly capBreachSeconds: number;
  /** Share of the offered load served, 0..100 (100 = nothing lost to caps). */
  readonly servedPercent: number;
  /** IT energy of the guarded racks over the period, kWh. */
  readonly energyKWh: number;
}

/**
 * How a side's numbers were obtained: observed by telemetry, estimated by the model, both (some
 * recommendations taken, some not), or simulated.
 */
export type CounterfactualBasis = 'measured' | 'estimated' | 'mixed' | 'simulated';

export interface CounterfactualSummary {
  /** RFC 3339 start and end of the period summarised. */
  readonly from: string;
  readonly to: string;
  /** Recommendations in the period, and how many of them were carried out (Enforce or approved). */
  readonly recommendations: number;
  readonly taken: number;
  readonly withActions: CounterfactualSide & { readonly basis: CounterfactualBasis };
  readonly withoutActions: CounterfactualSide & { readonly basis: CounterfactualBasis };
  /** One line for humans, e.g. "caps avoided 340 s over cap for 1.2 % of load". */
  readonly verdict: string;
}
