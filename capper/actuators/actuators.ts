// Thin, idempotent writers for the capper's actions. Every write is a JSON merge patch of exactly
// the fields Climatik owns (never a full update: GitOps tools and owners edit the same objects).
// ScaledObject patches carry the resourceVersion they were decided on, so an owner's concurrent
// edit makes the patch fail (409) instead of being overwritten; the next tick decides again.
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import type { ScaledObject } from '../cluster-view.js';
import type { Action } from '../decisions/types.js';
import { kubeError, mergePatch, statusCode } from '../kube/patch.js';
import { ANNOTATIONS, FINALIZER, POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION, type PolicyObject, type PolicyStatus } from '../policy-schema.js';

export const KEDA = { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects' } as const;

export interface PolicyRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
}

export function policyKey(p: PolicyRef): string {
  return `${p.namespace}/${p.name}`;
}

/** What reconcile needs from the API server; Actuators is the real one, unit tests pass a recorder. */
export interface ActuatorPort {
  apply(policy: PolicyRef, action: Action, resourceVersion?: string): Promise<void>;
  patchStatus(policy: PolicyRef, status: PolicyStatus | Record<string, unknown>): Promise<string | undefined>;
  setFinalizers(policy: PolicyRef, finalizers: readonly string[], resourceVersion: string | undefined): Promise<void>;
  event(policy: PolicyRef, type: 'Normal' | 'Warning', reason: string, message: string, nowMs: number): Promise<void>;
}

/**
 * Fresh reads straight from the API server (not the informer caches): an approval is checked
 * against the cluster as it is now, not as the cache last saw it. `undefined` = 404.
 */
export interface ClusterReader {
  readPolicy(policy: PolicyRef): Promise<PolicyObject | undefined>;
  readScaledObject(namespace: string, name: string): Promise<ScaledObject | undefined>;
  readNode(name: string): Promise<V1Node | undefined>;
  podExists(namespace: string, name: string): Promise<boolean>;
}

async function orMissing<T>(operation: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (statusCode(err) === 404) return undefined;
    throw kubeError(operation, err);
  }
}

export class Actuators implements ActuatorPort, ClusterReader {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;

