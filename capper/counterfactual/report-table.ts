// Text rendering of the counterfactual report for `climatik report`: the summary as an aligned
// with/without table, then the outcome records. Pure.
import type { OutcomeRecord } from './schema.js';
import type { CounterfactualSummary } from './types.js';

function table(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, col) => (rightAligned.has(col) ? cell.padStart(widths[col] ?? 0) : cell.padEnd(widths[col] ?? 0))).join('  ').trimEnd());
}

const num = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 3 });
const meanW = (s: { energyWh: number; seconds: number }) => (s.seconds > 0 ? num(Math.round((s.energyWh * 3600) / s.seconds)) : '-');

export function renderSummary(policy: string, s: CounterfactualSummary): string[] {
  const w = s.withActions;
  const wo = s.withoutActions;
  const rows = [
    ['', 'with actions', 'without actions'],
    ['mean power, racks summed (W)', num(w.meanPowerW), num(wo.meanPowerW)],
    ['peak power (W)', num(w.peakPowerW), num(wo.peakPowerW)],
    ['over cap (s)', num(w.capBreachSeconds), num(wo.capBreachSeconds)],
    ['load served (%)', num(w.servedPercent), num(wo.servedPercent)],
    ['energy (kWh)', num(w.energyKWh), num(wo.energyKWh)],
    ['basis', w.basis, wo.basis],
  ];
  return [
    `PowerCappingPolicy ${policy}: counterfactual ${s.from} .. ${s.to}`,
    `${s.recommendations} recommendation(s), ${s.taken} taken`,
    '',
    ...table(rows, new Set([1, 2])),
    '',
    s.verdict,
  ];
}

export function renderOutcomes(records: readonly OutcomeRecord[]): string[] {
  if (records.length === 0) return ['no outcome records'];
  const rows = [
    ['time', 'rack', 'taken', 'effect W', 'mean W with', 'mean W without', 'over cap s with', 'over cap s without', 'followed s', 'actions'],
    ...records.map((r) => [
      r.time,
      r.rack,
      r.taken ? `yes +${num(Math.round((Date.parse(r.takenTime ?? r.time) - Date.parse(r.time)) / 1000))} s` : 'no',
      num(r.effectW),
      meanW(r.withActions),
      meanW(r.withoutActions),
      num(r.withActions.capBreachSeconds),
      num(r.withoutActions.capBreachSeconds),
      `${num(r.withActions.seconds)}${r.closed ? '' : '+'}`,
      r.actions.join(', '),
    ]),
  ];
  return ['outcomes (newest last; + = still followed):', ...table(rows, new Set([3, 4, 5, 6, 7, 8]))];
}
