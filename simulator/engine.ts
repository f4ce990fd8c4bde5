// The replay of one policy: a fixed-step loop over the shaped traces. Each step routes arrivals,
// advances every replica (prefill, decode, GPU power), sums node and rack power, moves the room's
// air, and — on their own periods — samples telemetry, runs the capper, polls the autoscalers and
// places Pending pods with the policy under test. All randomness comes from the run's seed.
import { DEFAULT_POD_POWER_CONFIG, expectedPodPowerW, type PodLike } from '../extender/decisions/index.js';
import { planners } from '../rack-model/index.js';
import type { PowerSnapshot } from '../capper/decisions/index.js';
import { energyKWh } from '../common/index.js';
import { CapMeter } from './cap-meter.js';
import { CapperLoop } from './capping.js';
import { Cluster } from './cluster.js';
import type { GpuPowerSpec } from './gpu-power.js';
import { createRequestSink } from './latency-log.js';
import { kubeDefaultPolicy, randomPolicy } from './policies/baselines.js';
import { climatikPolicy, type ClimatikPlacement } from './policies/climatik.js';
import { minHrPolicy } from './policies/min-hr.js';
import type { PlacementPolicy, PlacementRequest, TelemetryView } from './policies/types.js';
import { forkPrng } from './prng.js';
import type { PolicyRun } from './results.js';
import { Room } from './room.js';
import type { ResolvedScenario } from './scenario.js';
import type { PolicyName } from './scenario-schema.js';
import { SeriesRecorder } from './series.js';
import { ServiceRuntime } from './service.js';
import type { Replica } from './replica.js';

export type PlacementPolicyName = Exclude<PolicyName, 'lp-bound'>;

export function gpuSpecOf(scenario: ResolvedScenario): GpuPowerSpec {
  const g = scenario.doc.gpu;
  return { idleW: g.idleW, prefillW: g.prefillW, decodeW: g.decodeW, maxLimitW: g.maxLimitW, minLimitW: g.minLimitW, capSlowdownExponent: g.capSlowdownExponent };
}

export function buildCluster(scenario: ResolvedScenario): Cluster {
  const { node } = scenario.doc;
  return new Cluster(scenario.topology, node, gpuSpecOf(scenario), node.nodesPerRack);
}

function makePolicy(name: PlacementPolicyName, scenario: ResolvedScenario): PlacementPolicy {
  const prng = forkPrng(scenario.seed, `policy/${name}`);
  switch (name) {
    case 'default-spread':
      return kubeDefaultPolicy(name, 'LeastAllocated', prng);
    case 'bin-pack':
      return kubeDefaultPolicy(name, 'MostAllocated', prng);
    case 'random':
      return randomPolicy(prng);
    case 'min-hr':
      return minHrPolicy(scenario.topology, prng);
    case 'climatik':
      return climatikPolicy({ extenderWeight: scenario.doc.climatik.extenderWeight, planner: planners[scenario.doc.climatik.planner] }, prng);
  }
}

/** The extender's estimate for one replica's pod: GPU request x watts per GPU of the configured model. */
export function expectedReplicaPowerW(scenario: ResolvedScenario, gpus: number): number {
  const pod: PodLike = { spec: { containers: [{ resources: { limits: { 'nvidia.com/gpu': String(gpus) } } }] } };
  return expectedPodPowerW(pod, { ...DEFAULT_POD_POWER_CONFIG, wattsPerGpu: scenario.doc.climatik.wattsPerGpu });
}

