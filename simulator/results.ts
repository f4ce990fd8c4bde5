// What one policy's replay produces: the headline metrics (the JSON contract), extra figures for the
// table and report, time series for the plots and, with the capper in the loop, one side of the
// counterfactual report.
import type { PolicyMode } from '../capper/policy-schema.js';
import type { CounterfactualSide } from '../capper/counterfactual/types.js';

/** Exactly the keys of the `--json` contract. */
export interface PolicyMetrics {
  /** Hottest rack inlet over the run with the CRAC at the design supply temperature, °C. */
  readonly peakInletC: number;
  readonly coolingEnergyKWh: number;
  readonly itEnergyKWh: number;
  /** Seconds during which at least one rack drew more than its budget. */
  readonly budgetViolationSeconds: number;
  /** Seconds during which the hottest inlet was above the red line even at the coldest supply. */
  readonly redlineViolationSeconds: number;
  /** Prompt tokens prefilled + output tokens generated within the run. */
  readonly tokensServed: number;
  /** Prompt + output tokens of every request that arrived within the run. */
  readonly tokensDemanded: number;
  readonly p99TtftS: number;
  readonly p99TpotS: number;
}

export interface PolicyExtras {
  /** Time-mean share of GPUs held by replicas. */
  readonly meanGpuAllocation: number;
  readonly meanSupplyC: number;
  readonly meanItPowerW: number;
  readonly requestsCompleted: number;
  readonly pendingPodSeconds: number;
  readonly placementRejections: number;
  readonly gpuLimitChanges: number;
  readonly replicaCeilingChanges: number;
  /** Largest excess of a rack over its budget, W (0 = never over). */
  readonly worstBudgetExcessW: number;
  readonly note?: string;
}

export interface PolicySeries {
  readonly timeS: number[];
  /** Per sample, per rack index: inlet at the design supply, °C (heat map). */
  readonly rackInletC: number[][];
  /** Per sample, per rack index: mean power over the interval, W. */
  readonly rackPowerW: number[][];
  readonly coolingW: number[];
  readonly itW: number[];
  readonly supplyC: number[];
  readonly tokensPerS: number[];
}

/** What the capper in the loop did in one replay, measured on the racks its policy guards. */
export interface CappingOutcome {
  /** The mode the capper ran in (the scenario's, or the one the counterfactual twin forced). */
  readonly mode: PolicyMode;
  readonly guardedRacks: number;
  readonly side: CounterfactualSide;
  readonly recommendations: number;
  readonly taken: number;
  /** The run's p99 TTFT, s: where capping costs show when every token is still served. */
  readonly p99TtftS: number;
}

export interface PolicyRun {
  readonly name: string;
  /** Present when the capper ran in the loop (the `climatik` policy). */
  readonly capping?: CappingOutcome;
  readonly metrics: PolicyMetrics;
  readonly extras: PolicyExtras;
  readonly series: PolicySeries;
  /** Total IT power at every telemetry sample (the lp-bound replays it), W. */
  readonly itPowerAtSampleW: readonly number[];
  readonly sampleTimesS: readonly number[];
}
