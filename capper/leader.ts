// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: the holder renews
// renewTime; anyone may take the lease once renewTime + leaseDurationSeconds has passed. Writes use
// the read resourceVersion, so two candidates racing for an expired lease cannot both win.
// Lease times must be V1MicroTime (six fractional digits): a plain Date is rejected with 400.
// Two guards client-go also has: a holder whose renewal cannot complete within the renew deadline
// (counted from its last successful renewal, so before the lease can expire for a standby) gives up
// instead of waiting on a hung connection; and a release waits for a renewal still in flight, which
// would otherwise win the write race and keep the lease held by a stopped process until it expires.
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { ClimatikError, type Clock } from '../common/index.js';
import { kubeError, statusCode } from './kube/patch.js';

export interface LeaseOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationMs: number;
  /** How long after its last successful renewal a holder keeps trying; default 2/3 of the lease. */
  readonly renewDeadlineMs?: number;
}

/**
 * A holder that has not renewed for this long stops acting (client-go's default ratio, 10 s of a
 * 15 s lease), so it steps down before a standby can take the lease.
 */
export function defaultRenewDeadlineMs(leaseDurationMs: number): number {
  return Math.floor((leaseDurationMs * 2) / 3);
}

export class LeaseLock {
  private readonly api: CoordinationV1Api;
  private readonly renewDeadlineMs: number;
  /** Local time at which the last successful acquire/renew was sent (undefined: not holding). */
  private heldSinceMs: number | undefined;
  /** The read-then-write attempt in flight (it may outlive a call that gave up at the deadline). */
  private pending: Promise<unknown> = Promise.resolve();
  private released = false;

  constructor(kubeConfig: KubeConfig, private readonly opts: LeaseOptions, private readonly clock: Clock) {
    this.api = kubeConfig.makeApiClient(CoordinationV1Api);
    this.renewDeadlineMs = opts.renewDeadlineMs ?? defaultRenewDeadlineMs(opts.leaseDurationMs);
    if (!(this.renewDeadlineMs > 0 && this.renewDeadlineMs < opts.leaseDurationMs)) {
      throw new ClimatikError('CLIMATIK_CONFIG_INVALID', 'lease renew deadline must be positive and shorter than the lease', {
        issues: [{ path: 'renewDeadlineMs', message: `must be > 0 and < leaseDurationMs (${opts.leaseDurationMs})`, value: this.renewDeadlineMs }],
      });
    }
  }

  /**
   * True when this identity holds the lease after the call. Conflicts (409) are "not leader", not
   * errors; an attempt that cannot finish by the renew deadline rejects (CLIMATIK_KUBE_API) and the
   * caller must stop acting. After `release()` it is always false.
   */
  async tryAcquireOrRenew(): Promise<boolean> {
    if (this.released) return false;
    const startedMs = this.clock.nowMs();
    // A holder has until its renew deadline; past it (or not holding) a fresh attempt gets a whole
    // one: the resourceVersion on every write already stops it from taking a lease someone else holds.
    const leftMs = this.heldSinceMs === undefined ? 0 : this.heldSinceMs + this.renewDeadlineMs - startedMs;
    const budgetMs = leftMs > 0 ? leftMs : this.renewDeadlineMs;
    this.heldSinceMs = undefined; // until this attempt succeeds
    const attempt = this.pending.then(() => this.attempt());
    this.pending = attempt.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ClimatikError('CLIMATIK_KUBE_API', `Lease ${this.opts.namespace}/${this.opts.name}: no answer within the renew deadline (${this.renewDeadlineMs} ms)`)), budgetMs);
    });
    try {
      const held = await Promise.race([attempt, deadline]);
      if (held && !this.released) this.heldSinceMs = startedMs;
      return held && !this.released;
    } finally {
      clearTimeout(timer);
    }
  }

  private async attempt(): Promise<boolean> {
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

  /**
   * Gives the lease up (on shutdown) so a standby takes over without waiting for expiry. Waits (up to
   * the renew deadline) for a renewal in flight first; the lock never acquires again afterwards.
   */
  async release(): Promise<void> {
    const { namespace, name, identity } = this.opts;
    this.released = true;
    this.heldSinceMs = undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.pending, new Promise((resolve) => (timer = setTimeout(resolve, this.renewDeadlineMs)))]);
    clearTimeout(timer);
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
    if (this.released) return false;
    try {
      await call();
      return true;
    } catch (err) {
      if (statusCode(err) === 409) return false;
      throw kubeError(`write Lease ${this.opts.namespace}/${this.opts.name}`, err);
    }
  }
}
