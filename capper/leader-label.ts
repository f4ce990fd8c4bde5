// Marks the leader's own Pod with `climatik.io/capper-leader: "true"` so that a Service selecting
// that label (deploy/components/slack-approvals) routes Slack's clicks only to the replica that may
// apply them; a standby answers 400 "not the leader". The label follows the lease: set when this
// replica holds it, removed (merge patch with null) when it does not or when it stops.
//
// Why a desired-state sync rather than patching on transitions only: a failed patch (API down, RBAC)
// is retried at the next lease renewal, and a restarted container (same Pod, label still set by its
// previous life) clears the stale label at its first renewal, because what the Pod carries starts as
// unknown. Patches never block the lease loop: at most one is in flight, and a sync that arrives
// meanwhile is picked up by the next renewal. Failures are logged and counted, never thrown.
//
// A leader that crashed cannot unlabel itself, so a new leader also clears the label from every
// other Pod in its namespace once it holds the lease: otherwise the Service would route half of
// Slack's clicks to a dead or standing-by replica until that container restarted.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Counter } from 'prom-client';
import type { Logger } from '../common/index.js';
import { kubeError, mergePatch } from './kube/patch.js';

export const LEADER_LABEL = 'climatik.io/capper-leader';

export interface PodRef {
  readonly namespace: string;
  readonly name: string;
}

/** Merge-patches `metadata.labels` of one Pod; null removes a label. */
export type PodLabelWriter = (pod: PodRef, labels: Readonly<Record<string, string | null>>) => Promise<void>;

/** Names of the Pods in `namespace` that carry the leader label now. */
export type LabelledPods = (namespace: string) => Promise<string[]>;

export function kubeLabelledPods(kubeConfig: KubeConfig): LabelledPods {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return async (namespace) => {
    try {
      const list = await core.listNamespacedPod({ namespace, labelSelector: `${LEADER_LABEL}=true` });
      return list.items.map((p) => p.metadata?.name ?? '').filter((n) => n !== '');
    } catch (err) {
      throw kubeError(`list Pods labelled ${LEADER_LABEL} in ${namespace}`, err);
    }
  };
}

export function kubePodLabelWriter(kubeConfig: KubeConfig): PodLabelWriter {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return async (pod, labels) => {
    try {
      await core.patchNamespacedPod({ namespace: pod.namespace, name: pod.name, body: { metadata: { labels } } }, mergePatch);
    } catch (err) {
      throw kubeError(`label Pod ${pod.namespace}/${pod.name}`, err);
    }
  };
}

export interface LeaderLabelDeps {
  /** This replica's Pod (POD_NAME / POD_NAMESPACE); undefined = not in a Pod (local run): do nothing. */
  readonly pod: PodRef | undefined;
  readonly write: PodLabelWriter;
  /** Lists the Pods carrying the label, so a new leader can clear stale ones; undefined = skip that. */
  readonly labelled?: LabelledPods;
  readonly logger: Logger;
  /** climatik_capper_leader_label_failures_total */
  readonly failures: Counter;
  /** How long stop() waits for the last patch (a hung API server must not hold the shutdown). */
  readonly closeTimeoutMs?: number;
}

export class LeaderLabel {
  /** What the Pod is known to carry: true/false once a patch succeeded, undefined before. */
  private applied: boolean | undefined;
  private inFlight: Promise<void> | undefined;
  private closed = false;
  /** Since it last became leader, whether other Pods' stale labels have been cleared. */
  private othersCleared = false;

  constructor(private readonly deps: LeaderLabelDeps) {}

  /**
   * Brings the Pod's label in line with `leader` (call after every lease renewal). Returns the patch
   * in flight, if any, so tests can wait for it; callers in the lease loop need not.
   */
  sync(leader: boolean): Promise<void> {
    if (this.deps.pod === undefined || this.closed) return Promise.resolve();
    if (this.inFlight !== undefined) return this.inFlight;
    const pod = this.deps.pod;
    const clearOthers = leader && !this.othersCleared && this.deps.labelled !== undefined;
    if (this.applied === leader && !clearOthers) return Promise.resolve();
    const pending = (async () => {
      if (this.applied !== leader) await this.patch(pod, leader);
      if (!leader && this.applied === false) this.othersCleared = false;
      if (leader && this.applied === true && !this.othersCleared) await this.clearOthers(pod);
    })().finally(() => {
      this.inFlight = undefined;
    });
    this.inFlight = pending;
    return pending;
  }

  /** Removes the label for good (shutdown): waits for a patch in flight, then writes null. Bounded. */
  async close(): Promise<void> {
    const pod = this.deps.pod;
    if (pod === undefined || this.closed) return;
    this.closed = true;
    const remove = async () => {
      await this.inFlight;
      if (this.applied !== false) await this.patch(pod, false);
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.deps.logger.warn({ pod: `${pod.namespace}/${pod.name}` }, 'leader label: removal did not finish in time; the label may stay until the Pod is gone');
        resolve();
      }, this.deps.closeTimeoutMs ?? 5000);
    });
    try {
      await Promise.race([remove(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Removes the label from every other Pod of the namespace (a crashed leader's, say). */
  private async clearOthers(pod: PodRef): Promise<void> {
    const list = this.deps.labelled;
    if (list === undefined) return;
    try {
      const stale = (await list(pod.namespace)).filter((name) => name !== pod.name);
      for (const name of stale) await this.deps.write({ namespace: pod.namespace, name }, { [LEADER_LABEL]: null });
      this.othersCleared = true;
      if (stale.length > 0) this.deps.logger.info({ pods: stale }, 'leader label: cleared a stale label from other Pods');
    } catch (err) {
      this.deps.failures.inc();
      this.deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'leader label: could not clear stale labels; retried at the next lease renewal');
    }
  }

  private async patch(pod: PodRef, leader: boolean): Promise<void> {
    try {
      await this.deps.write(pod, { [LEADER_LABEL]: leader ? 'true' : null });
      this.applied = leader;
      this.deps.logger.info({ pod: `${pod.namespace}/${pod.name}`, leader }, leader ? 'leader label set on this Pod' : 'leader label removed from this Pod');
    } catch (err) {
      // Unknown now: the write may or may not have landed; the next sync tries again.
      this.applied = undefined;
      this.deps.failures.inc();
      this.deps.logger.warn({ pod: `${pod.namespace}/${pod.name}`, leader, err: err instanceof Error ? err.message : String(err) }, 'leader label: patch failed; retried at the next lease renewal');
    }
  }
}
