// Pod helpers for e2e tests: build a GPU pod, wait for the scheduler's verdict, read its events.
import type { CoreV1Api, CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { waitUntil } from './processes.js';

export interface GpuPodSpec {
  readonly name: string;
  readonly namespace?: string;
  readonly gpus: number;
  /** Omitted: the default scheduler. */
  readonly schedulerName?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
}

export function gpuPod(spec: GpuPodSpec): V1Pod {
  // Extended resources must have requests == limits; setting limits alone implies the request.
  const limits = spec.gpus > 0 ? { 'nvidia.com/gpu': String(spec.gpus) } : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: spec.name, namespace: spec.namespace ?? 'default', annotations: { ...spec.annotations }, labels: { ...spec.labels } },
    spec: {
      ...(spec.schedulerName === undefined ? {} : { schedulerName: spec.schedulerName }),
      containers: [{ name: 'llm', image: 'registry.invalid/llm:e2e', resources: { limits, requests: { cpu: '1', memory: '1Gi' } } }],
    },
  };
}

export async function createPod(client: CoreV1Api, pod: V1Pod): Promise<V1Pod> {
  return client.createNamespacedPod({ namespace: pod.metadata?.namespace ?? 'default', body: pod });
}

export type PodVerdict = { bound: true; nodeName: string } | { bound: false; reason: string; message: string };

/** The scheduler's answer so far: bound to a node, unschedulable (with reason), or undefined. */
export function podVerdict(pod: V1Pod): PodVerdict | undefined {
  if (pod.spec?.nodeName) return { bound: true, nodeName: pod.spec.nodeName };
  const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (cond?.status === 'False' && cond.reason !== undefined) return { bound: false, reason: cond.reason, message: cond.message ?? '' };
  return undefined;
}

/** Waits until the scheduler has decided about the pod (bound or marked unschedulable). */
export async function waitForVerdict(client: CoreV1Api, namespace: string, name: string, timeoutMs = 60_000): Promise<PodVerdict> {
  let verdict: PodVerdict | undefined;
  await waitUntil(
    `a scheduling decision for pod ${namespace}/${name}`,
    async () => {
      verdict = podVerdict(await client.readNamespacedPod({ namespace, name }));
      return verdict !== undefined;
    },
    { timeoutMs },
  );
  if (verdict === undefined) throw new Error('unreachable: waitUntil returned without a verdict');
  return verdict;
}

export async function podEvents(client: CoreV1Api, namespace: string, name: string): Promise<CoreV1Event[]> {
  const list = await client.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${name}` });
  return list.items;
}
