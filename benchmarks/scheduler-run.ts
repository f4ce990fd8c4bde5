// One measured scheduling run for benchmarks/scheduler-throughput.ts: PODS pods are created while no
// scheduler serves them, then the scheduler starts and a Pod watch times the binds. Throughput is
// (pods - 1) / (last bind - first bind), so process start-up and informer sync are not counted.
// Afterwards the scheduler stops and the pods are deleted (grace 0: no kubelet would confirm), so
// every run starts with the same empty nodes.
import { Watch, type CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster } from '../test/e2e/cluster.js';
import { gpuPod } from '../test/e2e/pods.js';
import { waitUntil } from '../test/e2e/processes.js';

export interface RunResult {
  readonly label: string;
  readonly pods: number;
  readonly podsPerS: number;
  /** Scheduler ready → last bind (includes the scheduler's informer sync). */
  readonly wallS: number;
  readonly bindSpanS: number;
}

export interface RunOptions {
  readonly cluster: Cluster;
  readonly core: CoreV1Api;
  readonly kc: KubeConfig;
  readonly label: string;
  readonly namespace: string;
  readonly pods: number;
  readonly schedulerName: string;
  readonly schedulerYaml: string;
  /** Bound guard against a hang (not a performance assertion). */
  readonly timeoutMs?: number;
}

export async function schedulingRun(o: RunOptions): Promise<RunResult> {
  await o.core.createNamespace({ body: { metadata: { name: o.namespace } } });
  await createPods(o.core, o.namespace, o.pods, o.schedulerName);

  const bindTimes: number[] = [];
  const seen = new Set<string>();
  const controller = await new Watch(o.kc).watch(
    `/api/v1/namespaces/${o.namespace}/pods`,
    {},
    (_phase: string, pod: V1Pod) => {
      const name = pod.metadata?.name ?? '';
      if ((pod.spec?.nodeName ?? '') === '' || seen.has(name)) return;
      seen.add(name);
      bindTimes.push(performance.now());
    },
    () => undefined,
  );
  try {
    await o.cluster.startScheduler('bench', o.schedulerYaml);
    const readyAt = performance.now();
    await waitUntil(`${o.pods} pods bound (${o.label})`, () => Promise.resolve(seen.size >= o.pods), {
      timeoutMs: o.timeoutMs ?? 600_000,
      intervalMs: 100,
    });
    const first = Math.min(...bindTimes);
    const last = Math.max(...bindTimes);
    const bindSpanS = (last - first) / 1000;
    return { label: o.label, pods: o.pods, podsPerS: (o.pods - 1) / bindSpanS, wallS: (last - readyAt) / 1000, bindSpanS };
  } finally {
    controller.abort();
    await o.cluster.stopScheduler('bench');
    await o.core.deleteCollectionNamespacedPod({ namespace: o.namespace, gracePeriodSeconds: 0 });
    await waitUntil(`pods of ${o.namespace} deleted`, async () => (await o.core.listNamespacedPod({ namespace: o.namespace, limit: 1 })).items.length === 0, {
      timeoutMs: 120_000,
      intervalMs: 500,
    });
    // Let the extender's Pod informer and the apiserver's watch cache catch up before the next run.
    await sleep(2000);
  }
}

async function createPods(core: CoreV1Api, namespace: string, count: number, schedulerName: string): Promise<void> {
  const CONCURRENCY = 24;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const pod = gpuPod({ name: `p-${String(i).padStart(5, '0')}`, namespace, gpus: 1, schedulerName });
      await core.createNamespacedPod({ namespace, body: pod });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** Sum and count of the extender's request-duration histogram, per verb, from /metrics. */
export async function extenderLatency(url: string): Promise<Map<string, { sumS: number; count: number }>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = new Map<string, { sumS: number; count: number }>();
  for (const line of text.split('\n')) {
    const m = /^climatik_extender_request_duration_seconds_(sum|count)\{([^}]*)\}\s+(\S+)$/.exec(line);
    if (m === null) continue;
    const verb = /verb="([^"]*)"/.exec(m[2] ?? '')?.[1] ?? '?';
    const entry = out.get(verb) ?? { sumS: 0, count: 0 };
    if (m[1] === 'sum') entry.sumS += Number(m[3]);
    else entry.count += Number(m[3]);
    out.set(verb, entry);
  }
  return out;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}
