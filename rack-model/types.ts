// The seams of the rack model (see ARCHITECTURE.md). Plain data only; everything is readonly.
import type { Celsius, Watts } from '../common/index.js';

export interface Rack {
  readonly id: string;
  /** Position in `Topology.racks`, the row/column of the recirculation matrix. */
  readonly index: number;
  readonly powerBudgetW: Watts;
  /** Conservative stand-in power when telemetry is missing; defaults to the budget. */
  readonly nameplateW: Watts;
  /** Explicit node names from the document (may be empty when nodes carry the rack label). */
  readonly nodes: readonly string[];
  readonly row?: string;
  readonly position?: number;
}

/** A validated, normalised topology. Built only by `parseTopology`; deep-frozen. */
export interface Topology {
  readonly supplyTemperatureC: Celsius;
  readonly redlineInletC: Celsius;
  readonly rackLabel: string;
  readonly racks: readonly Rack[];
  /** rack id → index into `racks` and the matrix. */
  readonly rackIndex: ReadonlyMap<string, number>;
  /** node name → rack id, from the explicit node lists. */
  readonly nodeRack: ReadonlyMap<string, string>;
  /** D[i][j]: °C of inlet rise at rack i per kW dissipated by rack j. */
  readonly recirculationCPerKW: readonly (readonly number[])[];
  readonly matrixSource: 'measured' | 'generated';
}

/** Rack power by rack id, W. Racks absent from the map count as 0 W. */
export type RackPowerW = Readonly<Record<string, Watts>>;

export interface PlanRequest {
  readonly topology: Topology;
  readonly rackPowerW: RackPowerW;
  /** Power to place, W (one pod or a batch). */
  readonly demandW: Watts;
}

export interface ThermalSummary {
  /** Highest rack inlet temperature with the plan applied, at the configured supply temperature. */
  readonly peakInletC: Celsius;
  /** Highest supply temperature that keeps every inlet at or below the red line. */
  readonly maxSupplyTemperatureC: Celsius;
  /** CRAC power to remove the IT heat at maxSupplyTemperatureC (IT power / CoP). */
  readonly coolingPowerW: Watts;
}

export type PlanResult =
  | (ThermalSummary & {
      readonly feasible: true;
      readonly planner: string;
      /** New power per rack id, W; sums to the demand. */
      readonly allocationW: Readonly<Record<string, Watts>>;
      /** Conditions worth an operator's attention that do not make the plan infeasible
       *  (a rack already over budget, the peak inlet above the red line at the configured supply). */
      readonly warnings?: readonly string[];
    })
  | (ThermalSummary & {
      readonly feasible: false;
      readonly planner: string;
      /** Which constraint binds, in words naming racks and limits. The thermal summary describes the
       *  current powers without the demand. */
      readonly reason: string;
      /** Zero for every rack: nothing is placed. */
      readonly allocationW: Readonly<Record<string, Watts>>;
      readonly warnings?: readonly string[];
    });

export interface Planner {
  readonly name: string;
  plan(request: PlanRequest): PlanResult;
}
