// The capper process: informers (restarted with backoff) over policies, Nodes, ScaledObjects,
// Deployments and Pods; a lease for leader election; a loop that, while leader, reconciles each
// policy in turn (serialised: one reconcile at a time, so two never race on a target). Approvals
// from Slack go through the same queue (applyApproved), so they never race a reconcile either.
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  makeInformer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type V1Deployment,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import { ClimatikError, type Clock, type Logger } from '../common/index.js';
import type { Topology } from '../rack-model/types.js';
import { Actuators, KEDA, policyKey } from './actuators/actuators.js';
import { applyApproval, recordRejection, slackUserLabel, type ApprovalPort } from './actuators/approval.js';
import { SerialQueue } from './actuators/serial-queue.js';
import type { ClusterObjects, ScaledObject } from './cluster-view.js';
import { resilient, type ResilientInformer } from './kube/informer.js';
import type { LeaseLock } from './leader.js';
import type { LeaderLabel } from './leader-label.js';
import type { CapperMetrics } from './metrics.js';
import { POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION, type PolicyObject } from './policy-schema.js';
import type { CapperPowerSource } from './power-source.js';
import { reconcilePolicy, type ReconcileDeps } from './reconcile.js';
import type { Recommendation, SlackUser } from './sinks/index.js';

export interface CapperDeps {
  readonly kubeConfig: KubeConfig;
  readonly topology: () => Topology;
  readonly power: CapperPowerSource;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics: CapperMetrics;
  readonly intervalMs: number;
  /** Undefined = no leader election (single replica, tests). */
  readonly lease?: LeaseLock;
  readonly leaseRenewMs?: number;
  /** Labels this replica's Pod while it leads, so the Slack Service routes only to the leader. */
  readonly leaderLabel?: LeaderLabel;
  /** Notification sinks (capper/sinks), told of each reconcile's assessment and published actions. */
  readonly notifier?: ReconcileDeps['notifier'];
  /** This replica's lease identity (POD_NAME): named as reportingInstance on its Events. */
  readonly identity?: string;
  /** The API writer and reader; defaults to Actuators over kubeConfig (unit tests pass a recorder). */
  readonly actuators?: ApprovalPort;
}

/** How long to wait for the policy cache to show our own status write before deciding again. */
const CACHE_CATCH_UP_MS = 5000;

export class Capper {
  private readonly policies: ResilientInformer<KubernetesObject>;
  private readonly nodes: ResilientInformer<V1Node>;
  private readonly scaledObjects: ResilientInformer<KubernetesObject>;
  private readonly deployments: ResilientInformer<V1Deployment>;
  private readonly pods: ResilientInformer<V1Pod>;
  private readonly actuators: ApprovalPort;
  private leader = false;
  private loop: NodeJS.Timeout | undefined;
  private leaseLoop: NodeJS.Timeout | undefined;
  /** Reconcile passes and approvals, one at a time. */
  private readonly queue = new SerialQueue();
  /** Policy key → the resourceVersion it had when we last wrote to it (our write makes it stale). */
  private readonly written = new Map<string, { staleVersion: string | undefined; atMs: number }>();

  constructor(private readonly deps: CapperDeps) {
    const kc = deps.kubeConfig;
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const list = <T extends KubernetesObject>(fn: () => Promise<unknown>) => async () => (await fn()) as KubernetesListObject<T>;
    const inf = <T extends KubernetesObject>(name: string, path: string, fn: () => Promise<unknown>) =>
      resilient<T>(name, makeInformer<T>(kc, path, list<T>(fn)), deps.logger);
    this.policies = inf('policies', `/apis/${POLICY_GROUP}/${POLICY_VERSION}/${POLICY_PLURAL}`, () =>
      custom.listClusterCustomObject({ group: POLICY_GROUP, version: POLICY_VERSION, plural: POLICY_PLURAL }),
    );
    this.scaledObjects = inf('scaledobjects', `/apis/${KEDA.group}/${KEDA.version}/${KEDA.plural}`, () => custom.listClusterCustomObject({ ...KEDA }));
    this.nodes = inf<V1Node>('nodes', '/api/v1/nodes', () => core.listNode());
    this.deployments = inf<V1Deployment>('deployments', '/apis/apps/v1/deployments', () => apps.listDeploymentForAllNamespaces());
    this.pods = inf<V1Pod>('pods', '/api/v1/pods', () => core.listPodForAllNamespaces());
    this.actuators = deps.actuators ?? new Actuators(kc, undefined, deps.identity);
  }

