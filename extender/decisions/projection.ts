// What placing the pod on a rack would do, computed once per request and shared by the filter
// predicates and the scores (so 5,000 candidate nodes on 40 racks cost 40 projections, not 5,000).
import { inletTemperaturesC } from '../../rack-model/index.js';
import type { Rack } from '../../rack-model/types.js';
import type { PlacementState } from './types.js';

export interface RackProjection {
  readonly rack: Rack;
  /** Rack power now (telemetry or fallback, including bound pods telemetry does not show yet), W. */
  readonly currentW: number;
  /** Part of `currentW` that is bound pods telemetry does not show yet, W. */
  readonly boundSinceSampleW: number;
  /** currentW + the pod, W. */
  readonly projectedW: number;
  /** Budget minus projectedW, W (negative when over). */
  readonly headroomW: number;
  /** Of the racks this pod warms (by more than NEGLIGIBLE_RISE_C, and its own), the hottest inlet once it runs here, °C. */
  readonly hottestRackId: string;
  readonly hottestInletC: number;
  /** Red line minus hottestInletC, °C (negative when over). */
  readonly inletMarginC: number;
  /** Hottest inlet if this pod were the only load anywhere, °C: above the red line, nothing helps. */
  readonly podAloneInletC: number;
  readonly stale: boolean;
}

export type Projector = (rackId: string) => RackProjection | undefined;

/**
 * A rack's inlet counts as affected by a placement when the pod raises it by more than this. A rack
 * already over the red line at the far end of the hall (which the pod warms by 0.0001 °C) should
 * not block every placement everywhere; its own neighbourhood is blocked, and it shows in metrics.
 */
export const NEGLIGIBLE_RISE_C = 0.01;

// Memo of the pure `projector` per (immutable) state object and pod power: consecutive requests
// that see the same state (the app reuses the state object while its inputs are unchanged) share
// the D·P work. Weak keys: a replaced state and its projections are collected together.
const memo = new WeakMap<PlacementState, Map<number, Projector>>();
const MAX_POWERS_PER_STATE = 32;

export function cachedProjector(state: PlacementState, podPowerW: number): Projector {
  let byPower = memo.get(state);
  if (byPower === undefined) {
    byPower = new Map();
    memo.set(state, byPower);
  }
  let p = byPower.get(podPowerW);
  if (p === undefined) {
    if (byPower.size >= MAX_POWERS_PER_STATE) byPower.clear();
    p = projector(state, podPowerW);
    byPower.set(podPowerW, p);
  }
  return p;
}

export function projector(state: PlacementState, podPowerW: number): Projector {
  const { topology } = state;
  const inletsC = inletTemperaturesC(topology, state.rackPowerW);
  const podKW = podPowerW / 1000;
  const memo = new Map<string, RackProjection | undefined>();
  return (rackId) => {
    if (memo.has(rackId)) return memo.get(rackId);
    const index = topology.rackIndex.get(rackId);
    const rack = index === undefined ? undefined : topology.racks[index];
    const projection = rack === undefined ? undefined : project(state, rack, inletsC, podKW, podPowerW);
    memo.set(rackId, projection);
    return projection;
  };
}

function project(state: PlacementState, rack: Rack, inletsC: readonly number[], podKW: number, podPowerW: number): RackProjection {
  const { topology } = state;
  let hottestIndex = 0;
  let hottestInletC = Number.NEGATIVE_INFINITY;
  let podAloneRiseC = 0;
  for (let i = 0; i < topology.racks.length; i++) {
    // Column `rack.index` of D: how much each inlet warms per kW on this rack.
    const riseC = (topology.recirculationCPerKW[i]?.[rack.index] ?? 0) * podKW;
    const inletC = (inletsC[i] ?? topology.supplyTemperatureC) + riseC;
    if ((riseC > NEGLIGIBLE_RISE_C || i === rack.index) && inletC > hottestInletC) {
      hottestInletC = inletC;
      hottestIndex = i;
    }
    podAloneRiseC = Math.max(podAloneRiseC, riseC);
  }
  const currentW = state.rackPowerW[rack.id] ?? 0;
  const projectedW = currentW + podPowerW;
  return {
    rack,
    currentW,
    boundSinceSampleW: state.boundSinceSampleW?.[rack.id] ?? 0,
    projectedW,
    headroomW: rack.powerBudgetW - projectedW,
    hottestRackId: topology.racks[hottestIndex]?.id ?? rack.id,
    hottestInletC,
    inletMarginC: topology.redlineInletC - hottestInletC,
    podAloneInletC: topology.supplyTemperatureC + podAloneRiseC,
    stale: state.staleRacks.has(rack.id),
  };
}
