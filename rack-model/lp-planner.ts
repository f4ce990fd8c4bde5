// The LP planner: place ΔP over the racks minimising the peak recirculated inlet rise.
//   variables  x_r >= 0 (kW, only racks with headroom), s >= 0
//   minimise   s
//   subject to Σ_r x_r = ΔP
//              x_r <= B_r − P_r
//              Σ_r D_ir x_r − s <= m − (D·P)_i   for every rack i, with m = max_i (D·P)_i
// so the peak rise is m + s (`buildPeakLp`; kW keeps the coefficients near 1).
//
// javascript-lp-solver is not given that LP as is. It splits Σx = ΔP into ≥ and ≤ rows, so the
// origin is infeasible and its phase 1 runs; that phase 1 is a heuristic (most negative row, largest
// quotient) which can cycle without end, and its stall detector only compares against the first
// infeasibility, so the fallback to Bland's rule never starts: on a 16-rack room with measured,
// non-integer powers it looped forever (lp-planner-cycling.test.ts). The solver is given instead
//   minimise s − M·Σx   subject to Σx <= ΔP and the rows above,
// whose right-hand sides are all >= 0: the origin is feasible and phase 1 does nothing. This is an
// exact penalty: with M > max_ir D_ir, any point with Σx < ΔP can move ε onto a rack with headroom
// (one exists, the budget check proved Σ headroom >= ΔP) and raise s by at most ε·max_i D_ir, which
// lowers the objective; so every optimum has Σx = ΔP and, among those, the least s. (Skipping
// phase 1 also made 200-rack solves ~5× faster.) The solver's own guards do not help: `exitOnCycles`
// only detects cycles of length 1 and `timeout` is checked only in branch and bound. The answer is
// checked (sum, bounds, s equal to the peak its allocation produces) before it is returned.
import * as jsLpSolver from 'javascript-lp-solver';
import type { Model, SolverAPI, VariableCoefficients } from 'javascript-lp-solver';
import { ClimatikError, kilowattsToWatts, wattsToKilowatts } from '../common/index.js';
import { allocationProblem, feasibleResult, infeasibility, infeasibleResult, planContext, tidyAllocation, type PlanContext } from './plan-common.js';
import { riseFromVectorC } from './thermal.js';
import type { PlanRequest, PlanResult, Planner } from './types.js';

// The package's .d.ts is read as CommonJS (the solver one `.default` deeper) while Node loads its
// ESM build (the solver is the namespace's `default`): find it at run time, whichever it is.
const solver = findSolver(jsLpSolver);

function findSolver(ns: unknown): SolverAPI {
  for (let v = ns, depth = 0; depth < 3 && v !== null && typeof v === 'object'; depth++) {
    if (typeof (v as { Solve?: unknown }).Solve === 'function') return v as SolverAPI;
    v = (v as { default?: unknown }).default;
  }
  throw new ClimatikError('CLIMATIK_SOLVER_FAILED', 'javascript-lp-solver exports no Solve function');
}

const NAME = 'lp';

/**
 * Solves the peak LP of `buildPeakLp` (a javascript-lp-solver model, Σx = ΔP as an equality) and
 * answers in javascript-lp-solver's shape with `result` = the optimal s. A parameter so tests can
 * stand in a faulty solver.
 */
export type LpSolve = (model: Model) => unknown;

/** javascript-lp-solver on the penalised model (see the top), its answer mapped back to the LP's. */
const jsLpSolve: LpSolve = (model) => {
  const raw: unknown = solver.Solve(penalisedModel(model));
  if (raw === null || typeof raw !== 'object') return raw;
  const answer = raw as Record<string, unknown>;
  if (answer.feasible !== true || typeof answer.result !== 'number') return answer;
  // The penalised objective is s − M·Σx; the LP's is s (omitted from the answer when it is 0).
  return { ...answer, result: typeof answer.s === 'number' ? answer.s : 0 };
};

export function createLpPlanner(options: { solve?: LpSolve } = {}): Planner {
  const solve = options.solve ?? jsLpSolve;
  return {
    name: NAME,
    plan(request: PlanRequest): PlanResult {
      const ctx = planContext(request);
      const reason = infeasibility(ctx);
      if (reason !== undefined) return infeasibleResult(ctx, NAME, reason);
      if (ctx.demandW === 0) return feasibleResult(ctx, NAME, ctx.powerW.map(() => 0));
      return feasibleResult(ctx, NAME, solvePeakLp(ctx, solve));
    },
  };
}

export const lpPlanner: Planner = createLpPlanner();

