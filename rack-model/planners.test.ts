import t from 'tap';
import { plannerConformance } from './planner-conformance.js';
import { greedyPlanner } from './greedy-planner.js';
import { lpPlanner } from './lp-planner.js';
import { planners } from './planners.js';

await t.test('lp planner conformance', async (t) => plannerConformance(t, lpPlanner, { optimalityToleranceC: 0 }));

// Greedy places ΔP/100 per step; on these cases one step moves a rise by at most 0.3 °C/kW × 0.2 kW.
await t.test('greedy planner conformance', async (t) => plannerConformance(t, greedyPlanner, { optimalityToleranceC: 0.06 }));

await t.test('planners are registered by the names the CLI accepts', async (t) => {
  t.equal(planners.lp, lpPlanner);
  t.equal(planners.greedy, greedyPlanner);
  t.equal(planners.lp.name, 'lp');
  t.equal(planners.greedy.name, 'greedy');
});
