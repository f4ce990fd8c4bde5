import t from 'tap';
import { BindLedger, podKey, type LedgerEntry, type UncoveredContext } from './ledger.js';

const MIN = 60_000;
const T = 10 * MIN;
const ctx = (over: Partial<UncoveredContext> = {}): UncoveredContext => ({
  nowMs: T,
  warmupMs: 10 * MIN,
  podPowerW: () => undefined,
  skipRack: () => false,
  ...over,
});
const entry = (over: Partial<LedgerEntry> = {}): LedgerEntry => ({ key: 'uid:a', rackId: 'r1', powerW: 700, boundAtMs: T - 5 * MIN, podRef: 'ns/a', confirmed: true, ...over });

void t.test('ledger: a bound pod counts until telemetry shows it drawing', async (t) => {
  const cases: { name: string; e: LedgerEntry; c?: Partial<UncoveredContext>; w: number }[] = [
    { name: 'bound, not running (image pull): full, however old the bind', e: entry({ boundAtMs: T - 60 * MIN }), w: 700 },
    { name: 'this replica\'s in-flight bind: full', e: entry({ confirmed: false, boundAtMs: T }), w: 700 },
    { name: 'running 2 min, no per-pod telemetry (model load): full', e: entry({ runningSinceMs: T - 2 * MIN }), w: 700 },
    { name: 'running past the warm-up, no per-pod telemetry: rack telemetry has it', e: entry({ runningSinceMs: T - 11 * MIN }), w: 0 },
    { name: 'running, per-pod telemetry 100 W (still loading): the rest', e: entry({ runningSinceMs: T - 2 * MIN }), c: { podPowerW: () => 100 }, w: 600 },
    { name: 'running, per-pod telemetry 900 W (above expected): nothing extra', e: entry({ runningSinceMs: T - 2 * MIN }), c: { podPowerW: () => 900 }, w: 0 },
    { name: 'per-pod telemetry wins over the warm-up window', e: entry({ runningSinceMs: T - 30 * MIN }), c: { podPowerW: () => 300 }, w: 400 },
    { name: 'no pod reference: warm-up rule', e: entry({ podRef: undefined, runningSinceMs: T - MIN }), c: { podPowerW: () => 700 }, w: 700 },
  ];
  for (const c of cases) t.equal(BindLedger.uncoveredW(c.e, ctx(c.c)), c.w, c.name);
});

void t.test('ledger: a telemetry sample newer than the bind does not drop the pod (model load burst)', async (t) => {
  const ledger = new BindLedger();
  ledger.record(entry({ key: 'uid:a', boundAtMs: T - 3 * MIN }));
  ledger.record(entry({ key: 'uid:b', powerW: 1400, boundAtMs: T - MIN, runningSinceMs: T - 30_000 }));
  ledger.record(entry({ key: 'uid:c', rackId: 'r2', boundAtMs: T - 20 * MIN, runningSinceMs: T - 15 * MIN }));
  ledger.record(entry({ key: 'uid:d', rackId: 'r3', boundAtMs: T }));
  t.same(ledger.uncoveredByRackW(ctx()), { r1: 2100, r3: 700 }, 'r2\'s pod is long past its warm-up; r1 and r3 still loading');
  t.same(ledger.uncoveredByRackW(ctx({ skipRack: (r) => r === 'r1' })), { r3: 700 }, 'a stale rack (at nameplate) adds nothing');
  t.same(ledger.uncoveredByRackW(ctx({ nowMs: T + 10 * MIN })), { r1: 700, r3: 700 }, 'warm-up over for b; a never ran');
});

void t.test('ledger: only unconfirmed in-flight binds expire; confirmed entries leave with their pod', async (t) => {
  const ledger = new BindLedger();
  ledger.record(entry({ key: 'uid:old-confirmed', boundAtMs: 0 }));
  ledger.record(entry({ key: 'uid:old-inflight', boundAtMs: 0, confirmed: false }));
  ledger.record(entry({ key: 'uid:new-inflight', boundAtMs: T, confirmed: false }));
  t.equal(ledger.pruneUnconfirmed(T - 5 * MIN), 1);
  t.same(['uid:old-confirmed', 'uid:old-inflight', 'uid:new-inflight'].map((k) => ledger.get(k) !== undefined), [true, false, true]);
  t.equal(ledger.pruneUnconfirmed(T - 5 * MIN), 0);
});

void t.test('ledger: the same pod seen twice (retried bind, then the informer) counts once, earliest bind time', async (t) => {
  const ledger = new BindLedger();
  ledger.record(entry({ boundAtMs: 2000, confirmed: false }));
  const v = ledger.version;
  ledger.record(entry({ boundAtMs: 2000, confirmed: false }));
  t.equal(ledger.version, v, 'identical record is not a change');
  ledger.record(entry({ boundAtMs: 1500, confirmed: true, runningSinceMs: 5000 }));
  t.match(ledger.get('uid:a'), { boundAtMs: 1500, confirmed: true, runningSinceMs: 5000 }, 'the informer\'s view replaces the bind\'s');
  ledger.record(entry({ boundAtMs: 9000, confirmed: false }));
  t.match(ledger.get('uid:a'), { boundAtMs: 1500, confirmed: true, runningSinceMs: 5000 }, 'a retried bind does not overwrite the API server\'s view');
  t.equal(ledger.size, 1);
  ledger.remove('uid:a');
  ledger.remove('uid:a');
  t.equal(ledger.size, 0);
});

void t.test('ledger: nonsense power or time is ignored', async (t) => {
  const ledger = new BindLedger();
  for (const [powerW, boundAtMs] of [[Number.NaN, 1], [-1, 1], [700, Number.NaN]] as const) ledger.record(entry({ key: 'k', powerW, boundAtMs }));
  t.equal(ledger.size, 0);
});

void t.test('pod keys: UID when known, else namespace/name', async (t) => {
  t.equal(podKey({ uid: 'u1', namespace: 'ns', name: 'p' }), 'uid:u1');
  t.equal(podKey({ uid: '', namespace: 'ns', name: 'p' }), 'name:ns/p');
  t.equal(podKey({ name: 'p' }), 'name:default/p');
});
