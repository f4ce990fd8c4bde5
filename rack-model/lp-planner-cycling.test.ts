// Regression: on the default two-row room with 20 kW budgets, javascript-lp-solver's phase 1 cycled
// forever (a period-6 loop of pivots that its stall detector never noticed) and `lpPlanner.plan`
// never returned. The solve runs in a worker with a deadline so a hang fails the test instead of
// hanging tap.
import t from 'tap';
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { readDocument } from '../common/index.js';
import { greedyPlanner } from './greedy-planner.js';
import { loadHighs, optimalPeakRiseC } from './testing/highs-reference.js';
import { planInWorker, type WorkerOutcome } from './testing/plan-in-worker.js';
import { parseTopology } from './topology.js';

const DEADLINE_MS = 20_000;

const doc = structuredClone(await readDocument(fileURLToPath(new URL('../data/topologies/two-rows-16.yaml', import.meta.url)))) as {
  racks: { powerBudgetW: number }[];
};
for (const rack of doc.racks) rack.powerBudgetW = 20000;
const topology = parseTopology(doc, 'two-rows-16 at 20 kW');

type RackId = keyof typeof rackPowerW;

// Measured rack powers (non-integer watts from the simulator) that made the solver cycle.
const rackPowerW = {
  a1: 13439.361438530872, a2: 12271.799614122592, a3: 13472.881238075635, a4: 11900,
  a5: 10275, a6: 11717.394029716339, a7: 12150, a8: 13783.569005324734,
  b1: 13231.138800850711, b2: 13253.775467264502, b3: 11971.990571555374, b4: 10900,
  b5: 11900, b6: 13323.539204600922, b7: 13045.548933377944, b8: 13211.738750877663,
};
const demandW = 2800;

function planOf(outcome: WorkerOutcome | undefined): Extract<WorkerOutcome, { result: unknown }>['result'] {
  if (outcome === undefined || 'error' in outcome) throw new Error(`planner failed: ${outcome === undefined ? 'no outcome' : outcome.error}`);
  return outcome.result;
}

await t.test('two-row room at 20 kW budgets: the LP returns a valid plan no worse than greedy', async (t) => {
  const cases = [{ topologyDoc: doc, rackPowerW, demandW }];
  const [lp, greedy] = await Promise.all([planInWorker('lp', cases, DEADLINE_MS), planInWorker('greedy', cases, DEADLINE_MS)]);
  const lpPlan = planOf(lp[0]);
  const greedyPlan = planOf(greedy[0]);
  t.equal(lpPlan.feasible, true, 'feasible: 16 racks have ~113 kW of headroom for 2.8 kW');
  const total = Object.values(lpPlan.allocationW).reduce((a, b) => a + b, 0);
  t.ok(Math.abs(total - demandW) <= 1e-6 * demandW, `allocation sums to the demand (${total} W)`);
  for (const rack of topology.racks) {
    const x = lpPlan.allocationW[rack.id] ?? Number.NaN;
    t.ok(x >= 0 && (rackPowerW[rack.id as RackId] ?? 0) + x <= rack.powerBudgetW + 1e-6, `${rack.id} gets ${x} W within budget`);
  }
  t.ok(lpPlan.peakInletC <= greedyPlan.peakInletC + 1e-9, `LP peak ${lpPlan.peakInletC} °C <= greedy ${greedyPlan.peakInletC} °C`);
});

// The old formulation cycled on most inputs within ±0.05 % of the field case (16 of 20 when tried),
// so its neighbourhood is where a regression would show first. Each plan must also be optimal.
await t.test('near the field case: every perturbed plan returns and matches the HiGHS optimum', async (t) => {
  const perturbations = fc.sample(
    fc.record({
      powerFactors: fc.array(fc.double({ min: 0.9995, max: 1.0005, noNaN: true }), { minLength: 16, maxLength: 16 }),
      demandFactor: fc.double({ min: 0.9995, max: 1.0005, noNaN: true }),
    }),
    { seed: 2800, numRuns: 20 },
  );
  const ids = Object.keys(rackPowerW) as RackId[];
  const cases = perturbations.map((p) => ({
    topologyDoc: doc,
    rackPowerW: Object.fromEntries(ids.map((id, i) => [id, rackPowerW[id] * (p.powerFactors[i] ?? 1)])),
    demandW: demandW * p.demandFactor,
  }));
  const outcomes = await planInWorker('lp', cases, DEADLINE_MS);
  const highs = await loadHighs();
  for (const [i, c] of cases.entries()) {
    const plan = planOf(outcomes[i]);
    const request = { topology, rackPowerW: c.rackPowerW, demandW: c.demandW };
    const optimumC = optimalPeakRiseC(highs, request) + topology.supplyTemperatureC;
    t.ok(Math.abs(plan.peakInletC - optimumC) <= 1e-6, `case ${i}: LP ${plan.peakInletC} °C = HiGHS optimum ${optimumC} °C`);
    t.ok(plan.peakInletC <= greedyPlanner.plan(request).peakInletC + 1e-6, `case ${i}: LP no worse than greedy`);
  }
});
