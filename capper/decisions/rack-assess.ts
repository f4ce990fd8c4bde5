// Judges each guarded rack: measured power, forecast peak over the horizon, cap, and a state that
// says whether to tighten (OverCap, ForecastOverCap), hold (Recovering, Unknown) or give back
// (UnderCap, only after staying below the restore level for restoreAfter: the hysteresis).
import type { Rack, Topology } from '../../rack-model/types.js';
import type { ResolvedPolicy } from '../policy-validate.js';
import { forecastPeakW } from './forecast.js';
import type { PowerSnapshot, RackAssessment, RackHistory } from './types.js';

export function capW(policy: ResolvedPolicy, rack: Rack): number {
  return 'watts' in policy.cap ? policy.cap.watts : (rack.powerBudgetW * policy.cap.percentOfBudget) / 100;
}

export function guardedRacks(policy: ResolvedPolicy, topology: Topology): { racks: Rack[]; unknown: string[] } {
  if (policy.racks.length === 0) return { racks: [...topology.racks], unknown: [] };
  const racks: Rack[] = [];
  const unknown: string[] = [];
  for (const id of policy.racks) {
    const index = topology.rackIndex.get(id);
    const rack = index === undefined ? undefined : topology.racks[index];
    if (rack === undefined) unknown.push(id);
    else racks.push(rack);
  }
  return { racks, unknown };
}

export interface AssessResult {
  readonly racks: RackAssessment[];
  readonly belowRestoreSinceMs: Record<string, number>;
  readonly problems: string[];
}

export function assessRacks(
  policy: ResolvedPolicy,
  topology: Topology,
  snapshot: PowerSnapshot | undefined,
  history: RackHistory,
  belowRestoreSinceMs: Readonly<Record<string, number>>,
  nowMs: number,
): AssessResult {
  const { racks, unknown } = guardedRacks(policy, topology);
  const problems = unknown.map((id) => `rack ${id} named by the policy is not in the topology`);
  const below: Record<string, number> = {};
  const out: RackAssessment[] = [];
  for (const rack of racks) {
    const cap = capW(policy, rack);
    const sample = snapshot?.rackPowerW[rack.id];
    if (sample === undefined || sample.stale || !Number.isFinite(sample.value)) {
      // No trustworthy reading: hold every cap as it is and restart the restore timer.
      problems.push(`rack ${rack.id}: ${sample === undefined ? 'no power reading' : 'power reading is stale'}; holding`);
      out.push({ id: rack.id, state: 'Unknown', capW: cap, excessW: 0 });
      continue;
    }
    const measuredW = sample.value;
    const forecast = forecastPeakW(history[rack.id] ?? [], policy.forecast.method, policy.forecast.horizonMs, policy.forecast.seasonLengthMs, policy.forecast.upperBandSigmas);
    const judgedW = Math.max(measuredW, forecast?.peakW ?? measuredW);
    const restoreLevelW = (cap * policy.hysteresis.restoreBelowPercentOfCap) / 100;
    let state: RackAssessment['state'];
    if (measuredW > cap) state = 'OverCap';
    else if (judgedW > cap) state = 'ForecastOverCap';
    else if (judgedW < restoreLevelW) {
      const since = belowRestoreSinceMs[rack.id] ?? nowMs;
      below[rack.id] = since;
      state = nowMs - since >= policy.hysteresis.restoreAfterMs ? 'UnderCap' : 'Recovering';
    } else state = 'Recovering';
    out.push({
      id: rack.id,
      state,
      capW: cap,
      measuredW: round(measuredW),
      ...(forecast === undefined ? {} : { forecastW: round(forecast.peakW) }),
      excessW: judgedW - cap,
    });
  }
  return { racks: out, belowRestoreSinceMs: below, problems };
}

function round(w: number): number {
  return Math.round(w * 10) / 10;
}

export function isHot(r: RackAssessment): boolean {
  return r.state === 'OverCap' || r.state === 'ForecastOverCap';
}
