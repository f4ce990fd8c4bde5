// A human approved (or rejected) a recommendation in Slack. Before anything is written the policy
// and every target are re-read from the API server: the recommendation was computed earlier, from
// caches, and the cluster may have moved on (policy switched to Enforce or deleted, ScaledObject
// gone, minReplicaCount raised, target capped by another policy). Anything that no longer holds
// refuses the whole approval with the reasons; the next reconcile publishes a fresh recommendation.
// Writes go through the same Actuators as Enforce, so the owner's value is saved the same way.
import { ClimatikError, type FieldIssue } from '../../common/index.js';
import { KEDA_DEFAULT_MAX, KEDA_DEFAULT_MIN, selectScaledObjects, type ScaledObject } from '../cluster-view.js';
import { ownersMaxReplicaCount } from '../decisions/replica-plan.js';
import { targetKey, type Action, type ScaledObjectTarget } from '../decisions/types.js';
import { ANNOTATIONS, type PolicyObject } from '../policy-schema.js';
import { resolvePolicy, type ResolvedPolicy } from '../policy-validate.js';
import { describeAction, type Recommendation } from '../sinks/types.js';
import type { SlackUser } from '../sinks/slack-actions.js';
import { actionRecord, MAX_APPLIED_RECORDS } from '../status.js';
import { policyKey, type ActuatorPort, type ClusterReader, type PolicyRef } from './actuators.js';

export type ApprovalPort = ActuatorPort & ClusterReader;

export interface ApprovalOutcome {
  readonly applied: readonly Action[];
  /** Actions already in effect or on targets that went away harmlessly (a pod), with why. */
  readonly skipped: readonly { readonly action: Action; readonly why: string }[];
  /** The policy's resourceVersion after the status write (undefined when nothing was written). */
  readonly resourceVersion: string | undefined;
}

export function slackUserLabel(user: SlackUser): string {
  return user.name === user.id ? user.id : `${user.name} (${user.id})`;
}

const refused = (rec: Recommendation, message: string, issues: FieldIssue[]) =>
  new ClimatikError('CLIMATIK_REQUEST_INVALID', `recommendation ${rec.id} cannot be applied: ${message}`, { issues });

/** The policy as it is now; refuses unless it exists, is not being deleted, and is in Recommend mode. */
async function currentPolicy(port: ApprovalPort, rec: Recommendation): Promise<{ policy: PolicyObject; resolved: ResolvedPolicy; ref: PolicyRef }> {
  const key = policyKey(rec.policy);
  const policy = await port.readPolicy(rec.policy);
  if (policy === undefined) throw refused(rec, `policy ${key} no longer exists`, [{ path: '/policy', message: 'not found', value: key }]);
  if (policy.metadata.deletionTimestamp !== undefined) throw refused(rec, `policy ${key} is being deleted`, [{ path: '/policy/metadata/deletionTimestamp', message: 'being deleted', value: String(policy.metadata.deletionTimestamp) }]);
  const mode = policy.spec.mode;
  if (mode !== 'Recommend') {
    const why = mode === 'Enforce' ? 'in Enforce mode the capper applies its actions itself' : 'in Observe mode nothing may be applied';
    throw refused(rec, `policy ${key} is in ${mode} mode (${why}); approvals apply only in Recommend mode`, [{ path: '/policy/spec/mode', message: 'must be Recommend to approve', value: mode }]);
  }
  const ref: PolicyRef = { namespace: policy.metadata.namespace, name: policy.metadata.name, ...(policy.metadata.uid ? { uid: policy.metadata.uid } : {}) };
  return { policy, resolved: resolvePolicy(policy.spec, ref), ref };
}

function asTarget(so: ScaledObject): ScaledObjectTarget {
  const int = (k: string) => {
    const n = Number(so.metadata.annotations?.[k]);
    return so.metadata.annotations?.[k] !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined;
  };
  return {
    namespace: so.metadata.namespace,
    name: so.metadata.name,
    minReplicaCount: so.spec.minReplicaCount ?? KEDA_DEFAULT_MIN,
    maxReplicaCount: so.spec.maxReplicaCount ?? KEDA_DEFAULT_MAX,
    originalMaxReplicaCount: int(ANNOTATIONS.originalMaxReplicaCount),
    cappedMaxReplicaCount: int(ANNOTATIONS.cappedMaxReplicaCount),
    replicasByRack: {},
  };
}

type Checked = { apply: Action; resourceVersion?: string } | { skip: string } | { issue: string; value?: unknown };