  async start(): Promise<void> {
    await Promise.all([this.policies, this.nodes, this.scaledObjects, this.deployments, this.pods].map((i) => i.start()));
    if (this.deps.lease === undefined) {
      this.leader = true;
      void this.deps.leaderLabel?.sync(true);
    } else {
      await this.renewLease();
      const renew = () => {
        void this.renewLease().finally(() => {
          if (this.leaseLoop !== undefined) this.leaseLoop = setTimeout(renew, this.deps.leaseRenewMs ?? 2000);
        });
      };
      this.leaseLoop = setTimeout(renew, this.deps.leaseRenewMs ?? 2000);
    }
    const tick = () => {
      void this.tick().catch(() => undefined).finally(() => {
        if (this.loop !== undefined) this.loop = setTimeout(tick, this.deps.intervalMs);
      });
    };
    this.loop = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    const [loop, leaseLoop] = [this.loop, this.leaseLoop];
    this.loop = undefined;
    this.leaseLoop = undefined;
    if (loop !== undefined) clearTimeout(loop);
    if (leaseLoop !== undefined) clearTimeout(leaseLoop);
    await this.queue.idle();
    // Unlabel before releasing: for a moment no Pod takes Slack's clicks, rather than two.
    await this.deps.leaderLabel?.close();
    // Even a standby releases: a renewal that acquired the lease during shutdown would otherwise
    // hold it until it expires. release() writes only when this identity is the holder.
    if (this.deps.lease !== undefined) await this.deps.lease.release().catch(() => undefined);
    this.leader = false;
    await Promise.all([this.policies, this.nodes, this.scaledObjects, this.deployments, this.pods].map((i) => i.stop()));
  }

  ready(): boolean {
    return [this.policies, this.nodes, this.scaledObjects, this.deployments, this.pods].every((i) => i.synced());
  }

  isLeader(): boolean {
    return this.leader;
  }

  /**
   * A Node's labels from the informer cache. Telemetry names nodes; racks whose nodes are found by
   * the rack label (not listed in the topology) need these to map a node's power to its rack.
   */
  nodeLabels(name: string): Readonly<Record<string, string>> | undefined {
    return this.nodes.cache.get(name)?.metadata?.labels;
  }

  private async renewLease(): Promise<void> {
    const lease = this.deps.lease;
    if (lease === undefined) return;
    try {
      const now = await lease.tryAcquireOrRenew();
      if (now !== this.leader) this.deps.logger.info({ leader: now }, now ? 'acquired the lease' : 'lost the lease');
      this.leader = now;
    } catch (err) {
      this.deps.logger.warn({ err: String(err) }, 'lease renewal failed; standing down');
      this.leader = false;
    }
    this.deps.metrics.leader.set(this.leader ? 1 : 0);
    // Every renewal, not only on transitions: a failed label patch is retried here. Not awaited: a
    // slow patch must not delay the next renewal.
    void this.deps.leaderLabel?.sync(this.leader);
  }

