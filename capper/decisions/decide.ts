// The capper's decision: (policy, topology, snapshot, history, current targets, state, now) →
// rack assessments + actions + next state. Pure; every mode runs exactly this, and only Enforce
// hands the actions to the actuators. Order of gentleness when tightening: GPU limits, then replica
// ceilings (only once GPU limits cannot cover the excess), with deletion costs steering scale-in to
// the hottest racks. Giving back runs in reverse: replica ceilings first, then GPU limits.
import type { PolicyMode } from '../policy-schema.js';
import { relaxGpus, tightenGpus } from './gpu-plan.js';
import { assessRacks, isHot } from './rack-assess.js';
import { deletionCosts, isCapped, ownerEdited, perReplicaW, relaxReplicas, soKey, tightenReplicas } from './replica-plan.js';
import { targetKey, type Action, type Decision, type DecisionInput, type DecisionState, type NodeTarget, type RackAssessment } from './types.js';

export function decide(input: DecisionInput): Decision {
  const { policy, topology, snapshot, history, targets, state, nowMs } = input;
  const assessed = assessRacks(policy, topology, snapshot, history, state.belowRestoreSinceMs, nowMs);
  const problems = [...assessed.problems];
  const intervalMs = policy.hysteresis.minActionIntervalMs;
  const canAct = (key: string): boolean => {
    const last = state.lastActionMs[key];
    return last === undefined || nowMs - last >= intervalMs;
  };

  const nodesByRack = new Map<string, NodeTarget[]>();
  for (const node of targets.nodes) {
    if (node.rackId === undefined) continue;
    nodesByRack.set(node.rackId, [...(nodesByRack.get(node.rackId) ?? []), node]);
  }
  const byId = new Map(assessed.racks.map((r) => [r.id, r]));
  if (policy.gpuPowerLimits.enabled) {
    for (const rack of assessed.racks) {
      for (const node of nodesByRack.get(rack.id) ?? []) {
        if (node.gpus === undefined) problems.push(`node ${node.name} (rack ${rack.id}): no GPU report from the node agent yet`);
      }
    }
  }

  const hot = assessed.racks.filter(isHot).sort((a, b) => b.excessW / b.capW - a.excessW / a.capW);
  const actions: Action[] = [];
  const soActions = new Map<string, Action & { kind: 'SetMaxReplicas' }>();
  for (const rack of hot) {
    const gpu = tightenGpus(policy, rack.id, nodesByRack.get(rack.id) ?? [], rack.excessW, canAct);
    actions.push(...gpu.actions);
    const remainingW = rack.excessW - gpu.savedW;
    if (remainingW <= 0 || gpu.moreAvailable) continue; // let the GPU step take effect first
    const measuredW = rack.measuredW ?? rack.capW;
    for (const a of tightenReplicas(rack.id, targets.scaledObjects, targets.pods, snapshot, measuredW, remainingW, canAct)) {
      if (a.kind !== 'SetMaxReplicas') continue;
      const key = soKey(a);
      const previous = soActions.get(key);
      if (previous === undefined || a.maxReplicaCount < previous.maxReplicaCount) soActions.set(key, a);
    }
  }
  actions.push(...soActions.values());

  // Give back, replica ceilings first; a ScaledObject only when every guarded rack it runs in may restore.
  const guardedIds = new Set(assessed.racks.map((r) => r.id));
  const mayRestore = (r: RackAssessment | undefined) => r !== undefined && r.state === 'UnderCap';
  const headroomW = (r: RackAssessment) => (r.capW * policy.hysteresis.restoreBelowPercentOfCap) / 100 - (r.capW + r.excessW);
  const racksHoldingReplicaCaps = new Set<string>();
  for (const so of targets.scaledObjects) {
    if (!isCapped(so) || soActions.has(soKey(so))) continue;
    const racks = Object.keys(so.replicasByRack).filter((id) => guardedIds.has(id) && (so.replicasByRack[id] ?? 0) > 0);
    const ready = racks.length > 0 ? racks.every((id) => mayRestore(byId.get(id))) : hot.length === 0 && assessed.racks.every((r) => r.state !== 'Unknown');
    if (!ready || !(canAct(`scaledobject/${soKey(so)}`) || ownerEdited(so))) {
      for (const id of racks) racksHoldingReplicaCaps.add(id);
      continue;
    }
    const room = Math.min(...racks.map((id) => headroomW(byId.get(id) as RackAssessment)), Number.POSITIVE_INFINITY);
    const action = relaxReplicas(so, racks[0] ?? '', Number.isFinite(room) ? room : 0, perReplicaW(targets.pods, snapshot, new Set([soKey(so)])));
    actions.push(action);
    // GPU limits come back on a later tick, once the replicas have had their turn.
    for (const id of racks) racksHoldingReplicaCaps.add(id);
  }
  for (const rack of assessed.racks) {
    if (!mayRestore(rack) || racksHoldingReplicaCaps.has(rack.id)) continue;
    actions.push(...relaxGpus(policy, rack.id, nodesByRack.get(rack.id) ?? [], headroomW(rack), canAct));
  }

  const restorable = new Set(assessed.racks.filter(mayRestore).map((r) => r.id));
  actions.push(...deletionCosts(hot.map((r) => r.id), restorable, targets.pods, canAct));

  const capsInRack = (id: string) =>
    (nodesByRack.get(id) ?? []).some((n) => n.desiredLimitW !== undefined) ||
    targets.scaledObjects.some((so) => isCapped(so) && (so.replicasByRack[id] ?? 0) > 0) ||
    targets.pods.some((p) => p.rackId === id && p.deletionCost !== undefined);
  const racks = assessed.racks.map((r) => (r.state === 'Recovering' && !capsInRack(r.id) ? { ...r, state: 'UnderCap' as const } : r));

  return { racks, actions, state: nextState(state, actions, assessed.belowRestoreSinceMs, nowMs, intervalMs), problems };
}

function nextState(
  state: DecisionState,
  actions: readonly Action[],
  belowRestoreSinceMs: Record<string, number>,
  nowMs: number,
  intervalMs: number,
): DecisionState {
  const lastActionMs: Record<string, number> = {};
  // Entries older than the interval no longer limit anything; dropping them keeps the status small.
  for (const [key, t] of Object.entries(state.lastActionMs)) if (nowMs - t < intervalMs) lastActionMs[key] = t;
  for (const a of actions) lastActionMs[targetKey(a)] = nowMs;
  return { lastActionMs, belowRestoreSinceMs };
}

/** Which actions a mode carries out; Observe and Recommend run the same decisions with actuators off. */
export function actionsToApply(mode: PolicyMode, decision: Decision): readonly Action[] {
  return mode === 'Enforce' ? decision.actions : [];
}

/** Recommend and Enforce publish the recommended actions; Observe reports rack state only. */
export function actionsToPublish(mode: PolicyMode, decision: Decision): readonly Action[] {
  return mode === 'Observe' ? [] : decision.actions;
}

/** Rate-limit memory only advances for actions actually applied, so Recommend keeps recommending. */
export function stateAfter(mode: PolicyMode, before: DecisionState, decision: Decision): DecisionState {
  return mode === 'Enforce' ? decision.state : { lastActionMs: before.lastActionMs, belowRestoreSinceMs: decision.state.belowRestoreSinceMs };
}
