import fc from 'fast-check';
import t from 'tap';
import type { PlanResult, Topology } from '../../rack-model/types.js';
import { fourRackTopology, topologyFrom } from '../testing/fixtures.js';
import {
  DEFAULT_POD_POWER_CONFIG,
  MAX_SCORE,
  NEUTRAL_SCORE,
  estimatePodPower,
  expectedPodPowerW,
  filterCandidates,
  normaliseScores,
  quantity,
  rawScores,
  scoreCandidates,
  wholeLoadPlanRequest,
  type Candidate,
  type PlacementState,
  type PodLike,
  type RawScore,
} from './index.js';

const MATRIX = [
  [0.3, 0.1, 0.02, 0.02],
  [0.1, 0.3, 0.1, 0.02],
  [0.02, 0.1, 0.3, 0.1],
  [0.02, 0.02, 0.1, 0.3],
];

/** The fixture's row with chosen temperatures and budgets (nodes n1..n4, one per rack). */
function row(supplyC: number, redlineC: number, budgetW = 10_000): Topology {
  return topologyFrom({
    apiVersion: 'climatik.io/v1alpha1',
    kind: 'RackTopology',
    supplyTemperatureC: supplyC,
    redlineInletC: redlineC,
    racks: [1, 2, 3, 4].map((i) => ({ id: `r${i}`, powerBudgetW: budgetW, nodes: [`n${i}`] })),
    heatRecirculation: { matrixCPerKW: MATRIX },
  });
}

function state(topology: Topology, rackPowerW: Record<string, number>, extra: Partial<PlacementState> = {}): PlacementState {
  return { topology, rackPowerW, plan: undefined, staleRacks: new Set(), ...extra };
}

const nodes = (...racks: (string | undefined)[]): Candidate[] => racks.map((rackId, i) => ({ nodeName: `node-${i}-${rackId ?? 'none'}`, rackId }));
const gpus = (n: number, extra: { annotations?: Record<string, string>; nodeSelector?: Record<string, string> } = {}): PodLike => ({
  metadata: { name: 'p', ...(extra.annotations === undefined ? {} : { annotations: extra.annotations }) },
  spec: { ...(extra.nodeSelector === undefined ? {} : { nodeSelector: extra.nodeSelector }), containers: [{ resources: { limits: { 'nvidia.com/gpu': String(n) } } }] },
});

