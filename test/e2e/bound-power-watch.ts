// The test's own account of committed rack power, independent of the extender: a Pod watch on the
// API server sees every bind as it happens; each bound pod adds its expected power to its rack
// (the same rule the product documents: annotation, else GPUs x W per GPU). After every bind the
// rack's committed power (baseline telemetry + bound pods) is checked against its budget, and every
// overshoot is kept with the pod, node and time that caused it.
import { Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';

export interface Overshoot {
  readonly rackId: string;
  readonly committedW: number;
  readonly budgetW: number;
  readonly pod: string;
  readonly nodeName: string;
  readonly atMs: number;
  /** How many pods were bound to the rack at that moment. */
  readonly podsOnRack: number;
}

export interface BoundPowerWatchOptions {
  readonly namespace: string;
  readonly rackOf: (nodeName: string) => string | undefined;
  readonly baselineW: (rackId: string) => number;
  /** Read at check time, so a topology edit can change it. */
  readonly budgetW: (rackId: string) => number;
  readonly podPowerW: (pod: V1Pod) => number;
}

export interface BoundPowerWatch {
  /** Pod name → node, for every bound pod seen. */
  readonly bound: ReadonlyMap<string, string>;
  readonly overshoots: readonly Overshoot[];
  committedW(rackId: string): number;
  podsOn(rackId: string): number;
  /** Resolves after the watch's initial sync. */
  readonly ready: Promise<void>;
  lastBindAtMs(): number | undefined;
  stop(): void;
}

export function watchBoundPower(kc: KubeConfig, opts: BoundPowerWatchOptions): BoundPowerWatch {
  const bound = new Map<string, string>();
  const powerOf = new Map<string, number>();
  const overshoots: Overshoot[] = [];
  const committed = new Map<string, number>();
  const count = new Map<string, number>();
  let lastBind: number | undefined;
  let abort: (() => void) | undefined;

  const onPod = (phase: string, pod: V1Pod): void => {
    const name = pod.metadata?.name;
    const node = pod.spec?.nodeName;
    if (name === undefined || phase === 'DELETED' || node === undefined || node === '' || bound.has(name)) return;
    bound.set(name, node);
    lastBind = Date.now();
    const rackId = opts.rackOf(node);
    if (rackId === undefined) return;
    const w = opts.podPowerW(pod);
    powerOf.set(name, w);
    committed.set(rackId, (committed.get(rackId) ?? opts.baselineW(rackId)) + w);
    count.set(rackId, (count.get(rackId) ?? 0) + 1);
    const committedW = committed.get(rackId) ?? 0;
    const budgetW = opts.budgetW(rackId);
    if (committedW > budgetW) {
      overshoots.push({ rackId, committedW, budgetW, pod: name, nodeName: node, atMs: lastBind, podsOnRack: count.get(rackId) ?? 0 });
    }
  };

  const ready = new Watch(kc)
    .watch(
      `/api/v1/namespaces/${opts.namespace}/pods`,
      {},
      (phase: string, obj: V1Pod) => onPod(phase, obj),
      // A dropped watch would hide binds: the suites check `bound` against a final list anyway.
      () => undefined,
    )
    .then((controller) => {
      abort = () => controller.abort();
    });

  return {
    bound,
    overshoots,
    committedW: (rackId) => committed.get(rackId) ?? opts.baselineW(rackId),
    podsOn: (rackId) => count.get(rackId) ?? 0,
    ready,
    lastBindAtMs: () => lastBind,
    stop: () => abort?.(),
  };
}

/** One line per overshoot, for the failure report. */
export function describeOvershoots(list: readonly Overshoot[], startMs: number): string[] {
  return list.map(
    (o) =>
      `rack ${o.rackId}: ${o.committedW} W committed > budget ${o.budgetW} W (+${o.committedW - o.budgetW} W) after binding ${o.pod} to ${o.nodeName} ` +
      `(${o.podsOnRack} pods on the rack) at t+${((o.atMs - startMs) / 1000).toFixed(1)} s`,
  );
}