  /**
   * Applies a recommendation a human approved in Slack (Recommend mode), queued behind any running
   * reconcile. Only the leader acts: a standby's caches and open recommendations are not the ones
   * Slack's buttons came from. Refusals are ClimatikErrors (the Slack endpoint answers 400).
   */
  async applyApproved(rec: Recommendation, user: SlackUser): Promise<void> {
    this.requireLeader(rec);
    await this.queue.run(async () => {
      this.requireLeader(rec); // the lease may have been lost while a reconcile ran
      const key = policyKey(rec.policy);
      const cachedVersion = this.policies.cache.get(rec.policy.name, rec.policy.namespace)?.metadata?.resourceVersion;
      const nowMs = this.deps.clock.nowMs();
      const outcome = await applyApproval(this.actuators, rec, user, nowMs);
      for (const a of outcome.applied) this.deps.metrics.actions.inc({ kind: a.kind });
      // The next reconcile must see our status write (appliedActions, rate limits) before it writes its own.
      if (outcome.resourceVersion !== undefined) this.written.set(key, { staleVersion: cachedVersion, atMs: nowMs });
      this.deps.logger.info({ recommendation: rec.id, user: slackUserLabel(user), applied: outcome.applied.length, skipped: outcome.skipped.length }, 'approved recommendation applied');
    });
  }

  /** Records a Slack rejection as an Event on the policy; nothing is applied. */
  async recordRejected(rec: Recommendation, user: SlackUser): Promise<void> {
    await recordRejection(this.actuators, rec, user, this.deps.clock.nowMs());
    this.deps.logger.info({ recommendation: rec.id, user: slackUserLabel(user) }, 'recommendation rejected');
  }

  private requireLeader(rec: Recommendation): void {
    if (this.leader) return;
    throw new ClimatikError('CLIMATIK_REQUEST_INVALID', `this capper replica is not the leader, so it cannot apply ${rec.id}; route Slack's Request URL to the leader and click again`, {
      issues: [{ path: '/leader', message: 'this replica does not hold the capper lease', value: false }],
    });
  }

  /** One pass over every policy; returns how many were reconciled (tests drive the loop with it). */
  tick(): Promise<number> {
    return this.queue.run(() => this.reconcileAll());
  }

  private async reconcileAll(): Promise<number> {
    if (!this.leader || !this.ready()) return 0;
    let reconciled = 0;
    const started = this.deps.clock.nowMs();
    const objects: ClusterObjects = {
      nodes: this.nodes.cache.list(),
      scaledObjects: this.scaledObjects.cache.list() as unknown as ScaledObject[],
      deployments: this.deployments.cache.list(),
      pods: this.pods.cache.list(),
    };
    const reconcileDeps = { actuators: this.actuators, power: this.deps.power, topology: this.deps.topology, logger: this.deps.logger, metrics: this.deps.metrics, nowMs: () => this.deps.clock.nowMs(), ...(this.deps.notifier === undefined ? {} : { notifier: this.deps.notifier }) };
    for (const raw of this.policies.cache.list()) {
      // The lease can be lost while a long pass runs; the new leader may already be acting.
      if (!this.leader) break;
      const policy = raw as unknown as PolicyObject;
      const key = `${policy.metadata.namespace}/${policy.metadata.name}`;
      const mine = this.written.get(key);
      // Our last status write (rate-limit memory) must be visible before deciding again: while the
      // cache still holds the version we decided on, it has not seen that write.
      if (mine !== undefined && policy.metadata.resourceVersion === mine.staleVersion && started - mine.atMs < CACHE_CATCH_UP_MS) continue;
      try {
        const rv = await reconcilePolicy(reconcileDeps, policy, objects);
        reconciled++;
        if (rv !== undefined && rv !== policy.metadata.resourceVersion) this.written.set(key, { staleVersion: policy.metadata.resourceVersion, atMs: started });
        else this.written.delete(key);
      } catch (err) {
        this.deps.logger.error({ policy: key, err: err instanceof Error ? err.message : String(err) }, 'reconcile failed; retried next tick');
      }
    }
    this.deps.metrics.reconcileMs.observe(this.deps.clock.nowMs() - started);
    return reconciled;
  }
}
