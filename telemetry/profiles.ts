// Per-workload power profiles: what one replica of a workload (its owner: Deployment, StatefulSet,
// …) typically draws, learned from its pods' measured power, so a new replica's expected power comes
// from its siblings instead of a generic default. "Typical" = a high quantile (p90 by default) of
// recent per-pod samples within a window: conservative without being the single worst spike.
import type { HistoryWindow, RangeApi } from './history.js';
import { rangeReadings } from './history.js';
import type { TelemetryConfig } from './config.js';
import { composePower, type Snapshot } from './snapshot.js';

// ReplicaSet pod names: <deployment>-<pod-template-hash>-<5>, both suffixes from Kubernetes'
// SafeEncodeString alphabet (no vowels, no 0/1/3 — so real words rarely match by accident).
const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';
const REPLICASET_POD = new RegExp(`^(.+)-${SAFE}{1,10}-${SAFE}{5}$`);
const GENERATED_POD = new RegExp(`^(.+)-${SAFE}{5}$`);
const STATEFULSET_POD = /^(.+)-(0|[1-9][0-9]*)$/;

/** The owning workload's name from a pod name (ReplicaSet, StatefulSet, DaemonSet/Job suffixes stripped). */
export function workloadOfPod(podName: string): string {
  return REPLICASET_POD.exec(podName)?.[1] ?? STATEFULSET_POD.exec(podName)?.[1] ?? GENERATED_POD.exec(podName)?.[1] ?? podName;
}

export interface ProfileOptions {
  /** Samples older than this are forgotten. Default 1 h. */
  readonly windowMs?: number;
  /** Cap per workload (oldest dropped). Default 2000. */
  readonly maxSamplesPerWorkload?: number;
  /** Default 0.9. */
  readonly quantile?: number;
  /** Owner of a pod when known (e.g. from ownerReferences or an owner label); falls back to the name rule. */
  readonly ownerOf?: (namespace: string, podName: string) => string | undefined;
}

export interface WorkloadProfile {
  readonly workload: string;
  readonly powerW: number;
  readonly samples: number;
  readonly pods: number;
}

interface Sample {
  readonly pod: string;
  readonly powerW: number;
  readonly timeMs: number;
}

export class WorkloadPowerProfiles {
  private readonly byWorkload = new Map<string, Sample[]>();
  private readonly windowMs: number;
  private readonly maxSamples: number;
  private readonly quantile: number;

  constructor(private readonly opts: ProfileOptions = {}) {
    this.windowMs = opts.windowMs ?? 3_600_000;
    this.maxSamples = opts.maxSamplesPerWorkload ?? 2000;
    this.quantile = opts.quantile ?? 0.9;
  }

  /** `namespace/workload` for a pod. */
  workloadKey(namespace: string, podName: string): string {
    return `${namespace}/${this.opts.ownerOf?.(namespace, podName) ?? workloadOfPod(podName)}`;
  }

  observe(namespace: string, podName: string, powerW: number, timeMs: number): void {
    if (!Number.isFinite(powerW) || powerW < 0) return;
    const key = this.workloadKey(namespace, podName);
    const list = this.byWorkload.get(key) ?? [];
    // The same sample is seen again while a pod's value is carried forward: count it once.
    if (list.some((s) => s.pod === podName && s.timeMs === timeMs)) return;
    list.push({ pod: podName, powerW, timeMs });
    if (list.length > this.maxSamples) list.splice(0, list.length - this.maxSamples);
    this.byWorkload.set(key, list);
  }

  /** Feeds the fresh (non-stale) pod values of a snapshot. */
  observeSnapshot(snapshot: Snapshot): void {
    for (const [key, s] of Object.entries(snapshot.podPowerW)) {
      if (s.stale) continue;
      const slash = key.indexOf('/');
      this.observe(key.slice(0, slash), key.slice(slash + 1), s.value, s.sampleTimeMs);
    }
    this.prune(snapshot.takenAtMs);
  }

  /** Warm start from Prometheus history (pod power per step of the window). */
  async learnFromHistory(api: RangeApi, cfg: TelemetryConfig, window: HistoryWindow): Promise<void> {
    for (const { readings } of await rangeReadings(api, cfg, 'all', window)) {
      for (const [key, p] of composePower(readings).pod) {
        const slash = key.indexOf('/');
        this.observe(key.slice(0, slash), key.slice(slash + 1), p.value, p.timeMs);
      }
    }
    this.prune(window.endMs);
  }

  prune(nowMs: number): void {
    for (const [key, list] of this.byWorkload) {
      const kept = list.filter((s) => nowMs - s.timeMs <= this.windowMs);
      if (kept.length === 0) this.byWorkload.delete(key);
      else this.byWorkload.set(key, kept);
    }
  }

  /** Typical per-replica power of the workload a (possibly new) pod belongs to; undefined when unseen. */
  expectedPodPowerW(namespace: string, podName: string): WorkloadProfile | undefined {
    return this.profile(this.workloadKey(namespace, podName));
  }

  profile(workloadKey: string): WorkloadProfile | undefined {
    const list = this.byWorkload.get(workloadKey);
    if (list === undefined || list.length === 0) return undefined;
    const sorted = list.map((s) => s.powerW).sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(this.quantile * sorted.length) - 1));
    return { workload: workloadKey, powerW: sorted[rank] ?? 0, samples: sorted.length, pods: new Set(list.map((s) => s.pod)).size };
  }

  profiles(): WorkloadProfile[] {
    return [...this.byWorkload.keys()].flatMap((k) => this.profile(k) ?? []);
  }
}