void t.test('pod power: annotation, then GPUs × W per GPU (by model), then CPU default', async (t) => {
  const cfg = { ...DEFAULT_POD_POWER_CONFIG, wattsPerGpuByModel: { 'NVIDIA-A100-SXM4-40GB': 400 } };
  const cpuPod = (cpu: string): PodLike => ({ spec: { containers: [{ resources: { requests: { cpu } } }] } });
  const cases: [string, PodLike, Record<string, string> | undefined, number, string][] = [
    ['annotation wins over GPUs', gpus(2, { annotations: { 'climatik.io/expected-power-watts': '1200' } }), undefined, 1200, 'annotation'],
    ['two GPUs in limits only', gpus(2), undefined, 1400, 'gpu'],
    ['GPU model from the pod nodeSelector', gpus(2, { nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB' } }), undefined, 800, 'gpu'],
    ['GPU model from the node label at bind', gpus(1), { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB' }, 400, 'gpu'],
    ['unknown GPU model uses the default', gpus(1, { nodeSelector: { 'nvidia.com/gpu.product': 'Tesla-T4' } }), undefined, 700, 'gpu'],
    ['8 CPU cores', cpuPod('8'), undefined, 96, 'cpu'],
    ['half a core is floored at the minimum', cpuPod('500m'), undefined, 50, 'cpu'],
    ['no resources at all', {}, undefined, 50, 'cpu'],
    [
      'init container needing more GPUs than the app containers',
      { spec: { initContainers: [{ resources: { requests: { 'nvidia.com/gpu': 4 } } }], containers: [{ resources: { requests: { 'nvidia.com/gpu': '1' } } }] } },
      undefined,
      2800,
      'gpu',
    ],
  ];
  for (const [name, pod, labels, want, source] of cases) {
    const e = estimatePodPower(pod, cfg, labels);
    t.equal(e.powerW, want, name);
    t.equal(e.source, source, `${name}: source`);
    t.equal(expectedPodPowerW(pod, cfg, labels), want);
  }
});

void t.test('pod power: an unparsable or negative annotation is reported and skipped', async (t) => {
  for (const bad of ['abc', '-5', '', 'NaN']) {
    const e = estimatePodPower(gpus(1, { annotations: { 'climatik.io/expected-power-watts': bad } }), DEFAULT_POD_POWER_CONFIG);
    t.equal(e.source, 'gpu', bad);
    t.equal(e.powerW, 700);
    t.match(e.issues[0], { path: '/metadata/annotations/climatik.io~1expected-power-watts', value: bad });
  }
});

void t.test('quantities', async (t) => {
  const cases: [unknown, number][] = [['2', 2], ['500m', 0.5], ['1.5', 1.5], [3, 3], ['1k', 1000], ['x', 0], [-1, 0], [null, 0], ['2Gi', 0]];
  for (const [q, want] of cases) t.equal(quantity(q), want, String(q));
});

void t.test('filter: hot rack over its power budget fails with rack, limit and projected value', async (t) => {
  const s = state(fourRackTopology(), { r1: 9500, r2: 5000, r3: 5000, r4: 5000 });
  const r = filterCandidates(s, nodes('r1', 'r2'), 700);
  t.same(r.passed, ['node-1-r2']);
  t.equal(r.failed['node-0-r1'], 'rack r1: power 9500 W current + 700 W pod = 10200 W exceeds budget 10000 W');
  t.equal(r.rejectedBy['node-0-r1'], 'power-budget');
  t.same(r.unresolvable, {});
});

void t.test('filter: pods bound since the last sample count against the budget (burst of binds)', async (t) => {
  const s = state(fourRackTopology(), { r1: 9400, r2: 5000, r3: 5000, r4: 5000 }, { boundSinceSampleW: { r1: 1400 } });
  const r = filterCandidates(s, nodes('r1'), 700);
  t.equal(r.failed['node-0-r1'], 'rack r1: power 8000 W measured + 1400 W bound, not yet drawing + 700 W pod = 10100 W exceeds budget 10000 W');
});

void t.test('filter: exactly at the budget still passes', async (t) => {
  const r = filterCandidates(state(fourRackTopology(), { r1: 9300 }), nodes('r1'), 700);
  t.same(r.passed, ['node-0-r1']);
});

void t.test('filter: a pod larger than the whole rack budget is unresolvable', async (t) => {
  const r = filterCandidates(state(fourRackTopology(), {}), nodes('r2'), 12_000);
  t.match(r.unresolvable['node-0-r2'], /rack r2: power 0 W current \+ 12000 W pod = 12000 W exceeds budget 10000 W/);
  t.same(r.failed, {});
});

void t.test('filter: stale rack at its nameplate says so in the reason', async (t) => {
  const s = state(fourRackTopology(), { r1: 12_000 }, { staleRacks: new Set(['r1']) });
  t.match(filterCandidates(s, nodes('r1'), 700).failed['node-0-r1'], /fallback estimate: telemetry stale/);
});

void t.test('filter: red line', async (t) => {
  // supply 22 °C; inlets before the pod: r1 24.34, r2 25.0, r3 25.9, r4 25.7 °C (D·P by hand).
  const powers = { r1: 5000, r2: 5000, r3: 8000, r4: 9000 };
  const cases: [string, number, string, RegExp | null][] = [
    ['own inlet passes the line', 25.95, 'r3', /rack r3: 700 W here raises rack r3's own inlet to 26\.11 °C, above the red line 25\.95 °C/],
    ['a neighbour\'s inlet passes the line', 25.95, 'r2', /rack r2: 700 W here raises rack r3's inlet to 25\.97 °C, above the red line 25\.95 °C/],
    ['far rack barely warms the hot one', 25.95, 'r1', null],
    ['already over the line everywhere', 25.8, 'r1', /raises rack r3's inlet to 25\.91 °C, above the red line 25\.80 °C/],
  ];
  for (const [name, redlineC, rack, want] of cases) {
    const r = filterCandidates(state(row(22, redlineC), powers), nodes(rack), 700);
    if (want === null) {
      t.same(r.passed, [`node-0-${rack}`], name);
    } else {
      t.match(r.failed[`node-0-${rack}`], want, name);
      t.equal(r.rejectedBy[`node-0-${rack}`], 'redline', name);
    }
  }
});

void t.test('filter: a rack over the red line blocks only placements that warm it', async (t) => {
  // r4 alone at 11 kW: its inlet is 22 + 0.3 × 11 = 25.3 °C > 25 °C. A 300 W pod on r1 warms r4 by
  // 0.02 × 0.3 = 0.006 °C (negligible); on r3 by 0.1 × 0.3 = 0.03 °C.
  const s = state(row(22, 25), { r4: 11_000 });
  const r = filterCandidates(s, nodes('r1', 'r3'), 300);
  t.same(r.passed, ['node-0-r1']);
  t.match(r.failed['node-1-r3'], /rack r3: 300 W here raises rack r4's inlet to 25\.33 °C, above the red line 25\.00 °C/);
});

void t.test('filter: a pod whose heat alone passes the red line is unresolvable', async (t) => {
  // Budget high enough that only the red line binds: 22 + 0.3 × 20 kW = 28 °C > 26 °C.
  const r = filterCandidates(state(row(22, 26, 50_000), {}), nodes('r2'), 20_000);
  t.match(r.unresolvable['node-0-r2'], /rack r2: 20000 W here raises rack r2's own inlet to 28\.00 °C/);
});

void t.test('filter: predicates run in order, power budget before red line', async (t) => {
  const r = filterCandidates(state(row(22, 25.95), { r1: 5000, r2: 5000, r3: 9500, r4: 9000 }), nodes('r3'), 700);
  t.equal(r.rejectedBy['node-0-r3'], 'power-budget');
});

void t.test('filter: unknown nodes follow the policy', async (t) => {
  const s = state(fourRackTopology(), {});
  const allow = filterCandidates(s, nodes(undefined, 'r9'), 700);
  t.same(allow.passed, ['node-0-none', 'node-1-r9']);
  const deny = filterCandidates(s, nodes(undefined, 'r9'), 700, { unknownNode: 'deny' });
  t.same(deny.passed, []);
  t.match(deny.unresolvable, { 'node-0-none': /node is in no rack/, 'node-1-r9': /rack r9 is not in the topology/ });
  t.equal(deny.rejectedBy['node-0-none'], 'unknown-node');
});

const feasiblePlan = (allocationW: Record<string, number>): PlanResult => ({
  feasible: true,
  planner: 'test',
  allocationW,
  peakInletC: 21,
  maxSupplyTemperatureC: 24,
  coolingPowerW: 4000,
});

void t.test('prioritize: racks furthest below their share of the whole-load plan score higher', async (t) => {
  // r2 and r3 mirror each other in the fixture, so only the plan tells them apart.
  const base = state(fourRackTopology(), { r1: 5000, r2: 5000, r3: 5000, r4: 5000 });
  const without = scoreCandidates(base, nodes('r2', 'r3'), 700);
  t.equal(without[0]?.score, without[1]?.score, 'symmetric racks tie without a plan');
  // The plan lays out the whole 20.7 kW: r3 should carry 1400 W more than it does, r2 only 100 W.
  const withPlan = scoreCandidates({ ...base, plan: feasiblePlan({ r1: 4600, r2: 5100, r3: 6400, r4: 4600 }) }, nodes('r2', 'r3'), 700);
  t.ok((withPlan[1]?.score ?? 0) > (withPlan[0]?.score ?? 0), `r3 ${withPlan[1]?.score} > r2 ${withPlan[0]?.score}`);
  // A rack already above its share has no deficit: the plan gives it nothing, not a negative pull.
  const over = rawScores({ ...base, plan: feasiblePlan({ r1: 4000, r2: 5100, r3: 6400, r4: 4600 }) }, nodes('r1', 'r2', 'r3'), 700);
  t.same(over.map((r) => r.planDeficitW), [0, 100, 1400]);
});

void t.test('plan request: the whole load, current power plus pending, nothing fixed in place', async (t) => {
  const topology = fourRackTopology();
  t.same(wholeLoadPlanRequest(topology, { r1: 9000, r2: 2000, r3: 5000, r4: 5000 }, 1400), { topology, rackPowerW: {}, demandW: 22_400 });
  t.equal(wholeLoadPlanRequest(topology, { r1: Number.NaN, r2: -5, r9: 7000 }, -1).demandW, 0, 'garbage and unknown racks add nothing');
});

void t.test('prioritize: an infeasible plan is ignored rather than trusted', async (t) => {
  const base = state(fourRackTopology(), { r1: 5000, r2: 5000, r3: 5000, r4: 5000 });
  const plan: PlanResult = { ...feasiblePlan({ r3: 1400 }), feasible: false, reason: 'no room' };
  t.same(scoreCandidates({ ...base, plan }, nodes('r2', 'r3'), 700), scoreCandidates(base, nodes('r2', 'r3'), 700));
});

void t.test('prioritize: more headroom scores higher; stale data scores 0; unknown is neutral or 0', async (t) => {
  const s = state(fourRackTopology(), { r1: 9000, r2: 1000, r3: 5000, r4: 5000 }, { staleRacks: new Set(['r4']) });
  const [busy, idle, stale, unknown] = scoreCandidates(s, nodes('r1', 'r2', 'r4', undefined), 700);
  t.ok((idle?.score ?? 0) > (busy?.score ?? 0), 'idle rack beats busy rack');
  t.equal(stale?.score, 0, 'stale rack');
  t.equal(unknown?.score, NEUTRAL_SCORE, 'unknown node, policy allow');
  t.equal(scoreCandidates(s, nodes(undefined), 700, { unknownNode: 'deny' })[0]?.score, 0, 'unknown node, policy deny');
});

void t.test('prioritize: raw scores are physical units, normalised separately', async (t) => {
  const s = state(fourRackTopology(), { r1: 5000, r2: 5000, r3: 5000, r4: 5000 }, { plan: feasiblePlan({ r2: 5700 }) });
  const [raw] = rawScores(s, nodes('r2'), 700);
  t.equal(raw?.headroomW, 4300);
  t.equal(raw?.budgetW, 10_000);
  t.equal(Number(raw?.inletMarginC.toFixed(2)), 6.19); // 27 − (20.6 + 0.3 × 0.7) at r2 itself
  t.equal(raw?.planDeficitW, 700, 'the plan wants 5.7 kW on r2, which draws 5 kW');
  const best: RawScore = { host: 'a', status: 'ok', headroomW: 10_000, budgetW: 10_000, inletMarginC: 9, planDeficitW: 700 };
  const worst: RawScore = { host: 'b', status: 'ok', headroomW: -500, budgetW: 10_000, inletMarginC: -1, planDeficitW: 0 };
  t.same(normaliseScores([best, worst], s), [{ host: 'a', score: MAX_SCORE }, { host: 'b', score: 0 }]);
  const nan: RawScore = { ...best, budgetW: 0, headroomW: 0 };
  t.ok(Number.isInteger(normaliseScores([nan], s)[0]?.score), 'degenerate budget still gives an integer');
});

void t.test('prioritize: any powers give integer scores within 0..10 (property)', async (t) => {
  const topology = fourRackTopology();
  const watts = fc.double({ min: 0, max: 30_000, noNaN: true });
  fc.assert(
    fc.property(fc.tuple(watts, watts, watts, watts), fc.double({ min: 0, max: 20_000, noNaN: true }), fc.boolean(), ([a, b, c, d], podW, withPlan) => {
      const s = state(topology, { r1: a, r2: b, r3: c, r4: d }, withPlan ? { plan: feasiblePlan({ r1: a, r2: 0, r3: c }) } : {});
      for (const { score } of scoreCandidates(s, nodes('r1', 'r2', 'r3', 'r4', undefined), podW)) {
        if (!Number.isInteger(score) || score < 0 || score > MAX_SCORE) return false;
      }
      return true;
    }),
    { numRuns: 500 },
  );
  t.pass('property held');
});
