// The self-contained HTML report: the comparison table, the capper's counterfactual, then plots per
// policy (rack inlet heat map, rack power against budget) and across policies (cooling power,
// throughput). Inline SVG and CSS only: no scripts, no CDN.
import type { CounterfactualReport } from './counterfactual.js';
import type { ResolvedScenario } from './scenario.js';
import type { SimulationResult } from './simulate.js';
import { cappingScope, comparisonTable, counterfactualRows } from './report-table.js';
import { escapeHtml, heatMap, lineChart, PALETTE, type Line } from './svg.js';

export function renderHtmlReport(scenario: ResolvedScenario, result: SimulationResult): string {
  const { topology } = scenario;
  const runs = result.runs;
  const rackIds = topology.racks.map((r) => r.id);
  const allInlets = runs.flatMap((r) => r.series.rackInletC.flat());
  const vMin = Math.min(topology.supplyTemperatureC, ...allInlets);
  const vMax = Math.max(topology.redlineInletC, ...allInlets);
  const budgets = topology.racks.map((r) => r.powerBudgetW);
  const color = (i: number): string => PALETTE[i % PALETTE.length] ?? '#000';

  const perPolicy = runs
    .map((run) => {
      const xs = run.series.timeS;
      const rackLines: Line[] = rackIds.map((id, i) => ({
        label: id,
        xs,
        ys: run.series.rackPowerW.map((p) => (p[i] ?? 0) / 1000),
        color: `hsl(${Math.round((i * 360) / rackIds.length)} 60% 45%)`,
        width: 1,
      }));
      const budgetLine: Line = { label: 'budget', xs, ys: xs.map(() => Math.min(...budgets) / 1000), color: '#000', width: 2, dashed: true };
      return `<section><h3>${escapeHtml(run.name)}</h3>${run.extras.note === undefined ? '' : `<p class="note">${escapeHtml(run.extras.note)}</p>`}
${heatMap(run.series.rackInletC, { title: `${run.name}: rack inlet at design supply (°C)`, rowLabels: rackIds, xs, vMin, vMax, alarmAbove: topology.redlineInletC })}
${lineChart([...rackLines, budgetLine], { title: `${run.name}: rack power vs budget (kW)`, xLabel: 'time, s', yLabel: 'kW', yMin: 0, legend: false })}</section>`;
    })
    .join('\n');

  const cooling = lineChart(
    runs.map((r, i) => ({ label: r.name, xs: r.series.timeS, ys: r.series.coolingW.map((w) => w / 1000), color: color(i), dashed: r.name === 'lp-bound' })),
    { title: 'Cooling (CRAC) power', xLabel: 'time, s', yLabel: 'kW', yMin: 0 },
  );
  const supply = lineChart(
    runs.map((r, i) => ({ label: r.name, xs: r.series.timeS, ys: r.series.supplyC, color: color(i), dashed: r.name === 'lp-bound' })),
    { title: 'CRAC supply temperature', xLabel: 'time, s', yLabel: '°C' },
  );
  const throughput = lineChart(
    runs.filter((r) => r.name !== 'lp-bound').map((r, i) => ({ label: r.name, xs: r.series.timeS, ys: r.series.tokensPerS.map((t) => t / 1000), color: color(i) })),
    { title: 'Throughput (prompt + output tokens)', xLabel: 'time, s', yLabel: 'k tokens/s', yMin: 0 },
  );
  const it = lineChart(
    runs.filter((r) => r.name !== 'lp-bound').map((r, i) => ({ label: r.name, xs: r.series.timeS, ys: r.series.itW.map((w) => w / 1000), color: color(i) })),
    { title: 'IT power', xLabel: 'time, s', yLabel: 'kW', yMin: 0 },
  );
  const svc = scenario.services
    .map((s) => `${escapeHtml(s.spec.name)}: ${s.trace.arrivalS.length.toLocaleString('en')} requests from ${escapeHtml(s.trace.source)} (load scale ${s.spec.loadScale}), ${s.spec.gpusPerReplica} GPUs per replica`)
    .join('<br>');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Climatik simulation report</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;max-width:1400px;color:#222}
pre{background:#f6f6f6;padding:12px;overflow-x:auto;font-size:12px}
section{display:inline-block;vertical-align:top;margin:0 16px 24px 0}
.grid{display:flex;flex-wrap:wrap;gap:16px}
.note{font-size:12px;color:#555;max-width:640px}
table.cf{border-collapse:collapse;font-size:13px}
table.cf th,table.cf td{border:1px solid #ccc;padding:4px 8px;text-align:right}
table.cf th:first-child,table.cf td:first-child{text-align:left}
</style></head><body>
<h1>Climatik simulation report</h1>
<p>Scenario <code>${escapeHtml(scenario.source)}</code>, topology <code>${escapeHtml(scenario.topologySource)}</code>
(${topology.racks.length} racks, supply ${topology.supplyTemperatureC} °C, red line ${topology.redlineInletC} °C, ${topology.matrixSource} recirculation matrix),
${scenario.durationS.toFixed(0)} s simulated, seed ${scenario.seed}.<br>${svc}</p>
<h2>Comparison</h2>
<pre>${escapeHtml(comparisonTable(runs))}</pre>
<p class="note">Peak inlet is the hottest rack inlet had the CRAC run at the design supply temperature; the CRAC actually raises its
supply as far as the hottest inlet allows, which is where the cooling energy difference comes from. Budget violation seconds count
seconds with at least one rack above its budget; red-line seconds those where even the design supply could not hold the hottest inlet.</p>
${Object.entries(result.counterfactual)
  .map(([policy, report]) => counterfactualHtml(policy, report, scenario))
  .join('\n')}
<h2>Across policies</h2>
<div class="grid">${cooling}${supply}${throughput}${it}</div>
<h2>Per policy</h2>
${perPolicy}
</body></html>
`;
}

/** The capper's counterfactual: the same figures with its actions applied and only recommended. */
function counterfactualHtml(policy: string, report: CounterfactualReport, scenario: ResolvedScenario): string {
  const { summary } = report;
  const { header, rows } = counterfactualRows(report);
  const cells = (tag: 'th' | 'td', row: readonly string[]): string => `<tr>${row.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`;
  return `<h2>Counterfactual (capper): ${escapeHtml(policy)}</h2>
<p class="note">${escapeHtml(cappingScope(scenario))}. The ${escapeHtml(policy)} policy replayed twice on the same trace and seed: once with the
capper's actions applied (Enforce), once with them only recommended (Recommend: the same decisions, nothing applied).
${summary.recommendations} recommendations in the Recommend replay, ${summary.taken} taken in the Enforce replay.</p>
<table class="cf">${cells('th', header)}${rows.map((r) => cells('td', r)).join('')}</table>
<p><strong>${escapeHtml(summary.verdict)}</strong></p>`;
}
