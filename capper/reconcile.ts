// One reconcile of one PowerCappingPolicy: finalizer, validation, decisions, actuators (Enforce
// only), Events and status. Everything it needs to remember lives in the API server (annotations,
// status), so a restarted or newly elected capper continues where the last one stopped.
import { ClimatikError, type Logger } from '../common/index.js';
import type { Topology } from '../rack-model/types.js';
import type { ActuatorPort, PolicyRef } from './actuators/actuators.js';
import { summarizeOutcomes, updateOutcomes } from './counterfactual/index.js';
import { buildTargets, type ClusterObjects, type ScaledObject, KEDA_DEFAULT_MAX, KEDA_DEFAULT_MIN } from './cluster-view.js';
import { actionsToApply, actionsToPublish, decide, stateAfter } from './decisions/decide.js';
import { ownersMaxReplicaCount } from './decisions/replica-plan.js';
import { targetKey, type Action, type CurrentTargets, type RackAssessment } from './decisions/types.js';
import type { CapperMetrics } from './metrics.js';
import { ANNOTATIONS, FINALIZER, type PolicyObject } from './policy-schema.js';
import { resolvePolicy } from './policy-validate.js';
import type { CapperPowerSource } from './power-source.js';
import { actionRecord, buildStatus, stateFromStatus, statusPatch } from './status.js';

export interface ReconcileDeps {
  readonly actuators: ActuatorPort;
  readonly power: CapperPowerSource;
  readonly topology: () => Topology;
  readonly logger: Logger;
  readonly metrics: CapperMetrics;
  readonly nowMs: () => number;
  /** Notification sinks (Alertmanager, Slack, GitOps): told of every rack assessment and the published actions. */
  readonly notifier?: { observe(policy: PolicyRef, racks: readonly RackAssessment[], published: readonly Action[], nowMs: number, mode: 'Recommend' | 'Enforce'): void };
}

const EVENT_REASONS: Record<Action['kind'], string> = {
  SetGpuPowerLimit: 'GpuPowerLimitSet',
  ClearGpuPowerLimit: 'GpuPowerLimitRestored',
  SetMaxReplicas: 'MaxReplicasCapped',
  RestoreMaxReplicas: 'MaxReplicasRestored',
  SetPodDeletionCost: 'PodDeletionCostSet',
  ClearPodDeletionCost: 'PodDeletionCostCleared',
};

