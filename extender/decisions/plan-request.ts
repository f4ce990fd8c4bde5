// What the background plan is asked: where the room's WHOLE load (every rack's current power plus
// the pending pods) would heat the room least, as if all of it could be placed afresh. Prioritize
// then steers each new pod toward the racks furthest below their share (score.ts, plan deficit),
// so placement drifts the room toward the LP's distribution one pod at a time. A plan for only the
// pending pods was myopic: budget headroom outvoted it and placement spread load like the default
// scheduler (simulator/README.md, findings).
import type { PlanRequest, RackPowerW, Topology } from '../../rack-model/types.js';

export function wholeLoadPlanRequest(topology: Topology, rackPowerW: RackPowerW, pendingW: number): PlanRequest {
  let totalW = Number.isFinite(pendingW) && pendingW > 0 ? pendingW : 0;
  for (const rack of topology.racks) {
    const w = rackPowerW[rack.id] ?? 0;
    if (Number.isFinite(w) && w > 0) totalW += w;
  }
  // Racks absent from the map count as 0 W: nothing is fixed in place.
  return { topology, rackPowerW: {}, demandW: totalW };
}

/** W the plan still wants on a rack: its share of the whole load minus what it draws now. */
export function planDeficitW(allocationW: Readonly<Record<string, number>>, rackPowerW: RackPowerW, rackId: string): number {
  const d = (allocationW[rackId] ?? 0) - (rackPowerW[rackId] ?? 0);
  return Number.isFinite(d) && d > 0 ? d : 0;
}
