// Turns API objects (Nodes, ScaledObjects, Deployments, Pods) into the plain CurrentTargets the
// decisions read. Pure: the controller feeds it informer caches, tests feed it literals. Everything
// the capper needs to remember across restarts is read back from here (annotations), not memory.
import type { V1Deployment, V1LabelSelector, V1Node, V1Pod } from '@kubernetes/client-node';
import { rackOfNode } from '../rack-model/index.js';
import type { Topology } from '../rack-model/types.js';
import type { CurrentTargets, NodeGpuInfo, NodeTarget, PodTarget, ScaledObjectTarget } from './decisions/types.js';
import { ANNOTATIONS, type LabelSelector } from './policy-schema.js';
import type { ResolvedPolicy } from './policy-validate.js';

/** The fields of a KEDA ScaledObject the capper reads. */
export interface ScaledObject {
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly resourceVersion?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec: {
    readonly scaleTargetRef: { readonly name: string; readonly kind?: string; readonly apiVersion?: string };
    readonly minReplicaCount?: number;
    readonly maxReplicaCount?: number;
  };
}

/** KEDA's defaults when the fields are absent (keda.sh_scaledobjects.yaml and the operator). */
export const KEDA_DEFAULT_MIN = 0;
export const KEDA_DEFAULT_MAX = 100;

export function matchesSelector(labels: Readonly<Record<string, string>> | undefined, selector: LabelSelector | V1LabelSelector): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in l;
    const value = l[e.key];
    const values = e.values ?? [];
    if (e.operator === 'In' && !(value !== undefined && values.includes(value))) return false;
    if (e.operator === 'NotIn' && value !== undefined && values.includes(value)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

export function selectScaledObjects(policy: ResolvedPolicy, all: readonly ScaledObject[]): ScaledObject[] {
  const sel = policy.scaledObjects;
  if (sel === undefined) return [];
  return all.filter((so) => {
    if (so.metadata.namespace !== policy.namespace) return false;
    if (sel.names !== undefined) return sel.names.includes(so.metadata.name);
    return sel.labelSelector !== undefined && matchesSelector(so.metadata.labels, sel.labelSelector);
  });
}

function intAnnotation(annotations: Readonly<Record<string, string>> | undefined, key: string): number | undefined {
  const raw = annotations?.[key];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Parses the node agent's report; undefined when absent or unreadable (the agent rewrites it). */
export function gpuInfoOf(node: V1Node): NodeGpuInfo | undefined {
  const raw = node.metadata?.annotations?.[ANNOTATIONS.gpuPowerLimitApplied];
  if (raw === undefined) return undefined;
  try {
    const parsed = JSON.parse(raw) as { gpus?: { defaultW?: unknown; minW?: unknown; maxW?: unknown }[] };
    const gpus = (parsed.gpus ?? []).filter((g) => typeof g.defaultW === 'number' && typeof g.minW === 'number' && typeof g.maxW === 'number') as {
      defaultW: number;
      minW: number;
      maxW: number;
    }[];
    if (gpus.length === 0) return undefined;
    // One limit per node: use the most restrictive GPU's bounds so the value is valid on every GPU.
    return {
      gpuCount: gpus.length,
      defaultLimitW: Math.min(...gpus.map((g) => g.defaultW)),
      minLimitW: Math.max(...gpus.map((g) => g.minW)),
      maxLimitW: Math.min(...gpus.map((g) => g.maxW)),
    };
  } catch {
    return undefined;
  }
}

export interface ClusterObjects {
  readonly nodes: readonly V1Node[];
  readonly scaledObjects: readonly ScaledObject[];
  readonly deployments: readonly V1Deployment[];
  readonly pods: readonly V1Pod[];
}

export function buildTargets(policy: ResolvedPolicy, topology: Topology, objects: ClusterObjects): CurrentTargets {
  const rackOf = new Map<string, string | undefined>();
  const nodes: NodeTarget[] = objects.nodes.map((n) => {
    const name = n.metadata?.name ?? '';
    const rackId = rackOfNode(topology, name, n.metadata?.labels);
    rackOf.set(name, rackId);
    const raw = n.metadata?.annotations?.[ANNOTATIONS.gpuPowerLimitW];
    const desired = raw === undefined ? undefined : Number(raw);
    return { name, rackId, desiredLimitW: desired !== undefined && Number.isFinite(desired) ? desired : undefined, gpus: gpuInfoOf(n) };
  });
  const scaledObjects: ScaledObjectTarget[] = [];
  const pods: PodTarget[] = [];
  for (const so of selectScaledObjects(policy, objects.scaledObjects)) {
    const key = `${so.metadata.namespace}/${so.metadata.name}`;
    const workload = objects.deployments.find((d) => d.metadata?.namespace === so.metadata.namespace && d.metadata?.name === so.spec.scaleTargetRef.name);
    const selector = workload?.spec?.selector;
    const replicasByRack: Record<string, number> = {};
    for (const p of objects.pods) {
      if (selector === undefined || p.metadata?.namespace !== so.metadata.namespace) continue;
      if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' || p.metadata.deletionTimestamp !== undefined) continue;
      if (!matchesSelector(p.metadata.labels, selector)) continue;
      const nodeName = p.spec?.nodeName;
      const rackId = nodeName === undefined ? undefined : rackOf.get(nodeName);
      if (rackId !== undefined) replicasByRack[rackId] = (replicasByRack[rackId] ?? 0) + 1;
      const ours = p.metadata.annotations?.[ANNOTATIONS.podDeletionCostBy] !== undefined;
      pods.push({
        namespace: p.metadata.namespace,
        name: p.metadata.name ?? '',
        rackId,
        scaledObject: key,
        deletionCost: ours ? Number(p.metadata.annotations?.[ANNOTATIONS.podDeletionCost]) : undefined,
      });
    }
    scaledObjects.push({
      namespace: so.metadata.namespace,
      name: so.metadata.name,
      minReplicaCount: so.spec.minReplicaCount ?? KEDA_DEFAULT_MIN,
      maxReplicaCount: so.spec.maxReplicaCount ?? KEDA_DEFAULT_MAX,
      originalMaxReplicaCount: intAnnotation(so.metadata.annotations, ANNOTATIONS.originalMaxReplicaCount),
      cappedMaxReplicaCount: intAnnotation(so.metadata.annotations, ANNOTATIONS.cappedMaxReplicaCount),
      replicasByRack,
    });
  }
  return { nodes, scaledObjects, pods };
}
