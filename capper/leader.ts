// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: the holder renews
// renewTime; anyone may take the lease once renewTime + leaseDurationSeconds has passed. Writes use
// the read resourceVersion, so two candidates racing for an expired lease cannot both win.
// Lease times must be V1MicroTime (six fractional digits): a plain Date is rejected with 400.
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Clock } from '../common/index.js';
import { kubeError, statusCode } from './kube/patch.js';

export interface LeaseOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationMs: number;
}

export class LeaseLock {
  private readonly api: CoordinationV1Api;

  constructor(kubeConfig: KubeConfig, private readonly opts: LeaseOptions, private readonly clock: Clock) {
    this.api = kubeConfig.makeApiClient(CoordinationV1Api);
  }

  /** True when this identity holds the lease after the call. Conflicts (409) are "not leader", not errors. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.opts;
    const now = new V1MicroTime(this.clock.nowMs());
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ namespace, name });
    } catch (err) {
      if (statusCode(err) !== 404) throw kubeError(`read Lease ${namespace}/${name}`, err);
      return this.write(() =>
        this.api.createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace }, spec: { holderIdentity: identity, acquireTime: now, renewTime: now, leaseDurationSeconds: this.durationS(), leaseTransitions: 0 } },
        }),
      );
    }
    const spec = lease.spec ?? {};
    if (spec.holderIdentity === identity) {
      return this.write(() => this.api.replaceNamespacedLease({ namespace, name, body: { ...lease, spec: { ...spec, renewTime: now, leaseDurationSeconds: this.durationS() } } }));
    }
    if (!this.expired(lease)) return false;
    return this.write(() =>
      this.api.replaceNamespacedLease({
        namespace,
        name,
        body: {
          ...lease,
          spec: { ...spec, holderIdentity: identity, acquireTime: now, renewTime: now, leaseDurationSeconds: this.durationS(), leaseTransitions: (spec.leaseTransitions ?? 0) + 1 },
        },
      }),
    );
  }

  /** Gives the lease up (on shutdown) so a standby takes over without waiting for expiry. */
  async release(): Promise<void> {
    const { namespace, name, identity } = this.opts;
    try {
      const lease = await this.api.readNamespacedLease({ namespace, name });
      if (lease.spec?.holderIdentity !== identity) return;
      await this.api.replaceNamespacedLease({ namespace, name, body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } } });
    } catch (err) {
      if (statusCode(err) !== 404 && statusCode(err) !== 409) throw kubeError(`release Lease ${namespace}/${name}`, err);
    }
  }

  private expired(lease: V1Lease): boolean {
    const spec = lease.spec ?? {};
    if (spec.holderIdentity === undefined || spec.holderIdentity === '') return true;
    // The client returns renewTime as the raw string (V1MicroTime is not in its type map).
    const renewedMs = spec.renewTime === undefined ? Number.NaN : new Date(spec.renewTime as unknown as string).getTime();
    const durationMs = (spec.leaseDurationSeconds ?? 15) * 1000;
    return !Number.isFinite(renewedMs) || this.clock.nowMs() > renewedMs + durationMs;
  }

  private durationS(): number {
    return Math.max(1, Math.round(this.opts.leaseDurationMs / 1000));
  }

  private async write(call: () => Promise<unknown>): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (err) {
      if (statusCode(err) === 409) return false;
      throw kubeError(`write Lease ${this.opts.namespace}/${this.opts.name}`, err);
    }
  }
}
