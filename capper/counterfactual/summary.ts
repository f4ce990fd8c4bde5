// Outcome records → the shared CounterfactualSummary (types.ts). Pure.
//
// How the records' sides add up, and why:
// - meanPowerW: each rack's time-mean while followed, summed over the racks that had
//   recommendations (racks without any are not followed, so they cannot be compared).
// - capBreachSeconds: summed over records. Records of one rack never overlap (a new one closes the
//   last); two racks over cap at the same moment count twice, an over-count we accept for now.
// - servedPercent: time-weighted over the records; always modelled (telemetry does not see load lost).
// - basis: from the share of followed time that was observed on that side.
import type { CounterfactualBasis, CounterfactualSide, CounterfactualSummary } from './types.js';
import type { OutcomeRecord, OutcomeSide } from './schema.js';

type Side = CounterfactualSide & { readonly basis: CounterfactualBasis };

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

function basisOf(seconds: number, measuredSeconds: number, records: readonly OutcomeRecord[], measuredWhenTaken: boolean): CounterfactualBasis {
  if (seconds > 0) return measuredSeconds >= seconds ? 'measured' : measuredSeconds <= 0 ? 'estimated' : 'mixed';
  // Nothing followed yet: judge by which side each record will be observed on.
  const observed = records.filter((r) => r.taken === measuredWhenTaken).length;
  return observed === records.length ? 'measured' : observed === 0 ? 'estimated' : 'mixed';
}

function side(records: readonly OutcomeRecord[], pick: (r: OutcomeRecord) => OutcomeSide, served: (r: OutcomeRecord) => number, measuredWhenTaken: boolean): Side {
  const perRack = new Map<string, { energyWh: number; seconds: number }>();
  let seconds = 0;
  let measuredSeconds = 0;
  let energyWh = 0;
  let peakPowerW = 0;
  let capBreachSeconds = 0;
  let servedSeconds = 0;
  for (const r of records) {
    const s = pick(r);
    const rack = perRack.get(r.rack) ?? { energyWh: 0, seconds: 0 };
    perRack.set(r.rack, { energyWh: rack.energyWh + s.energyWh, seconds: rack.seconds + s.seconds });
    seconds += s.seconds;
    measuredSeconds += s.measuredSeconds;
    energyWh += s.energyWh;
    peakPowerW = Math.max(peakPowerW, s.peakPowerW);
    capBreachSeconds += s.capBreachSeconds;
    servedSeconds += served(r) * s.seconds;
  }
  const meanPowerW = [...perRack.values()].reduce((sum, v) => sum + (v.seconds > 0 ? (v.energyWh * 3600) / v.seconds : 0), 0);
  const unweightedServed = records.length === 0 ? 100 : records.reduce((sum, r) => sum + served(r), 0) / records.length;
  return {
    meanPowerW: Math.round(meanPowerW),
    peakPowerW: Math.round(peakPowerW),
    capBreachSeconds: Math.round(capBreachSeconds),
    servedPercent: round(seconds > 0 ? servedSeconds / seconds : unweightedServed, 1),
    energyKWh: round(energyWh / 1000, 3),
    basis: basisOf(seconds, measuredSeconds, records, measuredWhenTaken),
  };
}

/** Summarises the records published in [fromMs, toMs]. */
export function summarizeOutcomes(records: readonly OutcomeRecord[], fromMs: number, toMs: number): CounterfactualSummary {
  const inPeriod = records.filter((r) => {
    const t = Date.parse(r.time);
    return t >= fromMs && t <= toMs;
  });
  const withActions = side(inPeriod, (r) => r.withActions, (r) => r.servedWithPercent, true);
  const withoutActions = side(inPeriod, (r) => r.withoutActions, (r) => r.servedWithoutPercent, false);
  const taken = inPeriod.filter((r) => r.taken).length;
  return {
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    recommendations: inPeriod.length,
    taken,
    withActions,
    withoutActions,
    verdict: verdict(inPeriod.length, taken, withActions, withoutActions),
  };
}

function verdict(recommendations: number, taken: number, w: Side, wo: Side): string {
  if (recommendations === 0) return 'no recommendations in this period';
  const head = `${recommendations} recommendation${recommendations === 1 ? '' : 's'}, ${taken} taken`;
  const breach = w.capBreachSeconds === wo.capBreachSeconds
    ? `${w.capBreachSeconds} s over cap either way`
    : `${w.capBreachSeconds} s over cap with the actions vs ${wo.capBreachSeconds} s without`;
  const energy = `${w.energyKWh} vs ${wo.energyKWh} kWh`;
  const load = `${w.servedPercent} % vs ${wo.servedPercent} % of load served`;
  return `${head}: ${breach}; ${energy}; ${load}`;
}
