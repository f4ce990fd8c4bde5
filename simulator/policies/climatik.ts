// Climatik's placement exactly as the extender makes it: the extender's own filter predicates and
// scores (extender/decisions), fed a PlacementState built from simulated telemetry plus the ledger of
// pods bound since the sample, and a background plan from the rack model's planner. The scheduler
// side follows scheduler-config/climatik-scheduler.yaml: nodes that pass NodeResourcesFit and the
// extender filter are ranked by extender score x weight x 10 (kube-scheduler's extender arithmetic);
// the profile disables NodeResourcesFit/BalancedAllocation/ImageLocality scoring, and the remaining
// user-intent plugins score these pods uniformly, so ties are broken at random as selectHost does.
import { filterCandidates, scoreCandidates, wholeLoadPlanRequest, type Candidate, type PlacementState } from '../../extender/decisions/index.js';
import type { Planner, PlanResult, RackPowerW, Topology } from '../../rack-model/types.js';
import type { SimNode } from '../cluster.js';
import type { Prng } from '../prng.js';
import { selectHost } from './kube-scoring.js';
import { feasibleNodes, type PlacementPolicy, type PlacementView, type TelemetryView } from './types.js';

export interface ClimatikPlacementOptions {
  /** Extender weight in the scheduler profile; the score counts weight x 10 per point (0..10). */
  readonly extenderWeight: number;
  readonly planner: Planner;
}

export interface ClimatikPlacement extends PlacementPolicy {
  /** Background plan refresh (the extender does this when telemetry or pending demand change). */
  refreshPlan(topology: Topology, telemetry: TelemetryView, demandW: number): void;
  readonly plan: PlanResult | undefined;
  /** Pods the extender's filter turned away (every feasible node rejected). */
  readonly rejections: number;
}

export function placementState(topology: Topology, telemetry: TelemetryView, plan: PlanResult | undefined): PlacementState {
  const rackPowerW: Record<string, number> = {};
  for (const rack of topology.racks) rackPowerW[rack.id] = (telemetry.rackPowerW[rack.id] ?? 0) + (telemetry.boundSinceSampleW[rack.id] ?? 0);
  return { topology, rackPowerW: rackPowerW as RackPowerW, plan, staleRacks: new Set(), boundSinceSampleW: telemetry.boundSinceSampleW };
}

export function climatikPolicy(options: ClimatikPlacementOptions, prng: Prng): ClimatikPlacement {
  let plan: PlanResult | undefined;
  let rejections = 0;
  return {
    name: 'climatik',
    get plan() {
      return plan;
    },
    get rejections() {
      return rejections;
    },
    refreshPlan(topology, telemetry, demandW) {
      plan = options.planner.plan(wholeLoadPlanRequest(topology, placementState(topology, telemetry, undefined).rackPowerW, demandW));
    },
    place(view: PlacementView, request) {
      const nodes = feasibleNodes(view.cluster, request);
      if (nodes.length === 0) return undefined;
      const state = placementState(view.topology, view.telemetry, plan);
      const candidates: Candidate[] = nodes.map((n) => ({ nodeName: n.name, rackId: n.rackId }));
      const filtered = filterCandidates(state, candidates, request.expectedPowerW);
      const passed = new Set(filtered.passed);
      const survivors = nodes.filter((n) => passed.has(n.name));
      if (survivors.length === 0) {
        rejections += 1;
        return undefined;
      }
      // kube-scheduler skips scoring when one node is left.
      if (survivors.length === 1) return survivors[0];
      const scores = new Map(
        scoreCandidates(state, survivors.map((n) => ({ nodeName: n.name, rackId: n.rackId })), request.expectedPowerW).map((s) => [s.host, s.score]),
      );
      const total = (n: SimNode): number => (scores.get(n.name) ?? 0) * options.extenderWeight * 10;
      return selectHost(survivors, total, prng);
    },
  };
}
