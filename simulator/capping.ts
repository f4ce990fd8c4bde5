// The capper in the loop: each reconcile builds the capper's DecisionInput from simulated telemetry
// and cluster state, runs the capper's own `decide`, and carries out its actions as the actuators
// would (GPU limit through the node agent after a delay, maxReplicaCount on the ScaledObject, which
// the HPA clamps to at once, pod-deletion-cost on pods). The mode decides what is carried out, as in
// the live reconcile: Enforce applies, Recommend and Observe decide with the actuators off.
// Recommendations are counted as the live counterfactual report counts them (recommendation-counter.ts).
import {
  actionsToApply,
  actionsToPublish,
  decide,
  stateAfter,
  type Action,
  type CurrentTargets,
  type DecisionState,
  type PowerSample,
  type PowerSnapshot,
} from '../capper/decisions/index.js';
import type { ResolvedPolicy } from '../capper/policy-validate.js';
import type { Topology } from '../rack-model/types.js';
import type { Cluster, SimNode } from './cluster.js';
import type { GpuPowerSpec } from './gpu-power.js';
import { RecommendationCounter } from './recommendation-counter.js';
import type { ServiceRuntime } from './service.js';

interface ScaledObjectState {
  original: number | undefined;
  capped: number | undefined;
}

export interface CappingCounts {
  gpuLimitChanges: number;
  replicaCeilingChanges: number;
  deletionCostChanges: number;
}

export class CapperLoop {
  private state: DecisionState = { lastActionMs: {}, belowRestoreSinceMs: {} };
  private readonly history = new Map<string, PowerSample[]>();
  private readonly desiredLimitW = new Map<string, number>();
  private readonly pendingLimits: { atS: number; node: SimNode; limitW: number }[] = [];
  private readonly scaledObjects = new Map<string, ScaledObjectState>();
  private lastRunS = Number.NEGATIVE_INFINITY;
  readonly counts: CappingCounts = { gpuLimitChanges: 0, replicaCeilingChanges: 0, deletionCostChanges: 0 };
  /** Recommend and Enforce publish recommendations (Observe none); nobody approves in a replay. */
  readonly recommendations = new RecommendationCounter();

  constructor(
    private readonly policy: ResolvedPolicy,
    private readonly topology: Topology,
    private readonly cluster: Cluster,
    private readonly services: readonly ServiceRuntime[],
    private readonly gpu: GpuPowerSpec,
    private readonly intervalS: number,
    private readonly applyDelayS: number,
  ) {}

  /** Telemetry sample: kept as history for the capper's forecast, trimmed to its observation window. */
  observe(nowS: number, rackPowerW: Readonly<Record<string, number>>): void {
    const cutoffMs = nowS * 1000 - this.policy.observationWindowMs;
    for (const [id, w] of Object.entries(rackPowerW)) {
      const samples = this.history.get(id) ?? [];
      samples.push({ timeMs: nowS * 1000, powerW: w });
      while ((samples[0]?.timeMs ?? Number.POSITIVE_INFINITY) < cutoffMs) samples.shift();
      this.history.set(id, samples);
    }
  }

  /** Applies GPU limits whose node-agent delay has passed. */
  applyDue(nowS: number): void {
    for (let i = this.pendingLimits.length - 1; i >= 0; i -= 1) {
      const p = this.pendingLimits[i];
      if (p === undefined || p.atS > nowS) continue;
      p.node.setGpuLimit(p.limitW);
      this.pendingLimits.splice(i, 1);
    }
  }

  /** One reconcile, when due, against the latest telemetry snapshot. */
  reconcile(nowS: number, snapshot: PowerSnapshot): void {
    if (nowS - this.lastRunS < this.intervalS) return;
    this.lastRunS = nowS;
    const decision = decide({
      policy: this.policy,
      topology: this.topology,
      snapshot,
      history: Object.fromEntries(this.history),
      targets: this.targets(),
      state: this.state,
      nowMs: nowS * 1000,
    });
    const { mode } = this.policy;
    this.state = stateAfter(mode, this.state, decision);
    const applied = actionsToApply(mode, decision);
    this.recommendations.observe(decision.racks, actionsToPublish(mode, decision), applied);
    for (const action of applied) this.apply(nowS, action);
  }

  private targets(): CurrentTargets {
    const nodes = this.cluster.nodes.map((n) => ({
      name: n.name,
      rackId: n.rackId,
      desiredLimitW: this.desiredLimitW.get(n.name),
      gpus: { gpuCount: n.hw.gpus, defaultLimitW: this.gpu.maxLimitW, minLimitW: this.gpu.minLimitW, maxLimitW: this.gpu.maxLimitW },
    }));
    const scaledObjects = this.services.map((s) => {
      const so = this.scaledObjects.get(s.spec.name);
      const replicasByRack: Record<string, number> = {};
      for (const r of s.replicas) if (r.phase !== 'draining') replicasByRack[r.rackId] = (replicasByRack[r.rackId] ?? 0) + 1;
      return {
        namespace: s.spec.namespace,
        name: s.spec.name,
        minReplicaCount: s.spec.autoscaler.minReplicas,
        maxReplicaCount: s.autoscaler.maxReplicas,
        originalMaxReplicaCount: so?.original,
        cappedMaxReplicaCount: so?.capped,
        replicasByRack,
      };
    });
    const pods = this.services.flatMap((s) =>
      s.replicas.map((r) => ({
        namespace: s.spec.namespace,
        name: r.id,
        rackId: r.rackId,
        scaledObject: `${s.spec.namespace}/${s.spec.name}`,
        deletionCost: s.deletionCost.get(r.id),
      })),
    );
    return { nodes, scaledObjects, pods };
  }

  private apply(nowS: number, action: Action): void {
    switch (action.kind) {
      case 'SetGpuPowerLimit':
      case 'ClearGpuPowerLimit': {
        const node = this.cluster.byName.get(action.node);
        if (node === undefined) return;
        const limitW = action.kind === 'SetGpuPowerLimit' ? action.limitW : this.gpu.maxLimitW;
        if (action.kind === 'SetGpuPowerLimit') this.desiredLimitW.set(node.name, limitW);
        else this.desiredLimitW.delete(node.name);
        this.pendingLimits.push({ atS: nowS + this.applyDelayS, node, limitW });
        this.counts.gpuLimitChanges += 1;
        return;
      }
      case 'SetMaxReplicas':
      case 'RestoreMaxReplicas': {
        const service = this.services.find((s) => s.spec.name === action.name && s.spec.namespace === action.namespace);
        if (service === undefined) return;
        service.autoscaler.maxReplicas = action.maxReplicaCount;
        this.scaledObjects.set(
          action.name,
          action.kind === 'SetMaxReplicas'
            ? { original: action.originalMaxReplicaCount, capped: action.maxReplicaCount }
            : { original: undefined, capped: undefined },
        );
        this.counts.replicaCeilingChanges += 1;
        return;
      }
      case 'SetPodDeletionCost':
      case 'ClearPodDeletionCost': {
        const owner = this.services.find((s) => s.spec.namespace === action.namespace && s.replicas.some((r) => r.id === action.name));
        if (owner === undefined) return;
        if (action.kind === 'SetPodDeletionCost') owner.deletionCost.set(action.name, action.cost);
        else owner.deletionCost.delete(action.name);
        this.counts.deletionCostChanges += 1;
        return;
      }
    }
  }
}
