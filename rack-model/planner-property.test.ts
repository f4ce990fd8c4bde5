// Seeded property test over random topologies: the LP is never worse than the greedy baseline, and
// both always return real plans (sum = demand, within budgets) or agree that the demand cannot fit.
import t from 'tap';
import fc from 'fast-check';
import { greedyPlanner } from './greedy-planner.js';
import { lpPlanner } from './lp-planner.js';
import { testTopology } from './planner-conformance.js';
import { thermalSummary } from './thermal.js';
import type { PlanResult, Topology } from './types.js';

const caseArb = fc.integer({ min: 2, max: 8 }).chain((n) =>
  fc.record({
    matrix: fc.array(fc.array(fc.double({ min: 0, max: 0.5, noNaN: true }), { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
    budgetsW: fc.array(fc.integer({ min: 5000, max: 40000 }), { minLength: n, maxLength: n }),
    // Fraction of the budget in use now; above 1 means the rack is already over budget.
    loadFraction: fc.array(fc.double({ min: 0, max: 1.1, noNaN: true }), { minLength: n, maxLength: n }),
    // Fraction of the total headroom requested; above 1 must come back infeasible.
    demandFraction: fc.double({ min: 0, max: 1.2, noNaN: true }),
  }),
);

function check(topo: Topology, power: Record<string, number>, demandW: number, result: PlanResult): string | undefined {
  const total = Object.values(result.allocationW).reduce((a, b) => a + b, 0);
  if (!result.feasible) return total === 0 ? undefined : 'infeasible result placed power';
  if (Math.abs(total - demandW) > 1e-6 * Math.max(1, demandW)) return `sum ${total} != demand ${demandW}`;
  for (const r of topo.racks) {
    const x = result.allocationW[r.id] ?? Number.NaN;
    const p = power[r.id] ?? 0;
    if (!(x >= 0)) return `${r.id} negative ${x}`;
    if (p >= r.powerBudgetW ? x !== 0 : p + x > r.powerBudgetW + 1e-6) return `${r.id} over budget: ${p} + ${x} > ${r.powerBudgetW}`;
  }
  return undefined;
}

await t.test('random topologies: LP peak <= greedy peak, both plans valid', async (t) => {
  let feasibleCases = 0;
  let infeasibleCases = 0;
  fc.assert(
    fc.property(caseArb, ({ matrix, budgetsW, loadFraction, demandFraction }) => {
      const topo = testTopology(matrix, budgetsW);
      const power = Object.fromEntries(topo.racks.map((r, i) => [r.id, Math.round(r.powerBudgetW * (loadFraction[i] ?? 0))]));
      const headroomW = topo.racks.reduce((s, r) => s + Math.max(0, r.powerBudgetW - (power[r.id] ?? 0)), 0);
      const demandW = Math.round(headroomW * demandFraction);
      const lp = lpPlanner.plan({ topology: topo, rackPowerW: power, demandW });
      const greedy = greedyPlanner.plan({ topology: topo, rackPowerW: power, demandW });
      const problem = check(topo, power, demandW, lp) ?? check(topo, power, demandW, greedy);
      if (problem !== undefined) throw new Error(problem);
      if (lp.feasible !== greedy.feasible) throw new Error('planners disagree on feasibility');
      if (lp.feasible !== demandW <= headroomW) throw new Error(`feasible=${lp.feasible} but demand ${demandW} vs headroom ${headroomW}`);
      if (!lp.feasible) {
        infeasibleCases++;
        return;
      }
      feasibleCases++;
      if (lp.peakInletC > greedy.peakInletC + 1e-6) throw new Error(`LP peak ${lp.peakInletC} > greedy ${greedy.peakInletC}`);
      // Also never worse than the naive split in proportion to headroom (a third feasible point).
      const naive = Object.fromEntries(
        topo.racks.map((r) => {
          const room = Math.max(0, r.powerBudgetW - (power[r.id] ?? 0));
          return [r.id, (power[r.id] ?? 0) + (headroomW === 0 ? 0 : (demandW * room) / headroomW)];
        }),
      );
      if (lp.peakInletC > thermalSummary(topo, naive).peakInletC + 1e-6) throw new Error('LP worse than the proportional split');
    }),
    { seed: 20260529, numRuns: 300 },
  );
  // The generator must exercise both outcomes, or the property proves little.
  t.ok(feasibleCases > 100, `${feasibleCases} feasible cases`);
  t.ok(infeasibleCases > 10, `${infeasibleCases} infeasible cases`);
});