/** One action against the target as it is now: apply (possibly refreshed), skip, or refuse. */
async function check(port: ApprovalPort, resolved: ResolvedPolicy, by: string, action: Action): Promise<Checked> {
  switch (action.kind) {
    case 'SetMaxReplicas':
    case 'RestoreMaxReplicas': {
      const so = await port.readScaledObject(action.namespace, action.name);
      if (so === undefined) return { issue: `ScaledObject ${action.namespace}/${action.name} no longer exists` };
      if (selectScaledObjects(resolved, [so]).length === 0) return { issue: `ScaledObject ${action.namespace}/${action.name} is no longer a target of the policy` };
      const cappedBy = so.metadata.annotations?.[ANNOTATIONS.cappedBy];
      if (cappedBy !== undefined && cappedBy !== by) return { issue: `ScaledObject ${action.namespace}/${action.name} is capped by policy ${cappedBy}`, value: cappedBy };
      const target = asTarget(so);
      // Recomputed from the object now: an owner's edit since the recommendation is what gets saved.
      const owners = ownersMaxReplicaCount(target);
      const rv = so.metadata.resourceVersion === undefined ? {} : { resourceVersion: so.metadata.resourceVersion };
      if (action.kind === 'RestoreMaxReplicas') {
        if (cappedBy !== by) return { skip: 'not capped by this policy: nothing to restore' };
        return { apply: { ...action, maxReplicaCount: owners }, ...rv };
      }
      if (action.maxReplicaCount < target.minReplicaCount) {
        return { issue: `maxReplicaCount ${action.maxReplicaCount} would be below minReplicaCount ${target.minReplicaCount} of ${action.namespace}/${action.name}`, value: action.maxReplicaCount };
      }
      if (action.maxReplicaCount > owners) return { issue: `maxReplicaCount ${action.maxReplicaCount} is above the owner's ${owners}`, value: action.maxReplicaCount };
      if (action.maxReplicaCount === target.maxReplicaCount) return { skip: `already at ${target.maxReplicaCount}` };
      return { apply: { ...action, originalMaxReplicaCount: owners }, ...rv };
    }
    case 'SetGpuPowerLimit':
    case 'ClearGpuPowerLimit': {
      const node = await port.readNode(action.node);
      const setBy = node?.metadata?.annotations?.[ANNOTATIONS.gpuPowerLimitBy];
      if (action.kind === 'ClearGpuPowerLimit') return node !== undefined && setBy === by ? { apply: action } : { skip: 'no GPU limit of this policy on the node' };
      if (node === undefined) return { issue: `Node ${action.node} no longer exists` };
      if (setBy !== undefined && setBy !== by) return { issue: `Node ${action.node} has a GPU limit set by policy ${setBy}`, value: setBy };
      return { apply: action };
    }
    case 'SetPodDeletionCost':
    case 'ClearPodDeletionCost':
      // A scale-in hint on an ephemeral pod: a pod that went away needs none, and is no reason to refuse.
      return (await port.podExists(action.namespace, action.name)) ? { apply: action } : { skip: 'pod no longer exists' };
  }
}

/**
 * Applies an approved recommendation on behalf of `user`: checks, then merge patches through the
 * actuators, one `RecommendationApproved` Event naming the user, and `status.appliedActions`
 * (with `approvedBy`) plus the rate-limit times, so the next reconcile continues from there.
 */
export async function applyApproval(port: ApprovalPort, rec: Recommendation, user: SlackUser, nowMs: number): Promise<ApprovalOutcome> {
  if (rec.actions.length === 0) throw refused(rec, 'it has no actions', [{ path: '/recommendation/actions', message: 'empty', value: [] }]);
  const { policy, resolved, ref } = await currentPolicy(port, rec);
  const by = policyKey(ref);
  const planned: { apply: Action; resourceVersion?: string }[] = [];
  const skipped: { action: Action; why: string }[] = [];
  const issues: FieldIssue[] = [];
  for (const [i, action] of rec.actions.entries()) {
    const c = await check(port, resolved, by, action);
    if ('issue' in c) issues.push({ path: `/recommendation/actions/${i}`, message: c.issue, ...('value' in c ? { value: c.value } : {}) });
    else if ('skip' in c) skipped.push({ action, why: c.skip });
    else planned.push(c);
  }
  if (issues.length > 0) throw refused(rec, `${issues.map((i) => i.message).join('; ')}; a fresh recommendation follows on the next reconcile`, issues);

  const who = slackUserLabel(user);
  const applied: Action[] = [];
  let failure: ClimatikError | undefined;
  for (const p of planned) {
    try {
      await port.apply(ref, p.apply, p.resourceVersion);
      applied.push(p.apply);
    } catch (err) {
      // Stop at the first failure (e.g. 409: the owner edited the object): what was applied is recorded below.
      failure = err instanceof ClimatikError ? err : new ClimatikError('CLIMATIK_KUBE_API', String(err), { cause: err });
      break;
    }
  }
  const lines = [...applied.map(describeAction), ...skipped.map((s) => `${describeAction(s.action)} (skipped: ${s.why})`)];
  await port
    .event(ref, failure ? 'Warning' : 'Normal', 'RecommendationApproved', `approved in Slack by ${who}${failure ? `; failed part-way: ${failure.message}` : ''}: ${lines.join('; ') || 'nothing left to apply'}`, nowMs)
    .catch(() => undefined);
  let resourceVersion: string | undefined;
  if (applied.length > 0) {
    const records = applied.map((a) => ({ ...actionRecord(a, nowMs), approvedBy: who }));
    const time = new Date(nowMs).toISOString();
    resourceVersion = await port.patchStatus(ref, {
      appliedActions: [...(policy.status?.appliedActions ?? []), ...records].slice(-MAX_APPLIED_RECORDS),
      // Merge patch: adds these keys to the rate-limit map, as an Enforce reconcile would have.
      lastActionTime: Object.fromEntries(applied.map((a) => [targetKey(a), time])),
    });
  }
  if (failure) throw failure;
  return { applied, skipped, resourceVersion };
}

/** A rejection only leaves a trace: a `RecommendationRejected` Event naming the user. */
export async function recordRejection(port: ApprovalPort, rec: Recommendation, user: SlackUser, nowMs: number): Promise<void> {
  const policy = await port.readPolicy(rec.policy);
  if (policy === undefined) return; // nothing to attach the Event to, and nothing was going to change
  const ref: PolicyRef = { namespace: policy.metadata.namespace, name: policy.metadata.name, ...(policy.metadata.uid ? { uid: policy.metadata.uid } : {}) };
  const what = rec.actions.map(describeAction).join('; ') || 'no actions';
  await port.event(ref, 'Normal', 'RecommendationRejected', `rejected in Slack by ${slackUserLabel(user)}, nothing applied: ${what}`, nowMs);
}
