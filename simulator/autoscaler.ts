// A KEDA-like autoscaler: KEDA feeds the HPA an external metric (here in-flight requests, the
// concurrency a gateway or vLLM's num_requests_running/waiting reports) and the HPA computes
// desired = ceil(total / target per replica), with its defaults: 10 % tolerance, scale-up by at most
// max(100 %, 4 pods) per period, scale-down to the highest recommendation of the last 300 s.
// min/max replicas as on the ScaledObject; the capper may lower max (maxReplicaCount).

export interface AutoscalerSpec {
  readonly targetConcurrencyPerReplica: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** KEDA pollingInterval / HPA sync period, s. */
  readonly pollingIntervalS: number;
  /** HPA behavior.scaleDown.stabilizationWindowSeconds. */
  readonly scaleDownStabilisationS: number;
  /** HPA tolerance (0.1 = no change while within 10 % of target). */
  readonly tolerance: number;
}

export class Autoscaler {
  /** Ceiling in force: the ScaledObject's maxReplicaCount, possibly lowered by the capper. */
  maxReplicas: number;
  private lastPollS = Number.NEGATIVE_INFINITY;
  private readonly recommendations: { timeS: number; replicas: number }[] = [];

  constructor(readonly spec: AutoscalerSpec) {
    this.maxReplicas = spec.maxReplicas;
  }

  /**
   * The replica count to run at `nowS`, or undefined when it is not time to poll. `current` counts
   * replicas that exist (starting or ready, not those draining).
   */
  poll(nowS: number, concurrency: number, current: number): number | undefined {
    if (nowS - this.lastPollS < this.spec.pollingIntervalS) return undefined;
    // Like the HPA controller, the first sight of the target seeds the window with its current size,
    // so a controller (re)start cannot scale a warm service down at once.
    if (this.lastPollS === Number.NEGATIVE_INFINITY) this.recommendations.push({ timeS: nowS, replicas: current });
    this.lastPollS = nowS;
    const { targetConcurrencyPerReplica: target, tolerance } = this.spec;
    let recommendation = current;
    const ratio = current > 0 ? concurrency / (current * target) : Number.POSITIVE_INFINITY;
    if (current === 0 || Math.abs(ratio - 1) > tolerance) recommendation = Math.ceil(concurrency / target);
    recommendation = clamp(recommendation, this.spec.minReplicas, this.maxReplicas);

    this.recommendations.push({ timeS: nowS, replicas: recommendation });
    while ((this.recommendations[0]?.timeS ?? nowS) < nowS - this.spec.scaleDownStabilisationS) this.recommendations.shift();

    if (recommendation > current) {
      const upLimit = Math.max(current * 2, current + 4);
      return clamp(Math.min(recommendation, upLimit), this.spec.minReplicas, this.maxReplicas);
    }
    // Scale down only as far as the highest recommendation in the stabilisation window allows.
    const stabilised = Math.max(...this.recommendations.map((r) => r.replicas));
    return clamp(Math.min(current, stabilised), this.spec.minReplicas, this.maxReplicas);
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}
