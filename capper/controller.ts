// The capper process: informers (restarted with backoff) over policies, Nodes, ScaledObjects,
// Deployments and Pods; a lease for leader election; a loop that, while leader, reconciles each
// policy in turn (serialised: one reconcile at a time, so two never race on a target).
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
import type { Clock, Logger } from '../common/index.js';
import type { Topology } from '../rack-model/types.js';
import { Actuators, KEDA } from './actuators/actuators.js';
import type { ClusterObjects, ScaledObject } from './cluster-view.js';
import { resilient, type ResilientInformer } from './kube/informer.js';
import type { LeaseLock } from './leader.js';
import type { CapperMetrics } from './metrics.js';
import { POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION, type PolicyObject } from './policy-schema.js';
import type { CapperPowerSource } from './power-source.js';
import { reconcilePolicy, type ReconcileDeps } from './reconcile.js';

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
  /** Notification sinks (capper/sinks), told of each reconcile's assessment and published actions. */
  readonly notifier?: ReconcileDeps['notifier'];
}

/** How long to wait for the policy cache to show our own status write before deciding again. */
const CACHE_CATCH_UP_MS = 5000;

export class Capper {
  private readonly policies: ResilientInformer<KubernetesObject>;
  private readonly nodes: ResilientInformer<V1Node>;
  private readonly scaledObjects: ResilientInformer<KubernetesObject>;
  private readonly deployments: ResilientInformer<V1Deployment>;
  private readonly pods: ResilientInformer<V1Pod>;
  private readonly actuators: Actuators;
  private leader = false;
  private loop: NodeJS.Timeout | undefined;
  private leaseLoop: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
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
    this.actuators = new Actuators(kc);
  }

  async start(): Promise<void> {
    await Promise.all([this.policies, this.nodes, this.scaledObjects, this.deployments, this.pods].map((i) => i.start()));
    if (this.deps.lease === undefined) this.leader = true;
    else {
      await this.renewLease();
      const renew = () => {
        void this.renewLease().finally(() => {
          if (this.leaseLoop !== undefined) this.leaseLoop = setTimeout(renew, this.deps.leaseRenewMs ?? 2000);
        });
      };
      this.leaseLoop = setTimeout(renew, this.deps.leaseRenewMs ?? 2000);
    }
    const tick = () => {
      this.running = this.tick().then(() => undefined).finally(() => {
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
    await this.running;
    if (this.leader && this.deps.lease !== undefined) await this.deps.lease.release().catch(() => undefined);
    this.leader = false;
    await Promise.all([this.policies, this.nodes, this.scaledObjects, this.deployments, this.pods].map((i) => i.stop()));
  }

  ready(): boolean {
    return [this.policies, this.nodes, this.scaledObjects, this.deployments, this.pods].every((i) => i.synced());
  }

  isLeader(): boolean {
    return this.leader;
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
  }

  /** One pass over every policy; returns how many were reconciled (tests drive the loop with it). */
  async tick(): Promise<number> {
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
