import t from 'tap';
import { Value } from 'typebox/value';
import { node, NOW_MS, pods, scaledObject, snapshot } from '../decisions/test-fixtures.js';
import type { Action, PowerSample, RackAssessment } from '../decisions/types.js';
import type { ActionRecord } from '../policy-schema.js';
import { FOLLOW_MS, fold, MAX_OUTCOMES, MAX_SAMPLE_GAP_MS, updateOutcomes, type OutcomeUpdate } from './outcomes.js';
import { OutcomeRecordSchema, type OutcomeRecord } from './schema.js';

const MIN = 60_000;
const so = scaledObject();
const context = { targets: { nodes: [node('a1', 'rack-a'), node('a2', 'rack-a'), node('b1', 'rack-b')], scaledObjects: [so], pods: pods(so) }, snapshot: snapshot({ 'rack-a': 9800 }) };
const rack = (state: RackAssessment['state'], measuredW = 9800, id = 'rack-a'): RackAssessment => ({ id, state, capW: 9000, measuredW, excessW: measuredW - 9000 });
const gpu = (n: string, limitW: number, rackId = 'rack-a'): Action => ({ kind: 'SetGpuPowerLimit', node: n, rackId, limitW, reason: 'hot' });
const step300 = [gpu('a1', 300), gpu('a2', 300)]; // -800 W by the model
const applied = (target: string, atMs: number, rackId = 'rack-a', value = 300): ActionRecord => ({ kind: 'SetGpuPowerLimit', target, value, rack: rackId, reason: 'hot', time: new Date(atMs).toISOString() });
/** One sample a minute from `fromMs`, `count` of them, at the powers given (cycled). */
const samples = (fromMs: number, count: number, ...powerW: number[]): PowerSample[] =>
  Array.from({ length: count }, (_, i) => ({ timeMs: fromMs + i * MIN, powerW: powerW[i % powerW.length] ?? 0 }));

const update = (previous: readonly OutcomeRecord[], parts: Partial<OutcomeUpdate>): OutcomeRecord[] =>
  updateOutcomes(previous, { nowMs: NOW_MS, racks: [rack('OverCap')], published: step300, applied: [], history: {}, context, ...parts });

void t.test('a hot rack\'s recommendation opens a record with the model\'s effect; only when it changes', async (t) => {
  const first = update([], {});
  t.equal(first.length, 1);
  t.match(first[0], { rack: 'rack-a', time: new Date(NOW_MS).toISOString(), capW: 9000, effectW: -800, actions: ['SetGpuPowerLimit a1 300', 'SetGpuPowerLimit a2 300'], taken: false });
  t.equal(update(first, { nowMs: NOW_MS + MIN }).length, 1, 'same recommendation next tick: still one record');
  const changed = update(first, { nowMs: NOW_MS + 2 * MIN, published: [gpu('a1', 275), gpu('a2', 275)] });
  t.equal(changed.length, 2, 'a new recommendation');
  t.equal(changed[0]?.until, new Date(NOW_MS + 2 * MIN).toISOString(), 'the previous one is followed until the rack\'s next recommendation');
  t.equal(changed[0]?.closed, true);
  const cases: [string, Partial<OutcomeUpdate>][] = [
    ['rack under its cap', { racks: [rack('UnderCap', 7000)] }],
    ['only deletion costs (no power moved)', { published: [{ kind: 'SetPodDeletionCost', namespace: 'ml', name: 'p', rackId: 'rack-a', cost: -100, reason: '' }] }],
    ['actions of another rack', { published: [gpu('b1', 300, 'rack-b')] }],
    ['nothing published (Observe)', { published: [] }],
  ];
  for (const [name, parts] of cases) t.same(update([], parts), [], name);
});

void t.test('the same actions after the rack recovered are a new recommendation; Unknown proves nothing', async (t) => {
  const first = update([], {});
  const stale = update(first, { nowMs: NOW_MS + MIN, racks: [rack('Unknown')] });
  t.equal(stale[0]?.recovered, undefined);
  t.equal(update(stale, { nowMs: NOW_MS + 2 * MIN }).length, 1);
  const recovered = update(first, { nowMs: NOW_MS + MIN, racks: [rack('UnderCap', 7000)] });
  t.equal(recovered[0]?.recovered, true);
  t.equal(update(recovered, { nowMs: NOW_MS + 2 * MIN }).length, 2);
});

