// Assembles the PlacementState the pure decisions read: the last good topology, power from the
// snapshot (stale racks at their nameplate), plus the power of bound pods that telemetry does not
// show yet (ledger.ts), and the latest background plan. Nothing here touches the network.
import type { Clock } from '../common/index.js';
import { rackOfNode } from '../rack-model/index.js';
import type { Topology } from '../rack-model/types.js';
import { wholeLoadPlanRequest, type Candidate, type PlacementState } from './decisions/index.js';
import type { BindLedger } from './ledger.js';
import type { PlanInputs, StoredPlan } from './plan-store.js';
import { effectivePower, type EffectivePower, type PowerSource } from './power-source.js';
import type { TopologyStore } from './topology-store.js';

/** Node labels from an informer cache of Nodes (cluster mode); offline mode has none. */
export interface NodeLabelSource {
  labelsOf(nodeName: string): Readonly<Record<string, string>> | undefined;
  /** Every Node the cache knows (the status page counts nodes per rack by label). */
  nodeNames?(): Iterable<string>;
}

export interface PlacementView {
  readonly state: PlacementState;
  readonly power: EffectivePower;
  readonly planComputedAtMs: number | undefined;
}

export interface PlacementSources {
  readonly topology: TopologyStore;
  readonly power: PowerSource;
  readonly ledger: BindLedger;
  readonly plan: () => StoredPlan | undefined;
  readonly clock: Clock;
  readonly staleAfterMs: number;
  /** Count a running pod without per-pod telemetry this long after it became ready. */
  readonly warmupMs: number;
}

export function placementView(src: PlacementSources): PlacementView | undefined {
  const topology = src.topology.current();
  if (topology === undefined) return undefined;
  const power = effectivePower(src.power.current(), topology, src.clock.nowMs(), src.staleAfterMs);
  const nowMs = src.clock.nowMs();
  const podSamples = src.power.current()?.podPowerW;
  const boundSinceSampleW = src.ledger.uncoveredByRackW({
    nowMs,
    warmupMs: src.warmupMs,
    // A per-pod sample counts only when fresh and taken after the pod became ready (a recreated
    // pod with the same name must not inherit its predecessor's draw).
    podPowerW: (ref, sinceMs) => {
      const s = podSamples?.[ref];
      return s === undefined || s.stale || s.sampleTimeMs < sinceMs || nowMs - s.sampleTimeMs > src.staleAfterMs ? undefined : s.value;
    },
    // A stale rack already stands at its nameplate, the most it can draw: adding binds would double count.
    skipRack: (rackId) => power.staleRacks.has(rackId),
  });
  const rackPowerW: Record<string, number> = { ...power.rackPowerW };
  for (const [rackId, w] of Object.entries(boundSinceSampleW)) rackPowerW[rackId] = (rackPowerW[rackId] ?? 0) + w;
  const stored = src.plan();
  return {
    state: { topology, rackPowerW, plan: stored?.plan, staleRacks: power.staleRacks, staleReasons: power.staleReasons, boundSinceSampleW },
    power,
    planComputedAtMs: stored?.computedAtMs,
  };
}

/** What the planner should plan for: the whole load, current committed power plus the pending demand. */
export function planInputs(src: PlacementSources, demandW: number): PlanInputs | undefined {
  const view = placementView({ ...src, plan: () => undefined });
  if (view === undefined) return undefined;
  const request = wholeLoadPlanRequest(view.state.topology, view.state.rackPowerW, demandW);
  return { topology: request.topology, topologyVersion: src.topology.version, rackPowerW: request.rackPowerW, demandW: request.demandW };
}

export function candidateOf(topology: Topology, nodeName: string, labels: Readonly<Record<string, string>> | null | undefined): Candidate {
  return { nodeName, rackId: rackOfNode(topology, nodeName, labels ?? undefined) };
}
