// The plain-text comparison table printed on stdout after a run.
import type { PolicyRun } from './results.js';

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

/** A one-line progress bar for stderr. */
export function progressLine(policy: string, fraction: number, index: number, count: number, width = 30): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  policy ${index + 1}/${count}: ${policy}`;
}