/** Returns the policy's resourceVersion after its status write, when there was one. */
export async function reconcilePolicy(deps: ReconcileDeps, policy: PolicyObject, objects: ClusterObjects): Promise<string | undefined> {
  const nowMs = deps.nowMs();
  const ref: PolicyRef = { namespace: policy.metadata.namespace, name: policy.metadata.name, ...(policy.metadata.uid ? { uid: policy.metadata.uid } : {}) };
  const finalizers = policy.metadata.finalizers ?? [];
  if (policy.metadata.deletionTimestamp !== undefined) {
    if (finalizers.includes(FINALIZER)) await releaseAll(deps, ref, objects, finalizers, policy.metadata.resourceVersion);
    return undefined;
  }
  if (!finalizers.includes(FINALIZER)) await deps.actuators.setFinalizers(ref, [...finalizers, FINALIZER], policy.metadata.resourceVersion);

  let resolved;
  try {
    resolved = resolvePolicy(policy.spec, ref);
  } catch (err) {
    if (!(err instanceof ClimatikError)) throw err;
    return reportInvalid(deps, policy, ref, err, nowMs);
  }
  const topology = deps.topology();
  const targets = buildTargets(resolved, topology, objects);
  const snapshot = await deps.power.snapshot();
  const history = await deps.power.history(resolved.observationWindowMs).catch((err: unknown) => {
    deps.logger.warn({ policy: ref, err: String(err) }, 'power history unavailable; forecasting without it');
    return {};
  });
  const before = stateFromStatus(policy.status);
  const decision = decide({ policy: resolved, topology, snapshot, history, targets, state: before, nowMs });
  const toApply = actionsToApply(resolved.mode, decision);

  const applied: Action[] = [];
  const failures: string[] = [];
  const failedKeys = new Set<string>();
  for (const action of toApply) {
    const started = deps.nowMs();
    try {
      await deps.actuators.apply(ref, action, resourceVersionFor(action, objects.scaledObjects));
      applied.push(action);
      deps.metrics.actions.inc({ kind: action.kind });
      deps.metrics.actuationMs.observe(deps.nowMs() - started);
      await deps.actuators.event(ref, 'Normal', EVENT_REASONS[action.kind], `${actionRecord(action, nowMs).target}: ${action.reason}`, nowMs).catch(() => undefined);
    } catch (err) {
      const text = err instanceof ClimatikError ? err.message : String(err);
      failures.push(text);
      failedKeys.add(targetKey(action));
      deps.metrics.failures.inc({ kind: action.kind });
      deps.logger.warn({ policy: ref, action: action.kind, err: text }, 'action failed; retried next tick');
      await deps.actuators.event(ref, 'Warning', 'ActionFailed', text, nowMs).catch(() => undefined);
    }
  }
  const published = actionsToPublish(resolved.mode, decision);
  // Observe reports in status only; Recommend and Enforce also reach the configured sinks.
  if (resolved.mode !== 'Observe') deps.notifier?.observe(ref, decision.racks, published, nowMs, resolved.mode);
  if (resolved.mode === 'Recommend' && recommendationChanged(policy, published, nowMs)) {
    await deps.actuators
      .event(ref, 'Normal', 'ActionsRecommended', published.map((a) => `${actionRecord(a, nowMs).target}: ${a.reason}`).join('; ') || 'no action needed', nowMs)
      .catch(() => undefined);
  }
  const after = stateAfter(resolved.mode, before, decision);
  // A failed action did not happen: it must not hold its target's rate limit.
  const lastActionMs: Record<string, number> = { ...after.lastActionMs };
  for (const key of failedKeys) {
    const previous = before.lastActionMs[key];
    if (previous === undefined) delete lastActionMs[key];
    else lastActionMs[key] = previous;
  }
  // Counterfactual report: follow each recommendation's rack, and model the choice not made.
  const appliedRecords = [...(policy.status?.appliedActions ?? []), ...applied.map((a) => actionRecord(a, nowMs))];
  const outcomes = updateOutcomes(policy.status?.outcomes ?? [], { nowMs, racks: decision.racks, published, applied: appliedRecords, history, context: { targets, snapshot } });
  const status = buildStatus({
    outcomes,
    counterfactual: outcomes.length === 0 ? undefined : summarizeOutcomes(outcomes, nowMs - resolved.observationWindowMs, nowMs),
    previous: policy.status,
    generation: policy.metadata.generation,
    mode: resolved.mode,
    decision,
    published,
    applied,
    failures,
    state: { ...after, lastActionMs },
    activeActions: activeAfter(targets, applied),
    telemetryOk: snapshot !== undefined,
    nowMs,
  });
  for (const r of decision.racks) {
    deps.metrics.rackPowerW.set({ policy: `${ref.namespace}/${ref.name}`, rack: r.id, kind: 'measured' }, r.measuredW ?? Number.NaN);
    deps.metrics.rackPowerW.set({ policy: `${ref.namespace}/${ref.name}`, rack: r.id, kind: 'forecast' }, r.forecastW ?? Number.NaN);
    deps.metrics.rackPowerW.set({ policy: `${ref.namespace}/${ref.name}`, rack: r.id, kind: 'cap' }, r.capW);
  }
  return deps.actuators.patchStatus(ref, statusPatch(policy.status, status));
}

function resourceVersionFor(action: Action, scaledObjects: readonly ScaledObject[]): string | undefined {
  if (action.kind !== 'SetMaxReplicas' && action.kind !== 'RestoreMaxReplicas') return undefined;
  return scaledObjects.find((s) => s.metadata.namespace === action.namespace && s.metadata.name === action.name)?.metadata.resourceVersion;
}

function recommendationChanged(policy: PolicyObject, published: readonly Action[], nowMs: number): boolean {
  const key = (r: { kind: string; target: string; value?: number }) => `${r.kind} ${r.target} ${r.value ?? ''}`;
  const before = (policy.status?.recommendedActions ?? []).map(key).sort().join('|');
  const now = published.map((a) => key(actionRecord(a, nowMs))).sort().join('|');
  return before !== now;
}

