// Outcome records: one per recommendation for a hot rack, following what the rack did afterwards.
// Pure; the caller passes the time, the history and the status it read. The records live in the
// policy status (status.outcomes), so a restarted capper continues folding where it stopped; they
// hold running aggregates, never raw samples, and only the newest MAX_OUTCOMES are kept.
//
// Each sample interval counts on both sides: the observed power on the side that happened (actions
// in effect or not, at the interval's start) and the modelled power on the other one:
//   in effect:     with = observed,                       without = observed − effectW
//   not in effect: with = max(floorW, observed + effectW), without = observed
// Breach seconds are judged per interval against the cap, which is why the shift happens while
// folding: aggregates cannot be shifted afterwards. Simplifications: power is held from one sample
// to the next (at most MAX_SAMPLE_GAP_MS); the actions count from the moment they were applied
// (agent and autoscaler lag ignored); each record is judged over its own window only, against the
// rack as it was (earlier caps included), so records do not compound.
import { isHot } from '../decisions/rack-assess.js';
import type { Action, RackAssessment, RackHistory } from '../decisions/types.js';
import type { ActionRecord } from '../policy-schema.js';
import { actionRecord } from '../status.js';
import { rackEffect, type EffectContext } from './effect.js';
import type { OutcomeRecord, OutcomeSide } from './schema.js';

export const MAX_OUTCOMES = 20;
/** How long a recommendation is followed unless the rack gets a new one first. */
export const FOLLOW_MS = 30 * 60_000;
/** A sample stands for at most this long; a longer gap in telemetry is not counted. */
export const MAX_SAMPLE_GAP_MS = 5 * 60_000;

const POWER_ACTIONS: ReadonlySet<Action['kind']> = new Set(['SetGpuPowerLimit', 'SetMaxReplicas']);

const emptySide = (): OutcomeSide => ({ seconds: 0, measuredSeconds: 0, energyWh: 0, peakPowerW: 0, capBreachSeconds: 0 });
const iso = (ms: number) => new Date(ms).toISOString();
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** "kind target value": what identifies a recommendation's action, and how the record lists it. */
export function actionLabel(r: Pick<ActionRecord, 'kind' | 'target' | 'value'>): string {
  return `${r.kind} ${r.target}${r.value === undefined ? '' : ` ${r.value}`}`;
}

const targetOf = (label: string) => label.split(' ')[1] ?? '';

export interface OutcomeUpdate {
  readonly nowMs: number;
  readonly racks: readonly RackAssessment[];
  /** Actions published this tick (Recommend and Enforce). */
  readonly published: readonly Action[];
  /** status.appliedActions after this tick (earlier ticks, approvals, this tick's). */
  readonly applied: readonly ActionRecord[];
  readonly history: RackHistory;
  /** For the model: targets and snapshot as the decision saw them. */
  readonly context: Omit<EffectContext, 'rackId' | 'rackMeasuredW'>;
  readonly followMs?: number;
}

/** A rack that is neither hot nor Unknown has recovered; Unknown (stale telemetry) proves nothing either way. */
export function recovered(rack: RackAssessment): boolean {
  return !isHot(rack) && rack.state !== 'Unknown';
}

/**
 * The rule that makes a recommendation (shared with the simulator's count): a hot rack with power
 * actions (GPU limits, replica ceilings; deletion costs only steer scale-in) that differ from its
 * newest recommendation's, or whose newest one ended with the rack recovering. Undefined = none.
 */
export function newRecommendation(
  rack: RackAssessment,
  published: readonly Action[],
  newest: { readonly actions: readonly string[]; readonly recovered?: boolean | undefined } | undefined,
): { actions: Action[]; labels: string[] } | undefined {
  if (!isHot(rack)) return undefined;
  const actions = published.filter((a) => a.rackId === rack.id && POWER_ACTIONS.has(a.kind));
  if (actions.length === 0) return undefined;
  // The label has no time in it: the same action recommended again is the same recommendation.
  const labels = actions.map((a) => actionLabel(actionRecord(a, 0))).sort();
  if (newest !== undefined && newest.recovered !== true && newest.actions.join('|') === labels.join('|')) return undefined;
  return { actions, labels };
}

/** One reconcile's step: mark recoveries, open new records, mark taken ones, fold new samples, bound the list. */
export function updateOutcomes(previous: readonly OutcomeRecord[], u: OutcomeUpdate): OutcomeRecord[] {
  const records = previous.map((r) => ({ ...r }));
  const newestOf = (rack: string) => records.findLast((r) => r.rack === rack);
  for (const rack of u.racks) {
    const newest = newestOf(rack.id);
    if (!isHot(rack)) {
      if (newest !== undefined && recovered(rack)) newest.recovered = true;
      continue;
    }
    const fresh = newRecommendation(rack, u.published, newest);
    if (fresh === undefined) continue;
    if (newest !== undefined && Date.parse(newest.until) > u.nowMs) newest.until = iso(u.nowMs);
    records.push(openRecord(rack, fresh.actions, fresh.labels, u));
  }
  return records.map((r) => fold(markTaken(r, u.applied), u.history[r.rack] ?? [], u.nowMs)).slice(-MAX_OUTCOMES);
}

