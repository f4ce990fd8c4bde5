// One conformance suite for every Planner (STYLE.md habit 8): the LP and the greedy baseline must
// both pass it. Hand-computed cases are worked out in the comments; `optimalityToleranceC` is how
// far above the true optimum a planner's peak rise may be (0 + float noise for the LP; the greedy
// places the demand in steps, so it can overshoot by about one step's rise).
import type { Test } from 'tap';
import { parseTopology } from './topology.js';
import { coefficientOfPerformance, thermalSummary } from './thermal.js';
import type { Planner, PlanResult, Topology } from './types.js';

export interface ConformanceOptions {
  readonly optimalityToleranceC: number;
}

/** A measured-matrix topology for tests, built through parseTopology like a real one. */
export function testTopology(matrixCPerKW: number[][], budgetsW: number[], opts: { supplyC?: number; redlineC?: number } = {}): Topology {
  return parseTopology(
    {
      apiVersion: 'climatik.io/v1alpha1',
      kind: 'RackTopology',
      supplyTemperatureC: opts.supplyC ?? 18,
      redlineInletC: opts.redlineC ?? 27,
      racks: budgetsW.map((b, i) => ({ id: `r${String(i + 1).padStart(2, '0')}`, powerBudgetW: b })),
      heatRecirculation: { matrixCPerKW },
    },
    'conformance',
  );
}

const sum = (values: Record<string, number>): number => Object.values(values).reduce((a, b) => a + b, 0);

function assertValidPlan(t: Test, topology: Topology, power: Record<string, number>, demandW: number, result: PlanResult): void {
  t.equal(result.feasible, true, 'feasible');
  t.ok(Math.abs(sum(result.allocationW) - demandW) <= 1e-6 * Math.max(1, demandW), `allocations sum to ${demandW} W`);
  for (const rack of topology.racks) {
    const x = result.allocationW[rack.id] ?? Number.NaN;
    const p = power[rack.id] ?? 0;
    t.ok(x >= 0, `${rack.id} allocation ${x} >= 0`);
    if (p >= rack.powerBudgetW) t.equal(x, 0, `${rack.id} at or over budget gets nothing`);
    else t.ok(p + x <= rack.powerBudgetW + 1e-6, `${rack.id} stays within budget (${p + x} <= ${rack.powerBudgetW})`);
  }
  // The reported summary is the thermal model applied to P + x, nothing invented.
  const after = Object.fromEntries(topology.racks.map((r) => [r.id, (power[r.id] ?? 0) + (result.allocationW[r.id] ?? 0)]));
  const want = thermalSummary(topology, after);
  t.ok(Math.abs(result.peakInletC - want.peakInletC) < 1e-9, 'peakInletC matches the thermal model');
  t.ok(Math.abs(result.maxSupplyTemperatureC - want.maxSupplyTemperatureC) < 1e-9, 'maxSupplyTemperatureC matches');
  t.ok(Math.abs(result.coolingPowerW - want.coolingPowerW) < 1e-6, 'coolingPowerW matches');
}

