// What every planner shares: request validation, the budget arithmetic that decides feasibility
// before any solver runs, the result with its thermal summary, and the check that an allocation is
// really a plan (sums to the demand, stays within budgets). Infeasible is an answer, not an error.
import { ClimatikError } from '../common/index.js';
import { rackPowerIssues } from './rack-power.js';
import { powerVectorW, thermalDetailFromVector } from './thermal.js';
import type { PlanRequest, PlanResult, Topology } from './types.js';

export interface PlanContext {
  readonly topology: Topology;
  readonly demandW: number;
  /** Current power per rack index, W. */
  readonly powerW: readonly number[];
  /** max(0, budget − power) per rack index, W: racks over budget take nothing. */
  readonly headroomW: readonly number[];
  readonly totalHeadroomW: number;
  readonly overBudget: readonly { id: string; powerW: number; budgetW: number }[];
}

/** Relative tolerance for "sums to the demand" and "within budget" after floating-point solving. */
export const PLAN_TOLERANCE = 1e-6;

export function planContext(request: PlanRequest): PlanContext {
  const { topology, rackPowerW, demandW } = request;
  if (typeof demandW !== 'number' || !Number.isFinite(demandW) || demandW < 0) {
    throw new ClimatikError('CLIMATIK_REQUEST_INVALID', 'demandW must be a finite number >= 0', {
      issues: [{ path: 'demandW', message: 'must be a finite number >= 0', value: String(demandW) }],
    });
  }
  const issues = rackPowerIssues(topology, rackPowerW, 'rackPowerW');
  if (issues.length > 0) {
    throw new ClimatikError('CLIMATIK_POWER_INPUT_INVALID', `rack power is invalid: ${issues.length} problem(s)`, { issues });
  }
  const powerW = powerVectorW(topology, rackPowerW);
  const headroomW = topology.racks.map((r, i) => Math.max(0, r.powerBudgetW - (powerW[i] ?? 0)));
  const overBudget = topology.racks
    .map((r, i) => ({ id: r.id, powerW: powerW[i] ?? 0, budgetW: r.powerBudgetW }))
    .filter((r) => r.powerW > r.budgetW);
  return { topology, demandW, powerW, headroomW, totalHeadroomW: headroomW.reduce((a, b) => a + b, 0), overBudget };
}

const fmtW = (w: number): string => `${Number.isInteger(w) ? w : w.toFixed(1)} W`;

/** At most `max` items, then a count: a 500-rack floor must not produce a 500-item reason. */
function listing(items: readonly string[], max = 8): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

function overBudgetText(ctx: PlanContext): string {
  return listing(ctx.overBudget.map((r) => `${r.id} (${fmtW(r.powerW)} > budget ${fmtW(r.budgetW)})`));
}

/** The binding constraint when the demand cannot fit, or undefined when it can. */
export function infeasibility(ctx: PlanContext): string | undefined {
  if (ctx.demandW <= ctx.totalHeadroomW) return undefined;
  const parts = [`total headroom ${fmtW(ctx.totalHeadroomW)} < demand ${fmtW(ctx.demandW)}`];
  if (ctx.overBudget.length > 0) parts.push(`racks already over budget take nothing: ${overBudgetText(ctx)}`);
  const full = ctx.topology.racks.filter((r, i) => (ctx.powerW[i] ?? 0) === r.powerBudgetW);
  if (full.length > 0) parts.push(`racks at budget: ${listing(full.map((r) => r.id))}`);
  return parts.join('; ');
}

export function infeasibleResult(ctx: PlanContext, planner: string, reason: string): PlanResult {
  const d = thermalDetailFromVector(ctx.topology, ctx.powerW);
  return {
    feasible: false,
    planner,
    reason,
    peakInletC: d.peakInletC,
    maxSupplyTemperatureC: d.maxSupplyTemperatureC,
    coolingPowerW: d.coolingPowerW,
    allocationW: Object.fromEntries(ctx.topology.racks.map((r) => [r.id, 0])),
    warnings: [],
  };
}

export function feasibleResult(ctx: PlanContext, planner: string, allocationW: readonly number[]): PlanResult {
  const after = ctx.powerW.map((p, i) => p + (allocationW[i] ?? 0));
  const d = thermalDetailFromVector(ctx.topology, after);
  const warnings: string[] = [];
  if (ctx.overBudget.length > 0) warnings.push(`already over budget, given nothing: ${overBudgetText(ctx)}`);
  if (d.peakInletC > ctx.topology.redlineInletC) {
    warnings.push(
      `peak inlet ${d.peakInletC.toFixed(2)} °C at ${d.hottestRackId} is above the red line ${ctx.topology.redlineInletC} °C ` +
        `at the configured supply ${ctx.topology.supplyTemperatureC} °C; supply must be at most ${d.maxSupplyTemperatureC.toFixed(2)} °C`,
    );
  }
  return {
    feasible: true,
    planner,
    peakInletC: d.peakInletC,
    maxSupplyTemperatureC: d.maxSupplyTemperatureC,
    coolingPowerW: d.coolingPowerW,
    allocationW: Object.fromEntries(ctx.topology.racks.map((r, i) => [r.id, allocationW[i] ?? 0])),
    warnings,
  };
}

/** Why `allocationW` is not a valid plan for `ctx`, or undefined when it is. */
export function allocationProblem(ctx: PlanContext, allocationW: readonly number[]): string | undefined {
  const scale = Math.max(1, ctx.demandW);
  const sum = allocationW.reduce((a, b) => a + b, 0);
  if (allocationW.length !== ctx.powerW.length) return `allocation has ${allocationW.length} racks, expected ${ctx.powerW.length}`;
  if (!Number.isFinite(sum) || Math.abs(sum - ctx.demandW) > PLAN_TOLERANCE * scale) {
    return `allocation sums to ${sum} W, demand is ${ctx.demandW} W`;
  }
  for (const [i, x] of allocationW.entries()) {
    const id = ctx.topology.racks[i]?.id ?? String(i);
    if (!(x >= -PLAN_TOLERANCE * scale)) return `rack ${id} gets ${x} W (negative)`;
    if (x > (ctx.headroomW[i] ?? 0) + PLAN_TOLERANCE * scale) return `rack ${id} gets ${x} W, headroom is ${ctx.headroomW[i]} W`;
  }
  return undefined;
}

/** Clamps solver noise into [0, headroom] and puts the residual (< tolerance) where room is left. */
export function tidyAllocation(ctx: PlanContext, allocationW: readonly number[]): number[] {
  const x = allocationW.map((v, i) => Math.min(Math.max(0, v), ctx.headroomW[i] ?? 0));
  let residual = ctx.demandW - x.reduce((a, b) => a + b, 0);
  for (let i = 0; i < x.length && residual !== 0; i++) {
    const xi = x[i] ?? 0;
    const step = residual > 0 ? Math.min(residual, (ctx.headroomW[i] ?? 0) - xi) : Math.max(residual, -xi);
    x[i] = xi + step;
    residual -= step;
  }
  return x;
}
