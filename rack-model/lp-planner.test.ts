// The LP planner never passes a bad solver answer on: each fault below must become
// CLIMATIK_SOLVER_FAILED. The solver is a parameter, so a fake stands in for javascript-lp-solver.
import t from 'tap';
import { createLpPlanner, lpPlanner, type LpSolve } from './lp-planner.js';
import { createGreedyPlanner } from './greedy-planner.js';
import { testTopology } from './planner-conformance.js';

// The two-rack hand case (see planner-conformance.ts): optimum r01 = 0.2727 kW, r02 = 5.7273 kW,
// peak rise 5.154545 °C = m + s with m = 4.5, so s = 0.654545.
const topology = testTopology([[0.3, 0.1], [0.12, 0.25]], [30000, 30000]);
const request = { topology, rackPowerW: { r01: 12000, r02: 9000 }, demandW: 6000 };
const good = { feasible: true, bounded: true, result: 0.6545454545, x0: 0.2727272727, x1: 5.7272727273 };

await t.test('a faithful fake solver gives the same plan as javascript-lp-solver', async (t) => {
  const fake = createLpPlanner({ solve: () => good }).plan(request);
  const real = lpPlanner.plan(request);
  t.ok(fake.feasible && real.feasible);
  t.ok(Math.abs((fake.allocationW.r01 ?? 0) - (real.allocationW.r01 ?? 0)) < 1e-3);
});

await t.test('solver faults become CLIMATIK_SOLVER_FAILED, never a plan', async (t) => {
  const faults: [string, LpSolve, RegExp][] = [
    ['solver throws', () => { throw new Error('cycling'); }, /threw/],
    ['solver returns nothing', () => undefined, /returned undefined/],
    ['claims infeasible on a feasible LP', () => ({ feasible: false, result: 0 }), /feasible=false/],
    ['claims unbounded', () => ({ ...good, bounded: false }), /bounded=false/],
    ['allocation does not sum to the demand', () => ({ ...good, x1: 4 }), /sums to/],
    ['allocation over the headroom', () => ({ ...good, x0: 20, x1: -14 }), /negative|headroom/],
    ['objective does not match the allocation', () => ({ ...good, result: 0.1 }), /does not match/],
  ];
  for (const [name, solve, message] of faults) {
    t.throws(() => createLpPlanner({ solve }).plan(request), { code: 'CLIMATIK_SOLVER_FAILED', message }, name);
  }
});

await t.test('infeasible demand never reaches the solver', async (t) => {
  let calls = 0;
  const planner = createLpPlanner({ solve: () => { calls++; return good; } });
  const result = planner.plan({ ...request, demandW: 100000 });
  t.equal(result.feasible, false);
  t.equal(calls, 0);
});

await t.test('greedy step count must be a positive integer', async (t) => {
  for (const steps of [0, 1.5, -3]) t.throws(() => createGreedyPlanner({ steps }), { code: 'CLIMATIK_CONFIG_INVALID' });
  const coarse = createGreedyPlanner({ steps: 1 }).plan(request);
  t.ok(coarse.feasible, 'one step puts everything on one rack');
  t.same(Object.values(coarse.allocationW).filter((x) => x > 0).length, 1);
});
