// Plain data the placement decisions work on. No fastify, no I/O: the simulator imports these.
import type { FieldIssue } from '../../common/index.js';
import type { PlanResult, RackPowerW, Topology } from '../../rack-model/types.js';

export interface PlacementState {
  readonly topology: Topology;
  /** Telemetry (or a conservative fallback) plus bound pods telemetry does not show yet, W per rack id. */
  readonly rackPowerW: RackPowerW;
  /** Background LP plan (target allocation per rack); may be missing. */
  readonly plan: PlanResult | undefined;
  /** Racks whose power is a fallback estimate, not a fresh sample. */
  readonly staleRacks: ReadonlySet<string>;
  /** Why a stale rack's power is a fallback (for reasons only). */
  readonly staleReasons?: Readonly<Record<string, string>>;
  /** Optional breakdown: the part of `rackPowerW` that is bound pods telemetry does not show yet (for reasons only). */
  readonly boundSinceSampleW?: RackPowerW;
}

export interface Candidate {
  readonly nodeName: string;
  readonly rackId: string | undefined;
}

/** What happens to a node whose rack cannot be resolved. */
export type UnknownNodePolicy = 'allow' | 'deny';

export interface DecisionOptions {
  /** Default `allow`: the node passes and scores neutral; `deny`: it fails as unresolvable. */
  readonly unknownNode?: UnknownNodePolicy;
}

/** The subset of a Kubernetes Pod the decisions read (camelCase, as the API serves it). */
export interface PodLike {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: {
    readonly nodeName?: string;
    readonly nodeSelector?: Readonly<Record<string, string>>;
    readonly containers?: readonly ContainerLike[];
    readonly initContainers?: readonly ContainerLike[];
  };
}

export interface ContainerLike {
  readonly resources?: {
    readonly requests?: Readonly<Record<string, string | number>>;
    readonly limits?: Readonly<Record<string, string | number>>;
  };
}

export interface PodPowerConfig {
  /** W per GPU when the model is unknown. */
  readonly wattsPerGpu: number;
  /** W per GPU by model (value of `gpuModelLabel`, e.g. "NVIDIA-H100-80GB-HBM3"). */
  readonly wattsPerGpuByModel?: Readonly<Record<string, number>>;
  /** Node label carrying the GPU model; read from the node (at bind) or the pod's nodeSelector. */
  readonly gpuModelLabel?: string;
  /** Extended resource names counted as GPUs. */
  readonly gpuResources?: readonly string[];
  /** W per requested CPU core for pods without GPUs. */
  readonly wattsPerCpuCore: number;
  /** Floor for CPU-only pods (and pods that request nothing). */
  readonly minPodPowerW: number;
}

export type PodPowerSource = 'annotation' | 'gpu' | 'cpu';

export interface PodPowerEstimate {
  readonly powerW: number;
  readonly source: PodPowerSource;
  /** Problems met on the way (e.g. an unparsable annotation that was ignored). */
  readonly issues: readonly FieldIssue[];
}

/** Why a rack refuses the pod. `resolvable: false` means preemption on that node cannot help. */
export interface Rejection {
  readonly predicate: PredicateName;
  readonly reason: string;
  readonly resolvable: boolean;
}

export type PredicateName = 'power-budget' | 'redline' | 'unknown-node';

export interface FilterResult {
  readonly passed: string[];
  readonly failed: Record<string, string>;
  readonly unresolvable: Record<string, string>;
  /** Predicate name per rejected node, for metrics (low-cardinality labels). */
  readonly rejectedBy: Record<string, PredicateName>;
}

export interface HostScore {
  readonly host: string;
  readonly score: number;
}