void t.test('taken: applied to the rack within the window (Enforce in the same tick, or a later approval)', async (t) => {
  const cases: [string, ActionRecord[], string | undefined][] = [
    ['Enforce: applied in the same tick', [applied('a1', NOW_MS)], new Date(NOW_MS).toISOString()],
    ['approved five minutes later', [applied('a2', NOW_MS + 5 * MIN)], new Date(NOW_MS + 5 * MIN).toISOString()],
    ['an older application does not count', [applied('a1', NOW_MS - MIN)], undefined],
    ['another rack\'s target does not count', [applied('b1', NOW_MS + MIN, 'rack-b')], undefined],
    ['after the follow window it is too late', [applied('a1', NOW_MS + FOLLOW_MS)], undefined],
  ];
  for (const [name, records, takenTime] of cases) {
    const [r] = update(update([], {}), { nowMs: NOW_MS + 6 * MIN, applied: records });
    t.equal(r?.taken, takenTime !== undefined, name);
    t.equal(r?.takenTime, takenTime, `${name}: time`);
  }
});

void t.test('taken vs not taken: the observed side and the modelled other side, breaches recomputed', async (t) => {
  // Ten minutes of samples; cap 9000 W, the actions remove 800 W.
  const cases: [string, number, ActionRecord[], { withW: number; withoutW: number; withBreach: number; withoutBreach: number; withMeasured: number; withoutMeasured: number }][] = [
    ['not taken, 9500 W: with the actions it would have stayed under', 9500, [], { withW: 8700, withoutW: 9500, withBreach: 0, withoutBreach: 600, withMeasured: 0, withoutMeasured: 600 }],
    ['taken, 8800 W: without them it would have been over', 8800, [applied('a1', NOW_MS)], { withW: 8800, withoutW: 9600, withBreach: 0, withoutBreach: 600, withMeasured: 600, withoutMeasured: 0 }],
    ['taken but not enough, 9200 W: over either way', 9200, [applied('a1', NOW_MS)], { withW: 9200, withoutW: 10000, withBreach: 600, withoutBreach: 600, withMeasured: 600, withoutMeasured: 0 }],
    ['not taken, nearly idle: the model stops at the GPUs\' idle floor', 500, [], { withW: 343, withoutW: 500, withBreach: 0, withoutBreach: 0, withMeasured: 0, withoutMeasured: 600 }],
  ];
  for (const [name, powerW, appliedRecords, want] of cases) {
    const [r] = update(update([], {}), { applied: appliedRecords, nowMs: NOW_MS + 10 * MIN, history: { 'rack-a': samples(NOW_MS, 11, powerW) } });
    const w = r?.withActions;
    const wo = r?.withoutActions;
    t.same(
      { withW: Math.round(((w?.energyWh ?? 0) * 3600) / (w?.seconds ?? 1)), withoutW: Math.round(((wo?.energyWh ?? 0) * 3600) / (wo?.seconds ?? 1)), withBreach: w?.capBreachSeconds, withoutBreach: wo?.capBreachSeconds, withMeasured: w?.measuredSeconds, withoutMeasured: wo?.measuredSeconds },
      want,
      name,
    );
    t.equal(w?.peakPowerW, want.withW, `${name}: peak`);
  }
});

void t.test('approved mid-window: before the approval observed "without", after it observed "with"', async (t) => {
  const opened = update([], {});
  // 9800 W for 5 minutes, approved at +5 min, then 9000 W.
  const history = { 'rack-a': [...samples(NOW_MS, 5, 9800), ...samples(NOW_MS + 5 * MIN, 6, 9000)] };
  const [r] = update(opened, { nowMs: NOW_MS + 10 * MIN, applied: [applied('a1', NOW_MS + 5 * MIN)], history });
  t.match(r?.withActions, { seconds: 600, measuredSeconds: 300, capBreachSeconds: 0, energyWh: 1500 });  // 9000 W for 600 s, observed or modelled
  t.match(r?.withoutActions, { seconds: 600, measuredSeconds: 300, capBreachSeconds: 600, energyWh: 1633.33 }); // 9800 W for 600 s, rounded to 0.01 Wh
});

