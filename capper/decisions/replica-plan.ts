// Replica ceilings (KEDA maxReplicaCount) and pod-deletion-cost: used when GPU limits cannot cover
// a rack's excess. The ceiling never goes below minReplicaCount (KEDA's CRD rejects that), and the
// owner's value is the one restored, including a value they set while the object was capped.
import type { Action, PodTarget, PowerSnapshot, ScaledObjectTarget } from './types.js';

export function soKey(so: { namespace: string; name: string }): string {
  return `${so.namespace}/${so.name}`;
}

/** True when the owner changed maxReplicaCount after the capper last wrote it. */
export function ownerEdited(so: ScaledObjectTarget): boolean {
  return so.cappedMaxReplicaCount !== undefined && so.maxReplicaCount !== so.cappedMaxReplicaCount;
}

/** The owner's ceiling: what to save before capping and what to restore. */
export function ownersMaxReplicaCount(so: ScaledObjectTarget): number {
  if (so.originalMaxReplicaCount === undefined || ownerEdited(so)) return so.maxReplicaCount;
  return so.originalMaxReplicaCount;
}

export function isCapped(so: ScaledObjectTarget): boolean {
  return so.originalMaxReplicaCount !== undefined;
}

function totalReplicas(so: ScaledObjectTarget): number {
  return Object.values(so.replicasByRack).reduce((a, b) => a + b, 0);
}

/** Average measured power of the pods behind `sos` (optionally in one rack), if telemetry has any. */
export function perReplicaW(
  pods: readonly PodTarget[],
  snapshot: PowerSnapshot | undefined,
  sos: ReadonlySet<string>,
  rackId?: string,
): number | undefined {
  const values = pods
    .filter((p) => sos.has(p.scaledObject) && (rackId === undefined || p.rackId === rackId))
    .map((p) => snapshot?.podPowerW[`${p.namespace}/${p.name}`])
    .filter((s) => s !== undefined && !s.stale && s.value > 0)
    .map((s) => s?.value ?? 0);
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}

export function tightenReplicas(
  rackId: string,
  sos: readonly ScaledObjectTarget[],
  pods: readonly PodTarget[],
  snapshot: PowerSnapshot | undefined,
  rackMeasuredW: number,
  excessW: number,
  canAct: (key: string) => boolean,
): Action[] {
  const inRack = sos.filter((so) => (so.replicasByRack[rackId] ?? 0) > 0).sort((a, b) => (b.replicasByRack[rackId] ?? 0) - (a.replicasByRack[rackId] ?? 0));
  const replicasInRack = inRack.reduce((sum, so) => sum + (so.replicasByRack[rackId] ?? 0), 0);
  if (replicasInRack === 0) return [];
  const eachW = perReplicaW(pods, snapshot, new Set(inRack.map(soKey)), rackId) ?? rackMeasuredW / replicasInRack;
  let toRemove = Math.ceil(excessW / Math.max(1, eachW));
  const actions: Action[] = [];
  for (const so of inRack) {
    if (toRemove <= 0) break;
    if (!canAct(`scaledobject/${soKey(so)}`)) continue;
    const owners = ownersMaxReplicaCount(so);
    const base = Math.min(so.maxReplicaCount, totalReplicas(so));
    const share = Math.min(toRemove, so.replicasByRack[rackId] ?? 0);
    const next = Math.max(so.minReplicaCount, base - share);
    if (next >= so.maxReplicaCount) continue;
    toRemove -= base - next;
    actions.push(setMaxReplicas(so, rackId, next, owners, `rack ${rackId} ${Math.round(excessW)} W over its cap after GPU limits: maxReplicaCount ${so.maxReplicaCount} → ${next} (about ${Math.round(eachW)} W per replica)`));
  }
  return actions;
}

/** Raises a capped ceiling toward the owner's value by what the headroom allows; restores it when reached. */
export function relaxReplicas(
  so: ScaledObjectTarget,
  rackId: string,
  headroomW: number,
  eachW: number | undefined,
): Action {
  const owners = ownersMaxReplicaCount(so);
  const stepUp = eachW === undefined ? 1 : Math.max(1, Math.floor(headroomW / eachW));
  const next = Math.min(owners, so.maxReplicaCount + stepUp);
  if (next >= owners || ownerEdited(so)) {
    return { kind: 'RestoreMaxReplicas', namespace: so.namespace, name: so.name, rackId, maxReplicaCount: owners, reason: `racks back under their restore level: maxReplicaCount restored to the owner's ${owners}` };
  }
  return setMaxReplicas(so, rackId, next, owners, `racks back under their restore level: maxReplicaCount ${so.maxReplicaCount} → ${next} of ${owners}`);
}

/** The one place a SetMaxReplicas action is built: the owner's value always travels with it. */
function setMaxReplicas(so: ScaledObjectTarget, rackId: string, maxReplicaCount: number, owners: number, reason: string): Action {
  return { kind: 'SetMaxReplicas', namespace: so.namespace, name: so.name, rackId, maxReplicaCount, originalMaxReplicaCount: owners, reason };
}

/**
 * Deletion costs so that scale-in removes replicas in the hottest racks first: lower cost goes
 * first, so the hottest rack gets the most negative value. Ranks (not raw watts) keep the values
 * stable from tick to tick.
 */
export function deletionCosts(
  hotRacksHottestFirst: readonly string[],
  clearRacks: ReadonlySet<string>,
  pods: readonly PodTarget[],
  canAct: (key: string) => boolean,
): Action[] {
  const costOf = new Map(hotRacksHottestFirst.map((id, i) => [id, -100 * (hotRacksHottestFirst.length - i)]));
  const actions: Action[] = [];
  for (const pod of pods) {
    if (pod.rackId === undefined || !canAct(`pod/${pod.namespace}/${pod.name}`)) continue;
    const cost = costOf.get(pod.rackId);
    if (cost !== undefined && pod.deletionCost !== cost) {
      actions.push({ kind: 'SetPodDeletionCost', namespace: pod.namespace, name: pod.name, rackId: pod.rackId, cost, reason: `rack ${pod.rackId} over its cap: remove this replica first on scale-in` });
    } else if (cost === undefined && pod.deletionCost !== undefined && clearRacks.has(pod.rackId)) {
      actions.push({ kind: 'ClearPodDeletionCost', namespace: pod.namespace, name: pod.name, rackId: pod.rackId, reason: `rack ${pod.rackId} back under its restore level` });
    }
  }
  return actions;
}
