// Seeded plan problems for the benchmark: n racks, a dense random recirculation matrix scaled so
// inlet rises stay realistic (self 0.2 °C/kW, the other n−1 racks add ~0.25 °C/kW in total), racks
// 0–70 % loaded, demand = 30 % of the total headroom. Also the same LP as CPLEX-LP text for HiGHS.
import { parseTopology, type PlanRequest } from '../rack-model/index.js';
import { buildPeakLp } from '../rack-model/lp-planner.js';
import { planContext } from '../rack-model/plan-common.js';

/** mulberry32: small, seedable, good enough for test data. */
export function seededRandom(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export function planProblem(racks: number, seed: number): PlanRequest {
  const rand = seededRandom(seed * 7919 + racks);
  const specs = Array.from({ length: racks }, (_, i) => ({ id: `r${String(i).padStart(3, '0')}`, powerBudgetW: 30000 }));
  const matrixCPerKW = specs.map((_, i) => specs.map((_, j) => (i === j ? 0.2 : (rand() * 0.5) / racks)));
  const topology = parseTopology(
    { apiVersion: 'climatik.io/v1alpha1', kind: 'RackTopology', supplyTemperatureC: 18, redlineInletC: 27, racks: specs, heatRecirculation: { matrixCPerKW } },
    `bench-${racks}-${seed}`,
  );
  const rackPowerW = Object.fromEntries(specs.map((r) => [r.id, Math.round(rand() * 0.7 * r.powerBudgetW)]));
  const headroomW = specs.reduce((s, r) => s + r.powerBudgetW - (rackPowerW[r.id] ?? 0), 0);
  return { topology, rackPowerW, demandW: Math.round(headroomW * 0.3) };
}

/** The planner's LP (same variables, constraints and objective) in CPLEX LP format. */
export function peakLpAsCplexText(request: PlanRequest): { text: string; peakBaseC: number } {
  const ctx = planContext(request);
  const { model, peakBaseC } = buildPeakLp(ctx);
  const rows = new Map<string, string[]>();
  const bounds: string[] = [];
  for (const [variable, column] of Object.entries(model.variables)) {
    for (const [row, coef] of Object.entries(column)) {
      if (row === 'peak' || coef === 0) continue;
      const terms = rows.get(row) ?? [];
      terms.push(`${coef < 0 ? '-' : '+'} ${Math.abs(coef)} ${variable}`);
      rows.set(row, terms);
    }
  }
  const lines = ['Minimize', ' obj: s', 'Subject To'];
  for (const [row, bound] of Object.entries(model.constraints)) {
    if (typeof bound !== 'object') continue;
    const terms = rows.get(row);
    if (terms === undefined) continue;
    // cap rows bound a single variable: HiGHS takes them as column bounds.
    if (row.startsWith('cap') && terms.length === 1 && bound.max !== undefined) {
      bounds.push(` 0 <= x${row.slice(3)} <= ${bound.max}`);
      continue;
    }
    const relation = bound.equal !== undefined ? `= ${bound.equal}` : `<= ${bound.max ?? 0}`;
    // One term per line keeps every line far below LP-format line-length limits.
    lines.push(` ${row}: ${terms.join('\n   ')}\n   ${relation}`);
  }
  lines.push('Bounds', ...bounds, ' s >= 0', 'End');
  return { text: lines.join('\n'), peakBaseC };
}