function openRecord(rack: RackAssessment, actions: readonly Action[], labels: string[], u: OutcomeUpdate): OutcomeRecord {
  const effect = rackEffect(actions, { ...u.context, rackId: rack.id, rackMeasuredW: rack.measuredW ?? rack.capW });
  return {
    rack: rack.id,
    time: iso(u.nowMs),
    until: iso(u.nowMs + (u.followMs ?? FOLLOW_MS)),
    capW: Math.round(rack.capW),
    actions: labels,
    ...effect,
    taken: false,
    closed: false,
    withActions: emptySide(),
    withoutActions: emptySide(),
  };
}

/**
 * Taken = an action of the record applied to the rack inside its window (Enforce, or an approval).
 * A closed record stays as folded: its samples were already counted as not taken.
 */
export function markTaken(r: OutcomeRecord, applied: readonly ActionRecord[]): OutcomeRecord {
  if (r.taken || r.closed) return r;
  const startMs = Date.parse(r.time);
  const untilMs = Date.parse(r.until);
  const targets = new Set(r.actions.map(targetOf));
  const times = applied
    .filter((a) => a.rack === r.rack && targets.has(a.target))
    .map((a) => Date.parse(a.time))
    .filter((t) => t >= startMs && t < untilMs);
  if (times.length === 0) return r;
  return { ...r, taken: true, takenTime: iso(Math.min(...times)) };
}

/** Folds the rack's samples newer than the record's last one; closes the record once its window is over. */
export function fold(r: OutcomeRecord, samples: readonly { timeMs: number; powerW: number }[], nowMs: number): OutcomeRecord {
  if (r.closed) return r;
  const startMs = Date.parse(r.time);
  const untilMs = Date.parse(r.until);
  const takenMs = r.takenTime === undefined ? undefined : Date.parse(r.takenTime);
  const withSide = { ...r.withActions };
  const withoutSide = { ...r.withoutActions };
  let last = r.lastSample === undefined ? undefined : { timeMs: Date.parse(r.lastSample.time), powerW: r.lastSample.powerW };
  const hold = (s: { timeMs: number; powerW: number }, endMs: number) => {
    const seconds = Math.min(endMs - s.timeMs, MAX_SAMPLE_GAP_MS) / 1000;
    if (seconds <= 0) return;
    const inEffect = takenMs !== undefined && takenMs <= s.timeMs;
    const modelled = inEffect ? s.powerW - r.effectW : Math.max(r.floorW, s.powerW + r.effectW);
    add(withSide, inEffect ? s.powerW : modelled, seconds, inEffect, r.capW);
    add(withoutSide, inEffect ? modelled : s.powerW, seconds, !inEffect, r.capW);
  };
  for (const s of [...samples].sort((a, b) => a.timeMs - b.timeMs)) {
    if (s.timeMs < startMs || s.timeMs >= untilMs || !Number.isFinite(s.powerW)) continue;
    if (last !== undefined && s.timeMs <= last.timeMs) continue;
    if (last !== undefined) hold(last, s.timeMs);
    last = s;
  }
  const closed = nowMs >= untilMs;
  if (closed && last !== undefined) hold(last, untilMs);
  const { lastSample: _dropped, ...rest } = r;
  return {
    ...rest,
    closed,
    ...(closed || last === undefined ? {} : { lastSample: { time: iso(last.timeMs), powerW: round(last.powerW, 1) } }),
    withActions: rounded(withSide),
    withoutActions: rounded(withoutSide),
  };
}

function add(side: { -readonly [K in keyof OutcomeSide]: OutcomeSide[K] }, powerW: number, seconds: number, measured: boolean, capW: number): void {
  side.seconds += seconds;
  if (measured) side.measuredSeconds += seconds;
  side.energyWh += (powerW * seconds) / 3600;
  side.peakPowerW = Math.max(side.peakPowerW, powerW);
  if (powerW > capW) side.capBreachSeconds += seconds;
}

function rounded(s: OutcomeSide): OutcomeSide {
  return {
    seconds: round(s.seconds, 1),
    measuredSeconds: round(s.measuredSeconds, 1),
    energyWh: round(s.energyWh, 2),
    peakPowerW: Math.round(s.peakPowerW),
    capBreachSeconds: round(s.capBreachSeconds, 1),
  };
}