export function runPolicy(scenario: ResolvedScenario, name: PlacementPolicyName, onProgress?: (fraction: number) => void): PolicyRun {
  const { topology, doc } = scenario;
  const gpu = gpuSpecOf(scenario);
  const cluster = buildCluster(scenario);
  const policy = makePolicy(name, scenario);
  const climatik = name === 'climatik' ? (policy as ClimatikPlacement) : undefined;
  const services = scenario.services.map((s) => new ServiceRuntime(s.spec, s.trace, gpu, createRequestSink()));
  const capper =
    climatik === undefined
      ? undefined
      : new CapperLoop(scenario.capping, topology, cluster, services, gpu, doc.climatik.capperIntervalS, doc.climatik.gpuLimitApplyDelayS);
  const meter = capper === undefined ? undefined : new CapMeter(scenario.capping, topology);
  const room = new Room(topology, doc.room);
  const series = new SeriesRecorder(topology.racks.length, doc.sampleIntervalS);
  const stepS = doc.stepS;
  const steps = Math.max(1, Math.ceil(scenario.durationS / stepS));
  const rackCount = topology.racks.length;
  const replicaPowerW = services.map((s) => expectedReplicaPowerW(scenario, s.spec.gpusPerReplica));

  let telemetry: TelemetryView = { sampledAtS: 0, rackPowerW: idleRackPowerW(cluster, gpu), boundSinceSampleW: {} };
  // The extender's ledger: pods bound since the last sample count at their expected power. With
  // ledgerUntilReady, a pod also counts until it is serving (a model loading for 90 s draws idle power,
  // so the sample right after its bind does not show what it will draw).
  const ledgerEntries: { rackId: string; powerW: number; replica: Replica }[] = [];
  const ledger: Record<string, number> = {};
  const rebuildLedger = (): void => {
    for (const id of Object.keys(ledger)) delete ledger[id];
    for (const e of ledgerEntries) ledger[e.rackId] = (ledger[e.rackId] ?? 0) + e.powerW;
  };
  const place = (nowS: number, svcIndex: number, warm: boolean): boolean => {
    const svc = services[svcIndex] as ServiceRuntime;
    const request: PlacementRequest = { service: svc.spec.name, pod: svc.pod, expectedPowerW: replicaPowerW[svcIndex] as number };
    const node = policy.place({ nowS, topology, cluster, telemetry: { ...telemetry, boundSinceSampleW: ledger } }, request);
    if (node === undefined) return false;
    const replica = svc.createReplica(nowS, node.name, node.rackId, warm);
    node.allocate(replica, svc.pod);
    ledgerEntries.push({ rackId: node.rackId, powerW: request.expectedPowerW, replica });
    ledger[node.rackId] = (ledger[node.rackId] ?? 0) + request.expectedPowerW;
    return true;
  };

  // Warm start: the initial replicas are placed by the policy and serving at t = 0.
  if (climatik !== undefined) climatik.refreshPlan(topology, telemetry, replicaPowerW[0] ?? 0);
  services.forEach((s, i) => {
    for (let k = 0; k < (s.spec.initialReplicas ?? s.spec.autoscaler.minReplicas); k += 1) if (!place(0, i, true)) s.pendingPods += 1;
  });

  let itEnergy = 0;
  let coolingEnergy = 0;
  let budgetViolationS = 0;
  let redlineViolationS = 0;
  let peakInletC = Number.NEGATIVE_INFINITY;
  let supplySum = 0;
  let allocSum = 0;
  let pendingPodS = 0;
  let worstExcessW = 0;
  let lastSampleS = Number.NEGATIVE_INFINITY;
  const itPowerAtSampleW: number[] = [];
  const sampleTimesS: number[] = [];
  const rackW = new Float64Array(rackCount);
  const totalGpus = cluster.totalGpus;
  const scrapeS = doc.telemetry.scrapeIntervalS;

  for (let k = 0; k < steps; k += 1) {
    const t = k * stepS;
    const dt = Math.min(stepS, scenario.durationS - t);
    if (dt <= 0) break;
    capper?.applyDue(t);
    for (const s of services) s.admit(t, t + dt);
    let tokensBefore = 0;
    for (const s of services) tokensBefore += s.sink.tokensServed;
    for (const s of services) for (const r of s.replicas) r.advance(t, dt, s.sink);
    for (const s of services) {
      for (const gone of s.reapDrained()) cluster.byName.get(gone.nodeName)?.release(gone, s.pod);
    }
    let tokensAfter = 0;
    for (const s of services) tokensAfter += s.sink.tokensServed;

    rackW.fill(0);
    for (const n of cluster.nodes) rackW[n.rackIndex] = (rackW[n.rackIndex] as number) + n.powerW(gpu);
    const rackPowerW: Record<string, number> = {};
    let itW = 0;
    let overBudget = false;
    topology.racks.forEach((rack, i) => {
      const w = rackW[i] as number;
      rackPowerW[rack.id] = w;
      itW += w;
      if (w > rack.powerBudgetW) {
        overBudget = true;
        worstExcessW = Math.max(worstExcessW, w - rack.powerBudgetW);
      }
    });
    const air = room.step(rackPowerW, itW, dt);
    itEnergy += energyKWh(itW, dt * 1000);
    coolingEnergy += energyKWh(air.coolingPowerW, dt * 1000);
    if (overBudget) budgetViolationS += dt;
    if (air.redlineExceeded) redlineViolationS += dt;
    peakInletC = Math.max(peakInletC, air.peakInletAtDesignC);
    supplySum += air.supplyC * dt;
    allocSum += (cluster.gpusAllocated / totalGpus) * dt;
    for (const s of services) pendingPodS += s.pendingPods * dt;
    series.add(t, dt, air, rackW, itW, tokensAfter - tokensBefore);
    meter?.add(rackW, dt);

    const nowS = t + dt;
    if (nowS - lastSampleS >= scrapeS) {
      lastSampleS = nowS;
      telemetry = { sampledAtS: nowS, rackPowerW, boundSinceSampleW: {} };
      const keep = doc.climatik.ledgerUntilReady ? ledgerEntries.filter((e) => e.replica.phase === 'starting') : [];
      ledgerEntries.splice(0, ledgerEntries.length, ...keep);
      rebuildLedger();
      itPowerAtSampleW.push(itW);
      sampleTimesS.push(nowS);
      if (capper !== undefined) {
        capper.observe(nowS, rackPowerW);
        capper.reconcile(nowS, snapshotOf(nowS, rackPowerW, services));
      }
      if (climatik !== undefined) {
        const pending = services.reduce((n, s) => n + s.pendingPods, 0);
        climatik.refreshPlan(topology, telemetry, Math.max(1, pending) * (replicaPowerW[0] ?? 0));
      }
    }
    services.forEach((s, i) => {
      const desired = s.autoscaler.poll(nowS, s.concurrency, s.activeCount + s.pendingPods);
      if (desired !== undefined) s.scaleTo(desired, (reqs) => s.requeue(reqs));
      while (s.pendingPods > 0 && place(nowS, i, false)) s.pendingPods -= 1;
    });
    if (onProgress !== undefined && k % 200 === 0) onProgress(k / steps);
  }
  onProgress?.(1);

  const sinks = services.map((s) => s.sink);
  const tokensServed = sinks.reduce((a, s) => a + s.tokensServed, 0);
  const tokensDemanded = services.reduce((a, s) => a + s.tokensDemanded, 0);
  const durationS = scenario.durationS;
  const servedPercent = tokensDemanded > 0 ? (tokensServed / tokensDemanded) * 100 : 100;
  const p99TtftS = round(worstQuantile(sinks.map((s) => s.ttftS), 0.99), 4);
  return {
    name,
    ...(capper === undefined || meter === undefined
      ? {}
      : {
          capping: {
            mode: scenario.capping.mode,
            guardedRacks: meter.guardedRackCount,
            side: meter.side(servedPercent),
            recommendations: capper.recommendations.recommendations,
            taken: capper.recommendations.taken,
            p99TtftS,
          },
        }),
    metrics: {
      peakInletC: round(peakInletC, 3),
      coolingEnergyKWh: round(coolingEnergy, 3),
      itEnergyKWh: round(itEnergy, 3),
      budgetViolationSeconds: round(budgetViolationS, 3),
      redlineViolationSeconds: round(redlineViolationS, 3),
      tokensServed: Math.round(tokensServed),
      tokensDemanded,
      p99TtftS,
      p99TpotS: round(worstQuantile(sinks.map((s) => s.tpotS), 0.99), 4),
    },
    extras: {
      meanGpuAllocation: round(allocSum / durationS, 4),
      meanSupplyC: round(supplySum / durationS, 3),
      meanItPowerW: round((itEnergy * 3.6e6) / durationS, 1),
      requestsCompleted: sinks.reduce((a, s) => a + s.tpotS.count, 0),
      pendingPodSeconds: round(pendingPodS, 1),
      placementRejections: climatik?.rejections ?? 0,
      gpuLimitChanges: capper?.counts.gpuLimitChanges ?? 0,
      replicaCeilingChanges: capper?.counts.replicaCeilingChanges ?? 0,
      worstBudgetExcessW: round(worstExcessW, 1),
    },
    series: series.result(),
    itPowerAtSampleW,
    sampleTimesS,
  };
}

