// Test helper: the optimum of the planner's peak LP from an independent solver, HiGHS (the `highs`
// npm package, a devDependency), so property tests can check the LP planner is optimal, not merely
// valid. The LP is `buildPeakLp`'s (Σx = ΔP as an equality), written as CPLEX-LP text.
import * as highsModule from 'highs';
import { buildPeakLp } from '../lp-planner.js';
import { planContext } from '../plan-common.js';
import type { PlanRequest } from '../types.js';

type HighsLoader = typeof highsModule.default.default;
type Highs = Awaited<ReturnType<HighsLoader>>;

// highs's .d.ts is read as CommonJS (the loader one `.default` deeper) while Node loads its ESM build.
function highsLoader(): HighsLoader {
  const d: unknown = highsModule.default;
  return typeof d === 'function' ? (d as HighsLoader) : (d as { default: HighsLoader }).default;
}

export async function loadHighs(): Promise<Highs> {
  return highsLoader()();
}

/** The least achievable peak recirculated rise (°C) for a feasible request, as HiGHS finds it. */
export function optimalPeakRiseC(highs: Highs, request: PlanRequest): number {
  const { model, peakBaseC } = buildPeakLp(planContext(request));
  const rows = new Map<string, string[]>();
  for (const [variable, column] of Object.entries(model.variables)) {
    for (const [row, coef] of Object.entries(column)) {
      if (row === model.optimize || coef === 0) continue;
      rows.set(row, [...(rows.get(row) ?? []), `${coef < 0 ? '-' : '+'} ${Math.abs(coef)} ${variable}`]);
    }
  }
  const lines = ['Minimize', ' obj: s', 'Subject To'];
  for (const [row, bound] of Object.entries(model.constraints)) {
    const terms = rows.get(row);
    if (typeof bound !== 'object' || terms === undefined) continue;
    lines.push(` ${row}: ${terms.join('\n   ')}\n   ${bound.equal !== undefined ? `= ${bound.equal}` : `<= ${bound.max ?? 0}`}`);
  }
  lines.push('End'); // variables default to >= 0 in LP format
  const solution = highs.solve(lines.join('\n'), { output_flag: false });
  if (solution.Status !== 'Optimal') throw new Error(`HiGHS: ${solution.Status}`);
  return peakBaseC + solution.ObjectiveValue;
}
