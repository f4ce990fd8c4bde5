// An in-memory API server for the approval unit tests: objects by name, writes recorded, optional
// failures. The real API server path is test/e2e/capper-approval.e2e.test.ts.
import type { V1Node } from '@kubernetes/client-node';
import { ClimatikError } from '../../common/index.js';
import type { ScaledObject } from '../cluster-view.js';
import type { Action } from '../decisions/types.js';
import { ANNOTATIONS, type PolicyObject, type PolicySpec } from '../policy-schema.js';
import type { PolicyRef } from './actuators.js';
import type { ApprovalPort } from './approval.js';

export class FakeApprovalPort implements ApprovalPort {
  policy: PolicyObject | undefined;
  readonly scaledObjects = new Map<string, ScaledObject>();
  readonly nodes = new Map<string, V1Node>();
  readonly pods = new Set<string>();
  readonly applied: { action: Action; resourceVersion: string | undefined }[] = [];
  readonly events: { type: string; reason: string; message: string }[] = [];
  readonly statusPatches: Record<string, unknown>[] = [];
  /** Action kinds whose write fails with a 409-like API error. */
  readonly failKinds = new Set<string>();

  async readPolicy(): Promise<PolicyObject | undefined> {
    return this.policy;
  }
  async readScaledObject(namespace: string, name: string): Promise<ScaledObject | undefined> {
    return this.scaledObjects.get(`${namespace}/${name}`);
  }
  async readNode(name: string): Promise<V1Node | undefined> {
    return this.nodes.get(name);
  }
  async podExists(namespace: string, name: string): Promise<boolean> {
    return this.pods.has(`${namespace}/${name}`);
  }
  async apply(_p: PolicyRef, action: Action, resourceVersion?: string): Promise<void> {
    if (this.failKinds.has(action.kind)) throw new ClimatikError('CLIMATIK_KUBE_API', `patch for ${action.kind} failed (HTTP 409): conflict`);
    this.applied.push({ action, resourceVersion });
  }
  async patchStatus(_p: PolicyRef, status: Record<string, unknown>): Promise<string> {
    this.statusPatches.push(status);
    return String(10 + this.statusPatches.length);
  }
  async setFinalizers(): Promise<void> {}
  async event(_p: PolicyRef, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    this.events.push({ type, reason, message });
  }
}

export function recommendPolicy(mode: PolicySpec['mode'] = 'Recommend', extra: Partial<PolicyObject['metadata']> = {}): PolicyObject {
  return {
    metadata: { name: 'cap', namespace: 'ml', uid: 'u-1', resourceVersion: '5', ...extra },
    spec: { mode, capPercentOfBudget: 90, targets: { scaledObjects: { names: ['llm'] }, gpuPowerLimits: { enabled: true, floorW: 150, stepW: 25 } } } as PolicySpec,
    status: { appliedActions: [{ kind: 'SetGpuPowerLimit', target: 'gpu-a1', value: 300, reason: 'earlier', time: '2026-11-29T09:00:00.000Z' }] },
  };
}

export function scaledObject(max: number, annotations: Record<string, string> = {}, min = 2): ScaledObject {
  return { metadata: { name: 'llm', namespace: 'ml', resourceVersion: '42', annotations }, spec: { scaleTargetRef: { name: 'llm' }, minReplicaCount: min, maxReplicaCount: max } };
}

export const cappedBy = (policy: string, original: number, capped: number) => ({
  [ANNOTATIONS.cappedBy]: policy,
  [ANNOTATIONS.originalMaxReplicaCount]: String(original),
  [ANNOTATIONS.cappedMaxReplicaCount]: String(capped),
});