export async function plannerConformance(t: Test, planner: Planner, options: ConformanceOptions): Promise<void> {
  const tol = options.optimalityToleranceC + 1e-9;

  await t.test('two racks: the demand goes mostly to the rack that recirculates less', async (t) => {
    // D = [[0.30, 0.10], [0.12, 0.25]] °C/kW, P = (12, 9) kW, budgets 30 kW, ΔP = 6 kW, supply 18, red line 27.
    // Base rise: r01 = 0.3·12 + 0.1·9 = 4.5; r02 = 0.12·12 + 0.25·9 = 3.69.
    // With a kW on r01 and 6 − a on r02: rise1 = 5.1 + 0.2a (increasing), rise2 = 5.19 − 0.13a (decreasing).
    // The peak is lowest where they cross: 0.33a = 0.09 → a = 0.2727 kW, peak rise 5.154545 °C.
    // Peak inlet 23.154545 °C; highest usable supply 27 − 5.154545 = 21.845455 °C;
    // CoP(21.845455) = 0.0068·21.845455² + 0.0008·21.845455 + 0.458 = 3.720599; cooling 27 kW / 3.720599 = 7256.90 W.
    const topo = testTopology([[0.3, 0.1], [0.12, 0.25]], [30000, 30000]);
    const power = { r01: 12000, r02: 9000 };
    const result = planner.plan({ topology: topo, rackPowerW: power, demandW: 6000 });
    assertValidPlan(t, topo, power, 6000, result);
    t.ok(result.peakInletC <= 23.154545 + 1e-6 + tol, `peak inlet ${result.peakInletC} near the optimum 23.154545`);
    t.ok(result.peakInletC >= 23.154545 - 1e-6, 'no planner beats the optimum');
    if (options.optimalityToleranceC === 0) {
      t.ok(Math.abs((result.allocationW.r01 ?? 0) - 272.727) < 0.01, `r01 gets 272.73 W (got ${result.allocationW.r01})`);
      t.ok(Math.abs(result.maxSupplyTemperatureC - 21.845455) < 1e-5);
      t.ok(Math.abs(result.coolingPowerW - 7256.896) < 0.01, `cooling ${result.coolingPowerW}`);
    }
  });

  await t.test('three racks in a row: a budget binds on the cool end rack', async (t) => {
    // D = [[0.2, 0.1, 0], [0.1, 0.2, 0.1], [0, 0.1, 0.2]], all racks empty, budgets (8, 10, 12) kW, ΔP = 20 kW.
    // rise2 = 0.1(a + c) + 0.2b = 0.1·20 + 0.1b = 2 + 0.1b, so the middle rack should take little.
    // Without budgets a = c = 10, b = 0 gives 2.0 everywhere, but a <= 8. With a = 8, c = 12 − b:
    // rise3 = 0.1b + 0.2(12 − b) = 2.4 − 0.1b meets rise2 = 2 + 0.1b at b = 2 → peak 2.2 °C (rise1 = 1.8).
    // A smaller a only raises c and rise3, so (8, 2, 10) kW is optimal: peak inlet 20.2 °C,
    // max supply 24.8 °C, CoP(24.8) = 4.660112, cooling 20 kW / 4.660112 = 4291.74 W.
    const topo = testTopology([[0.2, 0.1, 0], [0.1, 0.2, 0.1], [0, 0.1, 0.2]], [8000, 10000, 12000]);
    const result = planner.plan({ topology: topo, rackPowerW: {}, demandW: 20000 });
    assertValidPlan(t, topo, {}, 20000, result);
    t.ok(result.peakInletC <= 20.2 + tol, `peak inlet ${result.peakInletC} near the optimum 20.2`);
    t.ok(result.peakInletC >= 20.2 - 1e-6);
    if (options.optimalityToleranceC === 0) {
      t.ok(Math.abs((result.allocationW.r01 ?? 0) - 8000) < 0.01, 'r01 filled to its budget');
      t.ok(Math.abs((result.allocationW.r02 ?? 0) - 2000) < 0.01, 'r02 gets 2 kW');
      t.ok(Math.abs(result.coolingPowerW - 20000 / coefficientOfPerformance(24.8)) < 1e-6);
      t.ok(Math.abs(result.coolingPowerW - 4291.742) < 0.01);
    }
  });

  await t.test('LP infeasible: total headroom below the demand names both numbers', async (t) => {
    // Headroom 5000 + 1000 = 6000 W < 12000 W.
    const topo = testTopology([[0.3, 0.1], [0.12, 0.25]], [30000, 30000]);
    const result = planner.plan({ topology: topo, rackPowerW: { r01: 25000, r02: 29000 }, demandW: 12000 });
    t.equal(result.feasible, false);
    t.match(result.feasible ? '' : result.reason, /total headroom 6000 W < demand 12000 W/);
    t.same(result.allocationW, { r01: 0, r02: 0 }, 'nothing placed');
    t.same(thermalSummary(topo, { r01: 25000, r02: 29000 }).peakInletC, result.peakInletC, 'summary of the current powers');
  });

  await t.test('rack already over budget takes nothing and stays over', async (t) => {
    const topo = testTopology([[0.3, 0.1], [0.12, 0.25]], [30000, 30000]);
    const power = { r01: 10000, r02: 32000 };
    const fits = planner.plan({ topology: topo, rackPowerW: power, demandW: 3000 });
    assertValidPlan(t, topo, power, 3000, fits);
    t.equal(fits.allocationW.r02, 0);
    t.ok(Math.abs((fits.allocationW.r01 ?? 0) - 3000) < 1e-6);
    t.match(fits.warnings?.join('\n') ?? '', /r02 \(32000 W > budget 30000 W\)/, 'warning names the rack over budget');
    const tooMuch = planner.plan({ topology: topo, rackPowerW: power, demandW: 21000 });
    t.equal(tooMuch.feasible, false);
    t.match(tooMuch.feasible ? '' : tooMuch.reason, /total headroom 20000 W < demand 21000 W.*over budget.*r02/);
  });

  await t.test('many racks over or at budget: the reason names the first few and counts the rest', async (t) => {
    const n = 12;
    const topo = testTopology(Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0.2 : 0.01))), Array(n).fill(10000));
    // r01..r09 at 11 kW (over), r10, r11 exactly at budget, r12 with 1 kW of headroom.
    const power = Object.fromEntries(topo.racks.map((r, i) => [r.id, i < 9 ? 11000 : i < 11 ? 10000 : 9000]));
    const result = planner.plan({ topology: topo, rackPowerW: power, demandW: 5000 });
    t.equal(result.feasible, false);
    const reason = result.feasible ? '' : result.reason;
    t.match(reason, /total headroom 1000 W < demand 5000 W/);
    t.match(reason, /over budget take nothing: r01 \(11000 W > budget 10000 W\).* and 1 more/);
    t.match(reason, /racks at budget: r10, r11/);
  });

  await t.test('zero demand places nothing', async (t) => {
    const topo = testTopology([[0.3, 0.1], [0.12, 0.25]], [30000, 30000]);
    const result = planner.plan({ topology: topo, rackPowerW: { r01: 1000 }, demandW: 0 });
    assertValidPlan(t, topo, { r01: 1000 }, 0, result);
    t.same(result.allocationW, { r01: 0, r02: 0 });
  });

  await t.test('demand equal to the total headroom fills every rack to its budget', async (t) => {
    const topo = testTopology([[0.2, 0.05, 0.01], [0.05, 0.2, 0.05], [0.01, 0.05, 0.2]], [10000, 12000, 9000]);
    const power = { r01: 4000, r02: 0, r03: 9000 };
    const result = planner.plan({ topology: topo, rackPowerW: power, demandW: 18000 });
    assertValidPlan(t, topo, power, 18000, result);
    t.ok(Math.abs((result.allocationW.r01 ?? 0) - 6000) < 1e-3);
    t.ok(Math.abs((result.allocationW.r02 ?? 0) - 12000) < 1e-3);
    t.equal(result.allocationW.r03, 0, 'r03 is exactly at budget');
  });

  await t.test('hot plan above the red line is feasible but warns with the supply it needs', async (t) => {
    // Symmetric racks: the best split is 2 + 2 kW, rise 1·7 + 0.5·7 = 10.5 °C, inlet 28.5 > 27.
    const topo = testTopology([[1, 0.5], [0.5, 1]], [30000, 30000], { supplyC: 18, redlineC: 27 });
    const result = planner.plan({ topology: topo, rackPowerW: { r01: 5000, r02: 5000 }, demandW: 4000 });
    assertValidPlan(t, topo, { r01: 5000, r02: 5000 }, 4000, result);
    t.ok(result.peakInletC >= 28.5 - 1e-9);
    t.match(result.warnings?.join('\n') ?? '', /above the red line 27 °C/);
    t.ok(result.maxSupplyTemperatureC < 18);
  });

  await t.test('bad requests are errors naming the field, never plans', async (t) => {
    const topo = testTopology([[0.3, 0.1], [0.12, 0.25]], [30000, 30000]);
    for (const demandW of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      t.throws(() => planner.plan({ topology: topo, rackPowerW: {}, demandW }), { code: 'CLIMATIK_REQUEST_INVALID', issues: [{ path: 'demandW' }] });
    }
    t.throws(() => planner.plan({ topology: topo, rackPowerW: { r09: 1 }, demandW: 1 }), {
      code: 'CLIMATIK_POWER_INPUT_INVALID',
      issues: [{ path: 'rackPowerW/r09' }],
    });
    t.throws(() => planner.plan({ topology: topo, rackPowerW: { r01: -5 }, demandW: 1 }), { code: 'CLIMATIK_POWER_INPUT_INVALID' });
  });

  await t.test('the request is not modified', async (t) => {
    const topo = testTopology([[0.3, 0.1], [0.12, 0.25]], [30000, 30000]);
    const power = Object.freeze({ r01: 100, r02: 200 });
    planner.plan({ topology: topo, rackPowerW: power, demandW: 500 });
    t.same(power, { r01: 100, r02: 200 });
    t.equal(planner.name.length > 0, true);
  });
}