  /** `instance` (the lease identity) goes into each Event's reportingInstance: with two replicas, who acted. */
  constructor(
    kubeConfig: KubeConfig,
    private readonly component = 'climatik-capper',
    private readonly instance?: string,
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /** Carries out one decided action on behalf of `policy`. `resourceVersion` guards ScaledObject writes. */
  async apply(policy: PolicyRef, action: Action, resourceVersion?: string): Promise<void> {
    const by = policyKey(policy);
    switch (action.kind) {
      case 'SetGpuPowerLimit':
        return this.patchNode(action.node, { [ANNOTATIONS.gpuPowerLimitW]: String(action.limitW), [ANNOTATIONS.gpuPowerLimitBy]: by });
      case 'ClearGpuPowerLimit':
        return this.patchNode(action.node, { [ANNOTATIONS.gpuPowerLimitW]: null, [ANNOTATIONS.gpuPowerLimitBy]: null });
      case 'SetMaxReplicas':
        return this.patchScaledObject(action.namespace, action.name, resourceVersion, action.maxReplicaCount, {
          [ANNOTATIONS.originalMaxReplicaCount]: String(action.originalMaxReplicaCount),
          [ANNOTATIONS.cappedMaxReplicaCount]: String(action.maxReplicaCount),
          [ANNOTATIONS.cappedBy]: by,
        });
      case 'RestoreMaxReplicas':
        return this.patchScaledObject(action.namespace, action.name, resourceVersion, action.maxReplicaCount, {
          [ANNOTATIONS.originalMaxReplicaCount]: null,
          [ANNOTATIONS.cappedMaxReplicaCount]: null,
          [ANNOTATIONS.cappedBy]: null,
        });
      case 'SetPodDeletionCost':
        return this.patchPod(action.namespace, action.name, { [ANNOTATIONS.podDeletionCost]: String(action.cost), [ANNOTATIONS.podDeletionCostBy]: by });
      case 'ClearPodDeletionCost':
        return this.patchPod(action.namespace, action.name, { [ANNOTATIONS.podDeletionCost]: null, [ANNOTATIONS.podDeletionCostBy]: null });
    }
  }

  private async patchNode(name: string, annotations: Record<string, string | null>): Promise<void> {
    try {
      await this.core.patchNode({ name, body: { metadata: { annotations } } }, mergePatch);
    } catch (err) {
      throw kubeError(`patch Node ${name}`, err);
    }
  }

  private async patchPod(namespace: string, name: string, annotations: Record<string, string | null>): Promise<void> {
    try {
      await this.core.patchNamespacedPod({ namespace, name, body: { metadata: { annotations } } }, mergePatch);
    } catch (err) {
      throw kubeError(`patch Pod ${namespace}/${name}`, err);
    }
  }

  private async patchScaledObject(
    namespace: string,
    name: string,
    resourceVersion: string | undefined,
    maxReplicaCount: number,
    annotations: Record<string, string | null>,
  ): Promise<void> {
    const metadata = { annotations, ...(resourceVersion === undefined ? {} : { resourceVersion }) };
    try {
      await this.custom.patchNamespacedCustomObject({ ...KEDA, namespace, name, body: { metadata, spec: { maxReplicaCount } } }, mergePatch);
    } catch (err) {
      throw kubeError(`patch ScaledObject ${namespace}/${name}`, err);
    }
  }

  readPolicy(policy: PolicyRef): Promise<PolicyObject | undefined> {
    const ref = { group: POLICY_GROUP, version: POLICY_VERSION, plural: POLICY_PLURAL, namespace: policy.namespace, name: policy.name };
    return orMissing(`read PowerCappingPolicy ${policyKey(policy)}`, async () => (await this.custom.getNamespacedCustomObject(ref)) as PolicyObject);
  }

  readScaledObject(namespace: string, name: string): Promise<ScaledObject | undefined> {
    return orMissing(`read ScaledObject ${namespace}/${name}`, async () => (await this.custom.getNamespacedCustomObject({ ...KEDA, namespace, name })) as ScaledObject);
  }

  readNode(name: string): Promise<V1Node | undefined> {
    return orMissing(`read Node ${name}`, () => this.core.readNode({ name }));
  }

  async podExists(namespace: string, name: string): Promise<boolean> {
    return (await orMissing(`read Pod ${namespace}/${name}`, () => this.core.readNamespacedPod({ namespace, name }))) !== undefined;
  }

  /** Returns the policy's resourceVersion after the write (the controller waits for its cache to see it). */
  async patchStatus(policy: PolicyRef, status: PolicyStatus | Record<string, unknown>): Promise<string | undefined> {
    try {
      // Merge patch of the status subresource; maps (lastActionTime, ...) are replaced wholesale by
      // sending them complete, and removed keys are nulled by the caller's status builder.
      const updated = (await this.custom.patchNamespacedCustomObjectStatus(
        { group: POLICY_GROUP, version: POLICY_VERSION, plural: POLICY_PLURAL, namespace: policy.namespace, name: policy.name, body: { status } },
        mergePatch,
      )) as { metadata?: { resourceVersion?: string } } | undefined;
      return updated?.metadata?.resourceVersion;
    } catch (err) {
      throw kubeError(`patch status of PowerCappingPolicy ${policyKey(policy)}`, err);
    }
  }

  async setFinalizers(policy: PolicyRef, finalizers: readonly string[], resourceVersion: string | undefined): Promise<void> {
    try {
      await this.custom.patchNamespacedCustomObject(
        {
          group: POLICY_GROUP,
          version: POLICY_VERSION,
          plural: POLICY_PLURAL,
          namespace: policy.namespace,
          name: policy.name,
          body: { metadata: { finalizers, ...(resourceVersion === undefined ? {} : { resourceVersion }) } },
        },
        mergePatch,
      );
    } catch (err) {
      throw kubeError(`set finalizers of PowerCappingPolicy ${policyKey(policy)}`, err);
    }
  }

  /** A core/v1 Event on the policy (kubectl describe shows it); failures are not fatal to the caller. */
  async event(policy: PolicyRef, type: 'Normal' | 'Warning', reason: string, message: string, nowMs: number): Promise<void> {
    const time = new Date(nowMs).toISOString();
    try {
      await this.core.createNamespacedEvent({
        namespace: policy.namespace,
        body: {
          metadata: { generateName: `${policy.name}.`, namespace: policy.namespace },
          involvedObject: {
            apiVersion: `${POLICY_GROUP}/${POLICY_VERSION}`,
            kind: 'PowerCappingPolicy',
            name: policy.name,
            namespace: policy.namespace,
            ...(policy.uid === undefined ? {} : { uid: policy.uid }),
          },
          type,
          reason,
          message: message.slice(0, 1000),
          source: { component: this.component },
          reportingComponent: this.component,
          ...(this.instance === undefined ? {} : { reportingInstance: this.instance }),
          firstTimestamp: new Date(time),
          lastTimestamp: new Date(time),
          count: 1,
        },
      });
    } catch (err) {
      throw kubeError(`create Event for ${policyKey(policy)}`, err);
    }
  }
}

export { FINALIZER };
