// Plain-data inputs and outputs of the capper's decisions. The live capper builds these from the
// API server and telemetry, the simulator from its own model, tests from literals.
import type { Topology } from '../../rack-model/types.js';
import type { RackState, RackStatus } from '../policy-schema.js';
import type { ResolvedPolicy } from '../policy-validate.js';

/** One telemetry value (structurally the same as telemetry's `Sampled`). */
export interface SampledValue {
  readonly value: number;
  readonly sampleTimeMs: number;
  readonly stale: boolean;
}

/** The part of telemetry's `Snapshot` the capper reads; a full Snapshot is assignable to it. */
export interface PowerSnapshot {
  readonly takenAtMs: number;
  readonly rackPowerW: Readonly<Record<string, SampledValue>>;
  /** key "namespace/name" */
  readonly podPowerW: Readonly<Record<string, SampledValue>>;
}

export interface PowerSample {
  readonly timeMs: number;
  readonly powerW: number;
}

/** Rack id → samples in time order, covering the policy's observation window. */
export type RackHistory = Readonly<Record<string, readonly PowerSample[]>>;

/** What the node agent reported about one node's GPUs (from its applied-limit annotation). */
export interface NodeGpuInfo {
  readonly gpuCount: number;
  readonly defaultLimitW: number;
  readonly minLimitW: number;
  readonly maxLimitW: number;
}

export interface NodeTarget {
  readonly name: string;
  readonly rackId: string | undefined;
  /** Desired per-GPU limit the capper last wrote (annotation), undefined = none. */
  readonly desiredLimitW: number | undefined;
  /** From the node agent's report; undefined until an agent has reported. */
  readonly gpus: NodeGpuInfo | undefined;
}

export interface ScaledObjectTarget {
  readonly namespace: string;
  readonly name: string;
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
  /** The owner's value saved before the first cap; undefined when not capped. */
  readonly originalMaxReplicaCount: number | undefined;
  /** The value the capper last wrote; if spec differs, the owner edited it while capped. */
  readonly cappedMaxReplicaCount: number | undefined;
  /** Running replicas per rack id (pods of the scale target). */
  readonly replicasByRack: Readonly<Record<string, number>>;
}

export interface PodTarget {
  readonly namespace: string;
  readonly name: string;
  readonly rackId: string | undefined;
  /** "namespace/name" of the ScaledObject whose workload owns the pod. */
  readonly scaledObject: string;
  /** Current value of controller.kubernetes.io/pod-deletion-cost when set by Climatik. */
  readonly deletionCost: number | undefined;
}

export interface CurrentTargets {
  readonly nodes: readonly NodeTarget[];
  readonly scaledObjects: readonly ScaledObjectTarget[];
  readonly pods: readonly PodTarget[];
}

/** Rate-limiting and hysteresis memory; lives in the policy status so a restart loses nothing. */
export interface DecisionState {
  /** Target key (see targetKey) → ms of its last change. */
  readonly lastActionMs: Readonly<Record<string, number>>;
  /** Rack id → ms since when it has stayed below the restore level. */
  readonly belowRestoreSinceMs: Readonly<Record<string, number>>;
}

export type Action =
  | { readonly kind: 'SetGpuPowerLimit'; readonly node: string; readonly rackId: string; readonly limitW: number; readonly reason: string }
  | { readonly kind: 'ClearGpuPowerLimit'; readonly node: string; readonly rackId: string; readonly reason: string }
  | {
      readonly kind: 'SetMaxReplicas';
      readonly namespace: string;
      readonly name: string;
      readonly rackId: string;
      readonly maxReplicaCount: number;
      /** The value to save as the original (the owner's) before/while capping. */
      readonly originalMaxReplicaCount: number;
      readonly reason: string;
    }
  | {
      readonly kind: 'RestoreMaxReplicas';
      readonly namespace: string;
      readonly name: string;
      readonly rackId: string;
      readonly maxReplicaCount: number;
      readonly reason: string;
    }
  | { readonly kind: 'SetPodDeletionCost'; readonly namespace: string; readonly name: string; readonly rackId: string; readonly cost: number; readonly reason: string }
  | { readonly kind: 'ClearPodDeletionCost'; readonly namespace: string; readonly name: string; readonly rackId: string; readonly reason: string };

export interface RackAssessment extends RackStatus {
  readonly state: RackState;
  /** max(measured, forecast) − cap, W; negative = headroom. */
  readonly excessW: number;
}

export interface DecisionInput {
  readonly policy: ResolvedPolicy;
  readonly topology: Topology;
  readonly snapshot: PowerSnapshot | undefined;
  readonly history: RackHistory;
  readonly targets: CurrentTargets;
  readonly state: DecisionState;
  readonly nowMs: number;
}

export interface Decision {
  readonly racks: readonly RackAssessment[];
  readonly actions: readonly Action[];
  readonly state: DecisionState;
  /** Human-readable reasons for degraded decisions (stale telemetry, agent not reporting, ...). */
  readonly problems: readonly string[];
}

export function targetKey(action: Action): string {
  switch (action.kind) {
    case 'SetGpuPowerLimit':
    case 'ClearGpuPowerLimit':
      return `node/${action.node}`;
    case 'SetMaxReplicas':
    case 'RestoreMaxReplicas':
      return `scaledobject/${action.namespace}/${action.name}`;
    case 'SetPodDeletionCost':
    case 'ClearPodDeletionCost':
      return `pod/${action.namespace}/${action.name}`;
  }
}
