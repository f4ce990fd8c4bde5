// What the route plugins share: the collaborators passed to buildExtender, plus the metrics and
// the recent-pod cache the app creates.
import type { Registry } from 'prom-client';
import type { Clock, Logger } from '../common/index.js';
import type { PodPowerConfig, ScoreWeights, UnknownNodePolicy } from './decisions/index.js';
import type { Binder } from './binder.js';
import type { BindLedger } from './ledger.js';
import type { ExtenderMetrics } from './metrics.js';
import type { NodeLabelSource, PlacementView } from './placement.js';
import type { StoredPlan } from './plan-store.js';
import type { PowerSource } from './power-source.js';
import type { RecentPods } from './recent-pods.js';
import type { TopologyStore } from './topology-store.js';
import type { PolicyStatusSource } from './ui/policy-source.js';

export interface ExtenderSettings {
  /** Largest accepted request body; a 5,000-node `Nodes` request with full Node objects is ~10 MB. */
  readonly bodyLimitBytes: number;
  readonly unknownNodePolicy: UnknownNodePolicy;
  /** A rack sample older than this is stale and the rack counts at its nameplate. */
  readonly staleAfterMs: number;
  /** Count a running pod without per-pod telemetry this long after it became ready (default 10 min). */
  readonly ledgerWarmupMs?: number;
  readonly podPower: PodPowerConfig;
  readonly scoreWeights?: ScoreWeights;
  /** Report ready with a topology but no telemetry yet (racks then count at their nameplate). */
  readonly readyWithoutTelemetry: boolean;
  /** Serve HTTPS; with `ca` + `requestCert`, callers must present a client certificate. */
  readonly tls?: TlsSettings;
}

export interface TlsSettings {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer;
  readonly requestCert?: boolean;
  readonly rejectUnauthorized?: boolean;
}

export interface ExtenderDeps {
  readonly topology: TopologyStore;
  readonly power: PowerSource;
  /** Latest background plan; `() => undefined` when no planner runs. */
  readonly plan: () => StoredPlan | undefined;
  readonly ledger: BindLedger;
  /** Kubernetes binder; undefined in offline mode (bind then answers with an error). */
  readonly binder: Binder | undefined;
  readonly nodeLabels?: NodeLabelSource;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly settings: ExtenderSettings;
  /** Cluster mode: when the informers first synced (see `syncProblem` in sync.ts). */
  readonly informers?: InformerSync;
  /** Cluster mode: the PowerCappingPolicies whose status the page shows; offline none (the page says so). */
  readonly policyStatusSource?: PolicyStatusSource;
}

/** When the Node and Pod informers first finished their initial list; undefined before. */
export interface InformerSync {
  nodesSyncedAtMs(): number | undefined;
  podsSyncedAtMs(): number | undefined;
}

export interface ExtenderContext {
  readonly deps: ExtenderDeps;
  readonly metrics: ExtenderMetrics;
  readonly recentPods: RecentPods;
  view(): PlacementView | undefined;
}