/** Targets capped by this policy after this tick's successful actions. */
function activeAfter(targets: CurrentTargets, applied: readonly Action[]): number {
  const active = new Set<string>([
    ...targets.nodes.filter((n) => n.desiredLimitW !== undefined).map((n) => `node/${n.name}`),
    ...targets.scaledObjects.filter((s) => s.originalMaxReplicaCount !== undefined).map((s) => `scaledobject/${s.namespace}/${s.name}`),
    ...targets.pods.filter((p) => p.deletionCost !== undefined).map((p) => `pod/${p.namespace}/${p.name}`),
  ]);
  for (const a of applied) {
    if (a.kind.startsWith('Set')) active.add(targetKey(a));
    else active.delete(targetKey(a));
  }
  return active.size;
}

async function reportInvalid(deps: ReconcileDeps, policy: PolicyObject, ref: PolicyRef, err: ClimatikError, nowMs: number): Promise<string | undefined> {
  const message = err.describe();
  const wasInvalid = policy.status?.conditions?.some((c) => c.type === 'Ready' && c.reason === 'InvalidSpec' && c.message === message.slice(0, 1000));
  if (!wasInvalid) await deps.actuators.event(ref, 'Warning', 'InvalidSpec', message, nowMs).catch(() => undefined);
  const time = new Date(nowMs).toISOString();
  return deps.actuators.patchStatus(ref, {
    ...(policy.metadata.generation === undefined ? {} : { observedGeneration: policy.metadata.generation }),
    conditions: [{ type: 'Ready', status: 'False', reason: 'InvalidSpec', message: message.slice(0, 1000), lastTransitionTime: time }],
  });
}

/** Finalizer: give back everything this policy capped (whatever its spec says now), then let it go. */
async function releaseAll(deps: ReconcileDeps, ref: PolicyRef, objects: ClusterObjects, finalizers: readonly string[], resourceVersion?: string): Promise<void> {
  const by = `${ref.namespace}/${ref.name}`;
  const actions: Action[] = [];
  for (const n of objects.nodes) {
    if (n.metadata?.annotations?.[ANNOTATIONS.gpuPowerLimitBy] === by) actions.push({ kind: 'ClearGpuPowerLimit', node: n.metadata.name ?? '', rackId: '', reason: `policy ${by} deleted` });
  }
  for (const so of objects.scaledObjects) {
    const a = so.metadata.annotations ?? {};
    if (a[ANNOTATIONS.cappedBy] !== by) continue;
    const owners = ownersMaxReplicaCount({
      namespace: so.metadata.namespace,
      name: so.metadata.name,
      minReplicaCount: so.spec.minReplicaCount ?? KEDA_DEFAULT_MIN,
      maxReplicaCount: so.spec.maxReplicaCount ?? KEDA_DEFAULT_MAX,
      originalMaxReplicaCount: toInt(a[ANNOTATIONS.originalMaxReplicaCount]),
      cappedMaxReplicaCount: toInt(a[ANNOTATIONS.cappedMaxReplicaCount]),
      replicasByRack: {},
    });
    actions.push({ kind: 'RestoreMaxReplicas', namespace: so.metadata.namespace, name: so.metadata.name, rackId: '', maxReplicaCount: owners, reason: `policy ${by} deleted` });
  }
  for (const p of objects.pods) {
    if (p.metadata?.annotations?.[ANNOTATIONS.podDeletionCostBy] === by) {
      actions.push({ kind: 'ClearPodDeletionCost', namespace: p.metadata.namespace ?? '', name: p.metadata.name ?? '', rackId: '', reason: `policy ${by} deleted` });
    }
  }
  const nowMs = deps.nowMs();
  for (const a of actions) {
    // No resourceVersion here: the policy is going away and the owner's value is what we write.
    await deps.actuators.apply(ref, a);
    deps.metrics.actions.inc({ kind: a.kind });
  }
  await deps.actuators.event(ref, 'Normal', 'CapsReleased', `policy deleted: ${actions.length} target(s) restored`, nowMs).catch(() => undefined);
  await deps.actuators.setFinalizers(ref, finalizers.filter((f) => f !== FINALIZER), resourceVersion);
}

function toInt(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}
