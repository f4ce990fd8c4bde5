// Seeded property test on realistic, badly scaled inputs (the kind that made javascript-lp-solver
// cycle, see lp-planner-cycling.test.ts): 16–64 racks, generated row layouts and measured dense
// matrices, racks at 50–70 % of 20–30 kW budgets with non-integer watts, demands of 700–5600 W.
// The LP runs in a worker with a per-case deadline, so a solve that never returns fails the test.
// Each LP plan must be valid, no worse than greedy, and as good as HiGHS's optimum of the same LP.
import t from 'tap';
import fc from 'fast-check';
import { greedyPlanner } from './greedy-planner.js';
import { loadHighs, optimalPeakRiseC } from './testing/highs-reference.js';
import { planInWorker, type WorkerCase } from './testing/plan-in-worker.js';
import { parseTopology } from './topology.js';
import type { PlanResult, Topology } from './types.js';

const CASE_DEADLINE_MS = 20_000;
const RACKS_PER_ROW = 8;

const caseArb = fc.integer({ min: 16, max: 64 }).chain((n) =>
  fc.record({
    layout: fc.constantFrom('generated' as const, 'measured' as const),
    budgetsW: fc.array(fc.integer({ min: 200, max: 300 }).map((h) => h * 100), { minLength: n, maxLength: n }),
    loadFraction: fc.array(fc.double({ min: 0.5, max: 0.7, noNaN: true }), { minLength: n, maxLength: n }),
    // Measured matrices: self term and the total the other racks add, in °C/kW, per inlet row.
    selfCPerKW: fc.array(fc.double({ min: 0.1, max: 0.35, noNaN: true }), { minLength: n, maxLength: n }),
    crossWeights: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n * n, maxLength: n * n }),
    demandW: fc.double({ min: 700, max: 5600, noNaN: true }),
  }),
);

function floorDocument(c: { layout: 'generated' | 'measured'; budgetsW: number[]; selfCPerKW: number[]; crossWeights: number[] }): unknown {
  const n = c.budgetsW.length;
  const rows = Math.ceil(n / RACKS_PER_ROW);
  const racks = c.budgetsW.map((b, i) => ({
    id: `r${String(i).padStart(2, '0')}`,
    powerBudgetW: b,
    row: `row${Math.floor(i / RACKS_PER_ROW)}`,
    position: i % RACKS_PER_ROW,
  }));
  // Rows face each other in pairs across a hot aisle: (0, 1), (2, 3), …; an odd last row stands alone.
  const hotAislePairs = Array.from({ length: Math.floor(rows / 2) }, (_, k) => [`row${2 * k}`, `row${2 * k + 1}`]);
  const matrixCPerKW = racks.map((_, i) => racks.map((_, j) => (i === j ? (c.selfCPerKW[i] ?? 0) : ((c.crossWeights[i * n + j] ?? 0) * 0.5) / n)));
  return {
    apiVersion: 'climatik.io/v1alpha1',
    kind: 'RackTopology',
    supplyTemperatureC: 15,
    redlineInletC: 27,
    racks,
    heatRecirculation: c.layout === 'generated' ? { generated: { model: 'row-layout', hotAislePairs } } : { matrixCPerKW },
  };
}

function planProblem(topo: Topology, rackPowerW: Record<string, number>, demandW: number, plan: PlanResult): string | undefined {
  if (!plan.feasible) return `infeasible: ${plan.reason}`;
  const total = Object.values(plan.allocationW).reduce((a, b) => a + b, 0);
  if (Math.abs(total - demandW) > 1e-6 * demandW) return `sum ${total} W != demand ${demandW} W`;
  for (const r of topo.racks) {
    const x = plan.allocationW[r.id] ?? Number.NaN;
    if (!(x >= 0) || (rackPowerW[r.id] ?? 0) + x > r.powerBudgetW + 1e-6) return `${r.id} gets ${x} W: negative or over budget`;
  }
  return undefined;
}

await t.test('realistic floors, 16–64 racks: the LP returns, is valid, optimal and never worse than greedy', async (t) => {
  const generated = fc.sample(caseArb, { seed: 20261129, numRuns: 40 });
  const cases: WorkerCase[] = generated.map((c) => {
    const topologyDoc = floorDocument(c);
    const rackPowerW = Object.fromEntries(c.budgetsW.map((b, i) => [`r${String(i).padStart(2, '0')}`, b * (c.loadFraction[i] ?? 0)]));
    return { topologyDoc, rackPowerW, demandW: c.demandW };
  });
  t.ok(cases.some((c) => Object.values(c.rackPowerW).some((w) => !Number.isInteger(w))), 'powers are non-integer watts');
  const outcomes = await planInWorker('lp', cases, CASE_DEADLINE_MS);
  const highs = await loadHighs();
  const layouts = new Set<string>();
  for (const [i, c] of cases.entries()) {
    const outcome = outcomes[i];
    const topo = parseTopology(c.topologyDoc, `case ${i}`);
    layouts.add(topo.matrixSource);
    const request = { topology: topo, rackPowerW: c.rackPowerW, demandW: c.demandW };
    const label = `case ${i}: ${topo.racks.length} racks, ${topo.matrixSource}, demand ${c.demandW.toFixed(1)} W`;
    if (outcome === undefined || 'error' in outcome) {
      t.fail(`${label}: LP threw ${outcome === undefined ? 'nothing' : outcome.error}`);
      continue;
    }
    const lp = outcome.result;
    const problem = planProblem(topo, c.rackPowerW as Record<string, number>, c.demandW, lp);
    if (problem !== undefined) {
      t.fail(`${label}: ${problem}`);
      continue;
    }
    const greedy = greedyPlanner.plan(request);
    const optimumC = optimalPeakRiseC(highs, request) + topo.supplyTemperatureC;
    t.ok(lp.peakInletC <= greedy.peakInletC + 1e-6, `${label}: LP ${lp.peakInletC} °C <= greedy ${greedy.peakInletC} °C`);
    t.ok(Math.abs(lp.peakInletC - optimumC) <= 1e-6, `${label}: LP ${lp.peakInletC} °C = HiGHS optimum ${optimumC} °C`);
  }
  t.same([...layouts].sort(), ['generated', 'measured'], 'both matrix sources exercised');
});
