// The greedy baseline, MinHR-style (Moore et al. 2005; Tang et al. 2008): place the demand in
// small steps, each on the rack where it raises the peak inlet least; ties go to the rack whose
// exhaust recirculates least in total (the column sum of D), then to the lower index.
import { allocationProblem, feasibleResult, infeasibility, infeasibleResult, planContext, type PlanContext } from './plan-common.js';
import { riseFromVectorC } from './thermal.js';
import type { PlanRequest, PlanResult, Planner } from './types.js';
import { ClimatikError } from '../common/index.js';

export interface GreedyOptions {
  /** The demand is placed in this many equal steps (fewer when racks fill up). */
  readonly steps?: number;
}

const TIE_C = 1e-12;

export function createGreedyPlanner(options: GreedyOptions = {}): Planner {
  const steps = options.steps ?? 100;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new ClimatikError('CLIMATIK_CONFIG_INVALID', 'greedy steps must be an integer >= 1', {
      issues: [{ path: 'steps', message: 'must be an integer >= 1', value: steps }],
    });
  }
  const name = 'greedy';
  return {
    name,
    plan(request: PlanRequest): PlanResult {
      const ctx = planContext(request);
      const reason = infeasibility(ctx);
      if (reason !== undefined) return infeasibleResult(ctx, name, reason);
      const allocationW = placeInSteps(ctx, steps);
      const problem = allocationProblem(ctx, allocationW);
      if (problem !== undefined) throw new ClimatikError('CLIMATIK_SOLVER_FAILED', `greedy produced an invalid plan: ${problem}`);
      return feasibleResult(ctx, name, allocationW);
    },
  };
}

export const greedyPlanner: Planner = createGreedyPlanner();

function placeInSteps(ctx: PlanContext, steps: number): number[] {
  const D = ctx.topology.recirculationCPerKW;
  const n = ctx.powerW.length;
  const x = new Array<number>(n).fill(0);
  const rise = riseFromVectorC(D, ctx.powerW);
  const columnSum = ctx.powerW.map((_, j) => D.reduce((s, row) => s + (row[j] ?? 0), 0));
  const stepW = ctx.demandW / steps;
  const doneW = ctx.demandW * 1e-12;
  let remainingW = ctx.demandW;
  while (remainingW > doneW) {
    let best = -1;
    let bestPeak = Number.POSITIVE_INFINITY;
    let bestAmount = 0;
    for (let j = 0; j < n; j++) {
      const room = (ctx.headroomW[j] ?? 0) - (x[j] ?? 0);
      if (room <= 0) continue;
      const amount = Math.min(stepW, remainingW, room);
      const kW = amount / 1000;
      let peak = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < n; i++) peak = Math.max(peak, (rise[i] ?? 0) + (D[i]?.[j] ?? 0) * kW);
      const better = peak < bestPeak - TIE_C || (peak <= bestPeak + TIE_C && (columnSum[j] ?? 0) < (columnSum[best] ?? Number.POSITIVE_INFINITY));
      if (best === -1 || better) {
        best = j;
        bestPeak = peak;
        bestAmount = amount;
      }
    }
    if (best === -1) break; // no room left: allocationProblem reports the shortfall
    x[best] = (x[best] ?? 0) + bestAmount;
    for (let i = 0; i < n; i++) rise[i] = (rise[i] ?? 0) + (D[i]?.[best] ?? 0) * (bestAmount / 1000);
    remainingW -= bestAmount;
  }
  return x;
}