void t.test('the follow window: samples after it are ignored, the last one is held to its end, gaps count at most 5 min', async (t) => {
  const [open] = update([], { followMs: 10 * MIN });
  const r = open as OutcomeRecord;
  const closed = fold(r, samples(NOW_MS, 20, 9500), NOW_MS + 20 * MIN);
  t.equal(closed.closed, true);
  t.equal(closed.withoutActions.seconds, 600);
  t.equal(closed.lastSample, undefined);
  t.same(fold(closed, samples(NOW_MS, 20, 9900), NOW_MS + 30 * MIN), closed, 'a closed record never changes');
  const gap = fold(r, [{ timeMs: NOW_MS, powerW: 9500 }, { timeMs: NOW_MS + 9 * MIN, powerW: 9500 }], NOW_MS + 9 * MIN);
  t.equal(gap.withoutActions.seconds, MAX_SAMPLE_GAP_MS / 1000, 'a 9 min telemetry gap counts as 5 min');
  t.equal(gap.closed, false);
  t.match(gap.lastSample, { time: new Date(NOW_MS + 9 * MIN).toISOString(), powerW: 9500 });
});

void t.test('restart: records written to status and read back continue exactly as if nothing happened', async (t) => {
  const history = samples(NOW_MS, 31, 9500, 9100, 8800);
  const straight = update(update([], {}), { nowMs: NOW_MS + 30 * MIN, applied: [applied('a1', NOW_MS + 7 * MIN)], history: { 'rack-a': history } });
  let restarted = update([], {});
  for (const atMin of [4, 11, 18, 30]) {
    // Each tick's status goes through JSON (the API server) and is all the next capper knows.
    const fromStatus = JSON.parse(JSON.stringify(restarted)) as OutcomeRecord[];
    t.ok(fromStatus.every((r) => Value.Check(OutcomeRecordSchema, r)), `valid status at +${atMin} min`);
    const approvals = atMin >= 7 ? [applied('a1', NOW_MS + 7 * MIN)] : [];
    restarted = update(fromStatus, { nowMs: NOW_MS + atMin * MIN, applied: approvals, history: { 'rack-a': history.filter((s) => s.timeMs <= NOW_MS + atMin * MIN) } });
  }
  // Energy is rounded to 0.01 Wh at every status write: four writes may differ by a few hundredths.
  const energyOf = (rs: OutcomeRecord[]) => rs.map((r) => [r.withActions.energyWh, r.withoutActions.energyWh]).flat();
  const withoutEnergy = (rs: OutcomeRecord[]) => rs.map((r) => ({ ...r, withActions: { ...r.withActions, energyWh: 0 }, withoutActions: { ...r.withoutActions, energyWh: 0 } }));
  t.same(withoutEnergy(restarted), withoutEnergy(straight));
  for (const [i, e] of energyOf(restarted).entries()) t.ok(Math.abs(e - (energyOf(straight)[i] ?? 0)) < 0.05, `energy ${e} Wh as without restarts`);
  t.equal(restarted[0]?.taken, true);
  t.equal(straight[0]?.closed, true);
});

void t.test('bounded list: only the newest 20 records are kept', async (t) => {
  let records: OutcomeRecord[] = [];
  for (let i = 0; i < 25; i++) records = update(records, { nowMs: NOW_MS + i * MIN, published: [gpu('a1', 390 - i * 10)] });
  t.equal(records.length, MAX_OUTCOMES);
  t.same(records.map((r) => r.actions[0]).slice(-2), ['SetGpuPowerLimit a1 160', 'SetGpuPowerLimit a1 150'], 'newest last');
  t.equal(records[0]?.time, new Date(NOW_MS + 5 * MIN).toISOString(), 'the oldest five dropped');
});