/** Rack power with every GPU idle: what telemetry reads before any replica runs. */
export function idleRackPowerW(cluster: Cluster, gpu: GpuPowerSpec): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of cluster.nodes) out[n.rackId] = (out[n.rackId] ?? 0) + n.hw.hostIdleW + n.hw.gpus * gpu.idleW;
  return out;
}

function snapshotOf(
  nowS: number,
  rackPowerW: Readonly<Record<string, number>>,
  services: readonly ServiceRuntime[],
): PowerSnapshot {
  const timeMs = nowS * 1000;
  const sampled = (value: number) => ({ value, sampleTimeMs: timeMs, stale: false });
  const podPowerW: Record<string, ReturnType<typeof sampled>> = {};
  for (const s of services) for (const r of s.replicas) podPowerW[`${s.spec.namespace}/${r.id}`] = sampled(r.gpuPowerW * r.gpus);
  return {
    takenAtMs: timeMs,
    rackPowerW: Object.fromEntries(Object.entries(rackPowerW).map(([id, w]) => [id, sampled(w)])),
    podPowerW,
  };
}

/** With several services, the worst service's tail is the honest single number. */
function worstQuantile(logs: readonly { quantile(q: number): number; count: number }[], q: number): number {
  return Math.max(0, ...logs.filter((l) => l.count > 0).map((l) => l.quantile(q)));
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