/** The LP above as a javascript-lp-solver model (exported for the benchmark). */
export function buildPeakLp(ctx: PlanContext): { model: Model; baseRiseC: number[]; peakBaseC: number } {
  const D = ctx.topology.recirculationCPerKW;
  const baseRiseC = riseFromVectorC(D, ctx.powerW);
  const peakBaseC = Math.max(...baseRiseC);
  const constraints: Model['constraints'] = { total: { equal: wattsToKilowatts(ctx.demandW) } };
  const variables: Record<string, VariableCoefficients> = {};
  const s: VariableCoefficients = { peak: 1 };
  baseRiseC.forEach((rise, i) => {
    constraints[`rise${i}`] = { max: peakBaseC - rise };
    s[`rise${i}`] = -1;
  });
  ctx.headroomW.forEach((headroom, r) => {
    if (headroom <= 0) return; // over or at budget: x_r = 0, no variable
    constraints[`cap${r}`] = { max: wattsToKilowatts(headroom) };
    const column: VariableCoefficients = { total: 1, [`cap${r}`]: 1 };
    D.forEach((row, i) => {
      const d = row[r] ?? 0;
      if (d !== 0) column[`rise${i}`] = d;
    });
    variables[`x${r}`] = column;
  });
  variables.s = s;
  return { model: { optimize: 'peak', opType: 'min', constraints, variables }, baseRiseC, peakBaseC };
}

const OBJECTIVE = 'penalised';

/** Σx = ΔP replaced by Σx <= ΔP and the exact penalty −M·Σx in the objective (see the top). */
function penalisedModel(lp: Model): Model {
  let maxCoefficient = 0;
  for (const [name, column] of Object.entries(lp.variables)) {
    if (name === 's') continue;
    for (const [row, coefficient] of Object.entries(column)) {
      if (row.startsWith('rise')) maxCoefficient = Math.max(maxCoefficient, coefficient);
    }
  }
  // Twice the bound, plus 1 so M > 0 even with no recirculation: the margin keeps the penalty
  // strictly ahead of the peak's marginal cost in floating point while M stays near 1.
  const penalty = 2 * maxCoefficient + 1;
  const total = lp.constraints.total;
  const demandKW = typeof total === 'object' ? (total.equal ?? 0) : 0;
  const variables: Record<string, VariableCoefficients> = {};
  for (const [name, column] of Object.entries(lp.variables)) {
    variables[name] = { ...column, [OBJECTIVE]: name === 's' ? 1 : -penalty };
  }
  return { optimize: OBJECTIVE, opType: 'min', constraints: { ...lp.constraints, total: { max: demandKW } }, variables };
}

function solvePeakLp(ctx: PlanContext, solve: LpSolve): number[] {
  const { model, peakBaseC } = buildPeakLp(ctx);
  let raw: unknown;
  try {
    raw = solve(model);
  } catch (cause) {
    throw new ClimatikError('CLIMATIK_SOLVER_FAILED', 'javascript-lp-solver threw', { cause });
  }
  if (raw === null || typeof raw !== 'object') throw new ClimatikError('CLIMATIK_SOLVER_FAILED', `solver returned ${String(raw)}`);
  const result = raw as Record<string, unknown>;
  // The budget check above proved the LP feasible and s >= 0 bounds it, so anything else is a solver fault.
  if (result.feasible !== true || result.bounded === false || typeof result.result !== 'number') {
    throw new ClimatikError('CLIMATIK_SOLVER_FAILED', `solver reported feasible=${String(result.feasible)} bounded=${String(result.bounded)} on a feasible LP`);
  }
  const rawW = ctx.powerW.map((_, r) => {
    const v = result[`x${r}`];
    return typeof v === 'number' ? kilowattsToWatts(v) : 0; // the solver omits variables at zero
  });
  const problem = allocationProblem(ctx, rawW);
  if (problem !== undefined) throw new ClimatikError('CLIMATIK_SOLVER_FAILED', `solver answer is not a valid plan: ${problem}`);
  const allocationW = tidyAllocation(ctx, rawW);
  // The objective it reports must match the peak its allocation really produces.
  const after = ctx.powerW.map((p, i) => p + (allocationW[i] ?? 0));
  const peakRiseC = Math.max(...riseFromVectorC(ctx.topology.recirculationCPerKW, after));
  const claimedC = peakBaseC + result.result;
  if (Math.abs(peakRiseC - claimedC) > 1e-6 * Math.max(1, Math.abs(claimedC))) {
    throw new ClimatikError('CLIMATIK_SOLVER_FAILED', `solver objective ${claimedC} °C does not match its allocation's peak rise ${peakRiseC} °C`);
  }
  return allocationW;
}
