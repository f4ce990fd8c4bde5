import t from 'tap';
import { Value } from 'typebox/value';
import { NOW_MS } from '../decisions/test-fixtures.js';
import { CounterfactualSummarySchema, type OutcomeRecord, type OutcomeSide } from './schema.js';
import { summarizeOutcomes } from './summary.js';

const MIN = 60_000;
/** A side followed for `seconds` at a constant power. */
const side = (powerW: number, seconds: number, measured: boolean, breachSeconds = 0): OutcomeSide => ({
  seconds,
  measuredSeconds: measured ? seconds : 0,
  energyWh: (powerW * seconds) / 3600,
  peakPowerW: powerW,
  capBreachSeconds: breachSeconds,
});
/** A closed record: taken → "with" observed; not taken → "without" observed. */
function record(rack: string, atMin: number, taken: boolean, withW: number, withoutW: number, breach: [number, number] = [0, 0], seconds = 600): OutcomeRecord {
  return {
    rack,
    time: new Date(NOW_MS + atMin * MIN).toISOString(),
    until: new Date(NOW_MS + atMin * MIN + seconds * 1000).toISOString(),
    capW: 9000,
    actions: ['SetGpuPowerLimit a1 300'],
    effectW: withW - withoutW,
    floorW: 343,
    servedWithPercent: 90,
    servedWithoutPercent: 100,
    taken,
    closed: true,
    withActions: side(withW, seconds, taken, breach[0]),
    withoutActions: side(withoutW, seconds, !taken, breach[1]),
  };
}

void t.test('basis of each side follows what was observed', async (t) => {
  const cases: [string, OutcomeRecord[], [string, string]][] = [
    ['every recommendation taken (Enforce)', [record('rack-a', 0, true, 8800, 9600), record('rack-a', 10, true, 8700, 9500)], ['measured', 'estimated']],
    ['none taken (Recommend, never approved)', [record('rack-a', 0, false, 8800, 9600)], ['estimated', 'measured']],
    ['some approved, some not', [record('rack-a', 0, true, 8800, 9600), record('rack-b', 0, false, 8800, 9600)], ['mixed', 'mixed']],
    ['just opened, nothing followed yet, taken', [record('rack-a', 0, true, 0, 0, [0, 0], 0)], ['measured', 'estimated']],
  ];
  for (const [name, records, [withBasis, withoutBasis]] of cases) {
    const s = summarizeOutcomes(records, NOW_MS, NOW_MS + 60 * MIN);
    t.same([s.withActions.basis, s.withoutActions.basis], [withBasis, withoutBasis], name);
    t.ok(Value.Check(CounterfactualSummarySchema, s), `${name}: fits the status schema`);
  }
});

void t.test('two racks: mean power per rack summed, peaks the highest, breaches and energy added, served time-weighted', async (t) => {
  const records = [
    record('rack-a', 0, true, 8800, 9600, [0, 600]),
    record('rack-a', 10, true, 9000, 9800, [0, 600], 1200),
    record('rack-b', 5, false, 7000, 7800, [0, 0]),
  ];
  const s = summarizeOutcomes(records, NOW_MS, NOW_MS + 60 * MIN);
  t.equal(s.recommendations, 3);
  t.equal(s.taken, 2);
  // rack-a: (8800 × 600 + 9000 × 1200) / 1800 = 8933 W; rack-b 7000 W.
  t.same(s.withActions, { meanPowerW: 8933 + 7000, peakPowerW: 9000, capBreachSeconds: 0, servedPercent: 90, energyKWh: 5.633, basis: 'mixed' });
  t.same(s.withoutActions, { meanPowerW: 9733 + 7800, peakPowerW: 9800, capBreachSeconds: 1200, servedPercent: 100, energyKWh: 6.167, basis: 'mixed' });
  t.equal(s.verdict, '3 recommendations, 2 taken: 0 s over cap with the actions vs 1200 s without; 5.633 vs 6.167 kWh; 90 % vs 100 % of load served');
  t.equal(s.from, new Date(NOW_MS).toISOString());
  t.equal(s.to, new Date(NOW_MS + 60 * MIN).toISOString());
});

void t.test('the period: only recommendations published in it count', async (t) => {
  const records = [record('rack-a', -300, true, 8800, 9600), record('rack-a', 0, false, 8800, 9600)];
  const s = summarizeOutcomes(records, NOW_MS - MIN, NOW_MS + MIN);
  t.equal(s.recommendations, 1);
  t.equal(s.taken, 0);
  const empty = summarizeOutcomes(records, NOW_MS + 10 * MIN, NOW_MS + 20 * MIN);
  t.match(empty, { recommendations: 0, taken: 0, verdict: 'no recommendations in this period', withActions: { energyKWh: 0, servedPercent: 100 } });
});

void t.test('verdict when the actions change nothing about breaches', async (t) => {
  const s = summarizeOutcomes([record('rack-a', 0, true, 9200, 10000, [600, 600])], NOW_MS, NOW_MS + 60 * MIN);
  t.match(s.verdict, /^1 recommendation, 1 taken: 600 s over cap either way;/);
});
