// The plain-text comparison table printed on stdout after a run, and the counterfactual section.
import { guardedRacks } from '../capper/decisions/index.js';
import type { CounterfactualReport } from './counterfactual.js';
import type { PolicyRun } from './results.js';
import type { ResolvedScenario } from './scenario.js';

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

export function comparisonTable(runs: readonly PolicyRun[], baseline = 'default-spread'): string {
  const base = runs.find((r) => r.name === baseline);
  const header = ['policy', 'cooling kWh', 'vs base', 'IT kWh', 'peak inlet °C', 'budget viol s', 'redline viol s', 'tokens served', 'vs base', 'p99 TTFT s', 'p99 TPOT s', 'GPUs held'];
  const rows = runs.map((r) => {
    const m = r.metrics;
    const coolingVs = base === undefined || base.metrics.coolingEnergyKWh === 0 ? '' : pct(m.coolingEnergyKWh / base.metrics.coolingEnergyKWh - 1);
    const tokensVs = base === undefined || base.metrics.tokensServed === 0 ? '' : pct(m.tokensServed / base.metrics.tokensServed - 1);
    return [
      r.name,
      m.coolingEnergyKWh.toFixed(1),
      coolingVs,
      m.itEnergyKWh.toFixed(1),
      m.peakInletC.toFixed(2),
      m.budgetViolationSeconds.toFixed(0),
      m.redlineViolationSeconds.toFixed(0),
      `${(m.tokensServed / 1e6).toFixed(1)}M`,
      tokensVs,
      m.p99TtftS.toFixed(2),
      m.p99TpotS.toFixed(3),
      `${(r.extras.meanGpuAllocation * 100).toFixed(0)}%`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const notes = runs.filter((r) => r.extras.note !== undefined).map((r) => `  ${r.name}: ${r.extras.note ?? ''}`);
  const demanded = runs[0]?.metrics.tokensDemanded;
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    ...(demanded === undefined ? [] : [`tokens demanded: ${(demanded / 1e6).toFixed(1)}M; "vs base" compares with ${baseline}`]),
    ...notes,
  ].join('\n');
}

/** What the capping policy guards, for the section's heading: "16 racks, cap 95 % of budget". */
export function cappingScope(scenario: Pick<ResolvedScenario, 'capping' | 'topology'>): string {
  const { capping, topology } = scenario;
  const racks = guardedRacks(capping, topology).racks.length;
  const cap = 'watts' in capping.cap ? `cap ${capping.cap.watts} W per rack` : `cap ${capping.cap.percentOfBudget} % of each rack's budget`;
  return `${racks} guarded rack${racks === 1 ? '' : 's'}, ${cap}`;
}

/** The counterfactual's rows: the same figures with and without the capper's actions. */
export function counterfactualRows(report: CounterfactualReport): { header: string[]; rows: string[][] } {
  const { summary, p99TtftS } = report;
  const header = ['', 'mean power kW', 'peak rack kW', 'over cap s', 'served %', 'IT energy kWh', 'p99 TTFT s'];
  const row = (label: string, side: CounterfactualReport['summary']['withActions'], ttftS: number): string[] => [
    label,
    (side.meanPowerW / 1000).toFixed(1),
    (side.peakPowerW / 1000).toFixed(2),
    side.capBreachSeconds.toFixed(0),
    side.servedPercent.toFixed(3),
    side.energyKWh.toFixed(1),
    ttftS.toFixed(2),
  ];
  return {
    header,
    rows: [row('with actions (Enforce)', summary.withActions, p99TtftS.withActions), row('without (Recommend only)', summary.withoutActions, p99TtftS.withoutActions)],
  };
}

/** The "Counterfactual (capper)" section printed after the table. */
export function counterfactualSection(policy: string, report: CounterfactualReport, scenario: Pick<ResolvedScenario, 'capping' | 'topology'>): string {
  const { summary } = report;
  const { header, rows } = counterfactualRows(report);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [
    `Counterfactual (capper), policy ${policy}: ${cappingScope(scenario)}; both replays on the same trace and seed`,
    line(header),
    ...rows.map(line),
    `recommendations ${summary.recommendations} (Recommend replay), taken ${summary.taken} (Enforce replay)`,
    `verdict: ${summary.verdict}`,
  ].join('\n');
}

/** A one-line progress bar for stderr. */
export function progressLine(policy: string, fraction: number, index: number, count: number, width = 30): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  policy ${index + 1}/${count}: ${policy}`;
}
