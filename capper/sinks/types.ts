// What every notification sink receives: one rack's assessment and the actions the capper would
// take (Recommend) or took (Enforce), plus the seam every sink implements.
import { isHot } from '../decisions/rack-assess.js';
import type { Action, RackAssessment } from '../decisions/types.js';

export interface PolicyName {
  readonly namespace: string;
  readonly name: string;
}

export interface Recommendation {
  /** Stable id, carried by the Slack buttons back to `approve`/`reject`. */
  readonly id: string;
  readonly policy: PolicyName;
  readonly rack: RackAssessment;
  readonly actions: readonly Action[];
  /** Human sentence, e.g. "≈ −1200 W: back under the 9000 W cap". */
  readonly expectedEffect: string;
  readonly createdAtMs: number;
  /**
   * The policy's mode when it was made. Enforce: the actions are being applied already, so the
   * message reports them and offers no buttons; Recommend (the default): they wait for a human.
   */
  readonly mode?: 'Recommend' | 'Enforce';
}

export interface NotificationSink {
  /** Short stable name, used as the `sink` metric label. */
  readonly name: string;
  publish(recommendation: Recommendation): Promise<void>;
  /** The rack recovered: close whatever `publish` opened (alert, thread). `rackKey` = rackKeyOf(...). */
  resolve(rackKey: string): Promise<void>;
}

/** "namespace/policy/rack": one alert / one open recommendation per rack and policy. */
export function rackKeyOf(policy: PolicyName, rackId: string): string {
  return `${policy.namespace}/${policy.name}/${rackId}`;
}

export function parseRackKey(rackKey: string): { policy: PolicyName; rackId: string } | undefined {
  const parts = rackKey.split('/');
  if (parts.length !== 3 || parts.some((p) => p === '')) return undefined;
  const [namespace, name, rackId] = parts as [string, string, string];
  return { policy: { namespace, name }, rackId };
}

/** A recommendation for a rack that is no longer hot: it gives caps back rather than adding them. */
export function isRestore(rec: Recommendation): boolean {
  return !isHot(rec.rack);
}

/** Over the cap now → critical; only the forecast over it → warning. */
export function severityOf(rack: RackAssessment): 'critical' | 'warning' {
  return rack.state === 'OverCap' ? 'critical' : 'warning';
}

/** One line per action, shared by the Alertmanager annotation, Slack and the GitOps summary. */
export function describeAction(a: Action): string {
  switch (a.kind) {
    case 'SetGpuPowerLimit':
      return `GPU power limit ${a.limitW} W on node ${a.node}`;
    case 'ClearGpuPowerLimit':
      return `restore default GPU power limit on node ${a.node}`;
    case 'SetMaxReplicas':
      return `maxReplicaCount ${a.maxReplicaCount} on ScaledObject ${a.namespace}/${a.name} (owner's ${a.originalMaxReplicaCount})`;
    case 'RestoreMaxReplicas':
      return `restore maxReplicaCount ${a.maxReplicaCount} on ScaledObject ${a.namespace}/${a.name}`;
    case 'SetPodDeletionCost':
      return `pod-deletion-cost ${a.cost} on pod ${a.namespace}/${a.name}`;
    case 'ClearPodDeletionCost':
      return `clear pod-deletion-cost on pod ${a.namespace}/${a.name}`;
  }
}

export function formatW(w: number | undefined): string {
  return w === undefined || !Number.isFinite(w) ? 'n/a' : `${Math.round(w)} W`;
}
