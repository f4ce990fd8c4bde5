// One LLM service in the replay: its trace, its replicas, a gateway that routes each request to the
// ready replica with the fewest in flight, and its KEDA-like autoscaler. Scale-out creates Pending
// pods that the policy under test places; scale-in picks victims the way the ReplicaSet controller
// does (not-yet-ready first, then lower pod-deletion-cost, then the most crowded node, then newest).
import type { PodRequest } from './cluster.js';
import type { GpuPowerSpec } from './gpu-power.js';
import type { RequestSink } from './latency-log.js';
import { Autoscaler } from './autoscaler.js';
import { newRequest, Replica, type Request, type ServingSpec } from './replica.js';
import type { ServiceSpec } from './scenario-schema.js';
import type { Trace } from './trace-reader.js';

export class ServiceRuntime {
  readonly autoscaler: Autoscaler;
  readonly serving: ServingSpec;
  readonly pod: PodRequest;
  /** Replicas that hold GPUs: starting, ready or draining. */
  readonly replicas: Replica[] = [];
  /** Pods created by scale-out and not yet placed. */
  pendingPods = 0;
  /** pod-deletion-cost per replica id, as set by the capper. */
  readonly deletionCost = new Map<string, number>();
  readonly sink: RequestSink;
  tokensDemanded = 0;
  private readonly gateway: Request[] = [];
  private nextArrival = 0;
  private created = 0;

  constructor(
    readonly spec: ServiceSpec,
    readonly trace: Trace,
    readonly gpu: GpuPowerSpec,
    sink: RequestSink,
  ) {
    this.sink = sink;
    this.autoscaler = new Autoscaler(spec.autoscaler);
    this.serving = {
      gpusPerReplica: spec.gpusPerReplica,
      prefillTokensPerS: spec.prefillTokensPerS,
      decodeBaseIterationMs: spec.decodeBaseIterationMs,
      decodePerSequenceMs: spec.decodePerSequenceMs,
      maxBatch: spec.maxBatch,
      startupS: spec.startupS,
    };
    this.pod = { gpus: spec.gpusPerReplica, cpuMillicores: spec.cpuMillicoresPerReplica, memoryMiB: spec.memoryMiBPerReplica };
  }

  /** Replicas the autoscaler counts: starting or ready (draining ones are on their way out). */
  get activeCount(): number {
    let n = 0;
    for (const r of this.replicas) if (r.phase !== 'draining') n += 1;
    return n;
  }

  /** Requests in the system: in replicas plus those waiting at the gateway (the scaling metric). */
  get concurrency(): number {
    let n = this.gateway.length;
    for (const r of this.replicas) n += r.inFlight;
    return n;
  }

  createReplica(nowS: number, nodeName: string, rackId: string, warm: boolean): Replica {
    this.created += 1;
    const readyS = warm ? nowS : nowS + this.serving.startupS;
    const replica = new Replica(`${this.spec.name}-${this.created}`, nodeName, rackId, nowS, readyS, this.serving, this.gpu);
    if (warm) replica.phase = 'ready';
    this.replicas.push(replica);
    return replica;
  }

  /** Starts replicas whose model has loaded, then routes the gateway backlog and arrivals before `endS`. */
  admit(nowS: number, endS: number): void {
    for (const r of this.replicas) if (r.phase === 'starting' && r.readyS <= nowS) r.phase = 'ready';
    const ready = this.replicas.filter((r) => r.phase === 'ready');
    const { arrivalS, inputTokens, outputTokens } = this.trace;
    while (this.nextArrival < arrivalS.length && (arrivalS[this.nextArrival] as number) < endS) {
      const i = this.nextArrival;
      this.nextArrival += 1;
      const req = newRequest(arrivalS[i] as number, inputTokens[i] as number, outputTokens[i] as number);
      this.tokensDemanded += req.inputTokens + req.outputTokens;
      this.gateway.push(req);
    }
    if (ready.length === 0 || this.gateway.length === 0) return;
    for (const req of this.gateway) leastLoaded(ready).accept(req);
    this.gateway.length = 0;
  }

  /** Applies the autoscaler's answer: more Pending pods, or victims set draining. */
  scaleTo(desired: number, reroute: (reqs: Request[]) => void): void {
    let current = this.activeCount + this.pendingPods;
    if (desired > current) {
      this.pendingPods += desired - current;
      return;
    }
    // Unplaced pods go first, then the ReplicaSet's ranking over placed ones.
    const cancel = Math.min(this.pendingPods, current - desired);
    this.pendingPods -= cancel;
    current -= cancel;
    if (desired >= current) return;
    const perNode = new Map<string, number>();
    for (const r of this.replicas) if (r.phase !== 'draining') perNode.set(r.nodeName, (perNode.get(r.nodeName) ?? 0) + 1);
    const victims = this.replicas
      .filter((r) => r.phase !== 'draining')
      .sort(
        (a, b) =>
          Number(a.phase === 'ready') - Number(b.phase === 'ready') ||
          (this.deletionCost.get(a.id) ?? 0) - (this.deletionCost.get(b.id) ?? 0) ||
          (perNode.get(b.nodeName) ?? 0) - (perNode.get(a.nodeName) ?? 0) ||
          b.createdS - a.createdS ||
          (a.id < b.id ? 1 : -1),
      )
      .slice(0, current - desired);
    for (const v of victims) {
      v.phase = 'draining';
      reroute(v.takeUnstarted());
    }
  }

  /** Puts requests back at the gateway (from a draining replica). */
  requeue(reqs: Request[]): void {
    this.gateway.push(...reqs);
    this.gateway.sort((a, b) => a.arrivalS - b.arrivalS);
  }

  /** Removes drained replicas; returns them so their GPUs can be released. */
  reapDrained(): Replica[] {
    const gone: Replica[] = [];
    for (let i = this.replicas.length - 1; i >= 0; i -= 1) {
      const r = this.replicas[i] as Replica;
      if (r.phase === 'draining' && r.idle) {
        gone.push(r);
        this.replicas.splice(i, 1);
        this.deletionCost.delete(r.id);
      }
    }
    return gone;
  }
}

function leastLoaded(ready: readonly Replica[]): Replica {
  let best = ready[0] as Replica;
  let bestLoad = best.inFlight;
  for (let i = 1; i < ready.length; i += 1) {
    const r = ready[i] as Replica;
    const load = r.inFlight;
    if (load < bestLoad) {
      best = r;
      bestLoad = load;
    }
  }
  return best;
}
