// Builds the policy status from one reconcile (pure). The status is also the capper's memory:
// rate-limit times and restore timers are written here and read back after a restart.
import type { OutcomeRecord } from './counterfactual/schema.js';
import type { CounterfactualSummary } from './counterfactual/types.js';
import { isHot } from './decisions/rack-assess.js';
import type { Action, Decision, DecisionState } from './decisions/types.js';
import { targetKey } from './decisions/types.js';
import type { ActionRecord, Condition, PolicyMode, PolicyStatus } from './policy-schema.js';

export const MAX_APPLIED_RECORDS = 20;

export function stateFromStatus(status: PolicyStatus | undefined): DecisionState {
  const toMs = (m: Readonly<Record<string, string>> | undefined) => {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(m ?? {})) {
      const t = Date.parse(v);
      if (Number.isFinite(t)) out[k] = t;
    }
    return out;
  };
  return { lastActionMs: toMs(status?.lastActionTime), belowRestoreSinceMs: toMs(status?.belowRestoreSince) };
}

export function actionRecord(a: Action, nowMs: number): ActionRecord {
  const time = new Date(nowMs).toISOString();
  const target = targetKey(a).split('/').slice(1).join('/');
  const value =
    a.kind === 'SetGpuPowerLimit' ? a.limitW : a.kind === 'SetMaxReplicas' || a.kind === 'RestoreMaxReplicas' ? a.maxReplicaCount : a.kind === 'SetPodDeletionCost' ? a.cost : undefined;
  return { kind: a.kind, target, ...(value === undefined ? {} : { value }), rack: a.rackId, reason: a.reason, time };
}

function condition(prev: readonly Condition[] | undefined, type: string, status: Condition['status'], reason: string, message: string, nowMs: number): Condition {
  const old = prev?.find((c) => c.type === type);
  const lastTransitionTime = old !== undefined && old.status === status ? old.lastTransitionTime : new Date(nowMs).toISOString();
  return { type, status, reason, message: message.slice(0, 1000), lastTransitionTime };
}

export interface StatusInput {
  readonly previous: PolicyStatus | undefined;
  readonly generation: number | undefined;
  readonly mode: PolicyMode;
  readonly decision: Decision;
  readonly published: readonly Action[];
  readonly applied: readonly Action[];
  readonly failures: readonly string[];
  readonly state: DecisionState;
  readonly activeActions: number;
  readonly telemetryOk: boolean;
  readonly nowMs: number;
  /** Counterfactual report: the outcome records after this tick and their summary (see counterfactual/). */
  readonly outcomes?: readonly OutcomeRecord[];
  readonly counterfactual?: CounterfactualSummary;
}

export function buildStatus(i: StatusInput): PolicyStatus {
  const prev = i.previous?.conditions;
  const problems = [...i.decision.problems, ...i.failures];
  const over = i.decision.racks.filter(isHot);
  const iso = (m: Readonly<Record<string, number>>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, new Date(v).toISOString()]));
  return {
    ...(i.generation === undefined ? {} : { observedGeneration: i.generation }),
    conditions: [
      i.telemetryOk
        ? condition(prev, 'Ready', 'True', 'Reconciled', `mode ${i.mode}`, i.nowMs)
        : condition(prev, 'Ready', 'False', 'NoTelemetry', 'no power snapshot available', i.nowMs),
      i.activeActions > 0
        ? condition(prev, 'Capping', 'True', 'CapsActive', `${i.activeActions} target(s) capped`, i.nowMs)
        : condition(prev, 'Capping', 'False', over.length > 0 ? 'OverCapNotEnforced' : 'NoCaps', over.length > 0 ? `${over.length} rack(s) over cap in mode ${i.mode}` : 'nothing capped', i.nowMs),
      problems.length > 0
        ? condition(prev, 'Degraded', 'True', i.failures.length > 0 ? 'ActionsFailed' : 'PartialData', problems.join('; '), i.nowMs)
        : condition(prev, 'Degraded', 'False', 'AllGood', 'telemetry and actuators healthy', i.nowMs),
    ],
    racksOverCap: over.length,
    activeActions: i.activeActions,
    racks: i.decision.racks.map((r) => ({
      id: r.id,
      state: r.state,
      capW: Math.round(r.capW),
      ...(r.measuredW === undefined ? {} : { measuredW: r.measuredW }),
      ...(r.forecastW === undefined ? {} : { forecastW: r.forecastW }),
    })),
    recommendedActions: i.published.map((a) => actionRecord(a, i.nowMs)),
    appliedActions: [...(i.previous?.appliedActions ?? []), ...i.applied.map((a) => actionRecord(a, i.nowMs))].slice(-MAX_APPLIED_RECORDS),
    lastActionTime: iso(i.state.lastActionMs),
    belowRestoreSince: iso(i.state.belowRestoreSinceMs),
    ...(i.outcomes === undefined || i.outcomes.length === 0 ? {} : { outcomes: [...i.outcomes] }),
    ...(i.counterfactual === undefined ? {} : { counterfactual: i.counterfactual }),
  };
}

/** A merge patch replaces maps key by key; keys that disappeared must be sent as null. */
export function statusPatch(previous: PolicyStatus | undefined, next: PolicyStatus): Record<string, unknown> {
  const withNulls = (before: Readonly<Record<string, string>> | undefined, after: Readonly<Record<string, string>> | undefined) => {
    const out: Record<string, string | null> = { ...after };
    for (const k of Object.keys(before ?? {})) if (!(k in out)) out[k] = null;
    return out;
  };
  return {
    ...next,
    lastActionTime: withNulls(previous?.lastActionTime, next.lastActionTime),
    belowRestoreSince: withNulls(previous?.belowRestoreSince, next.belowRestoreSince),
  };
}
