// What the Pod informer tells the extender, as pure functions: across replicas (and after a
// restart) the ledger is derived from the API server — every non-terminal pod of this scheduler
// with spec.nodeName, whatever its bind time, with when it became Running and Ready — and the
// pending demand the planner plans for is the expected power of pods not yet bound.
import { rackOfNode } from '../rack-model/index.js';
import type { Topology } from '../rack-model/types.js';
import { expectedPodPowerW, type PodLike, type PodPowerConfig } from './decisions/index.js';
import { podKey, type BindLedger, type LedgerEntry } from './ledger.js';

/** A Pod as the informer delivers it: PodLike plus the fields that say whether and when it was bound. */
export interface TrackedPod extends PodLike {
  readonly metadata?: PodLike['metadata'] & { readonly creationTimestamp?: Date | string };
  readonly status?: {
    readonly phase?: string;
    readonly startTime?: Date | string;
    readonly conditions?: readonly { readonly type?: string; readonly status?: string; readonly lastTransitionTime?: Date | string }[];
  };
}

export interface TrackingContext {
  readonly topology: Topology | undefined;
  readonly labelsOf: (nodeName: string) => Readonly<Record<string, string>> | undefined;
  readonly podPower: PodPowerConfig;
}

const TERMINAL = new Set(['Succeeded', 'Failed']);

/** When the pod was bound: its PodScheduled=True transition, else its creation (best effort). */
export function boundAtMs(pod: TrackedPod): number | undefined {
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'True');
  return toMs(scheduled?.lastTransitionTime) ?? toMs(pod.metadata?.creationTimestamp);
}

/**
 * When the pod became Running and Ready (its Ready=True transition, else its start time, else its
 * bind time); undefined while it is not both. Until then it draws next to nothing.
 */
export function runningSinceMs(pod: TrackedPod): number | undefined {
  if (pod.status?.phase !== 'Running') return undefined;
  const ready = pod.status.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return undefined;
  return toMs(ready.lastTransitionTime) ?? toMs(pod.status.startTime) ?? boundAtMs(pod);
}

/** The ledger entry a bound, running-or-starting pod stands for; undefined when it has none. */
export function ledgerEntryOf(pod: TrackedPod, ctx: TrackingContext): LedgerEntry | undefined {
  const node = pod.spec?.nodeName;
  if (node === undefined || node === '' || ctx.topology === undefined) return undefined;
  if (TERMINAL.has(pod.status?.phase ?? '')) return undefined;
  const labels = ctx.labelsOf(node);
  const rackId = rackOfNode(ctx.topology, node, labels);
  const at = boundAtMs(pod);
  if (rackId === undefined || at === undefined) return undefined;
  const ns = pod.metadata?.namespace ?? 'default';
  return {
    key: keyOf(pod),
    rackId,
    powerW: expectedPodPowerW(pod, ctx.podPower, labels),
    boundAtMs: at,
    podRef: `${ns}/${pod.metadata?.name ?? ''}`,
    runningSinceMs: runningSinceMs(pod),
    confirmed: true,
  };
}

export function keyOf(pod: TrackedPod): string {
  return podKey({ uid: pod.metadata?.uid, namespace: pod.metadata?.namespace, name: pod.metadata?.name });
}

/** Expected power of pods waiting for this scheduler, by pod. */
export class PendingDemand {
  private readonly byPod = new Map<string, number>();
  private total = 0;

  get totalW(): number {
    return this.total;
  }

  set(key: string, powerW: number | undefined): void {
    const old = this.byPod.get(key) ?? 0;
    if (powerW === undefined) this.byPod.delete(key);
    else this.byPod.set(key, powerW);
    this.total += (powerW ?? 0) - old;
  }
}

/** Applies one informer event to the ledger and the pending demand. Returns whether either changed. */
export function applyPodEvent(kind: 'add' | 'update' | 'delete', pod: TrackedPod, ctx: TrackingContext, ledger: BindLedger, pending: PendingDemand): boolean {
  const key = keyOf(pod);
  const before = `${ledger.version}|${pending.totalW}`;
  if (kind === 'delete') {
    ledger.remove(key);
    pending.set(key, undefined);
  } else {
    const bound = pod.spec?.nodeName !== undefined && pod.spec.nodeName !== '';
    const entry = ledgerEntryOf(pod, ctx);
    if (entry === undefined) ledger.remove(key);
    else ledger.record(entry);
    const waiting = !bound && !TERMINAL.has(pod.status?.phase ?? '');
    pending.set(key, waiting ? expectedPodPowerW(pod, ctx.podPower) : undefined);
  }
  return before !== `${ledger.version}|${pending.totalW}`;
}

function toMs(t: Date | string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}
