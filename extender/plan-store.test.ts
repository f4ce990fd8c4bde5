import t from 'tap';
import { ManualClock, silentLogger } from '../common/index.js';
import { lpPlanner } from '../rack-model/index.js';
import type { PlanRequest, PlanResult, Planner } from '../rack-model/types.js';
import { PlanStore, type AsyncPlanner, type PlanInputs } from './plan-store.js';
import { fourRackTopology } from './testing/fixtures.js';

const topology = fourRackTopology();

function counting(inner: Planner): Planner & { calls: PlanRequest[] } {
  const calls: PlanRequest[] = [];
  return { name: inner.name, calls, plan: (r) => (calls.push(r), inner.plan(r)) };
}

void t.test('plan store: solves only when the inputs moved, serves the latest plan', async (t) => {
  const planner = counting(lpPlanner);
  let inputs: PlanInputs = { topology, topologyVersion: 1, rackPowerW: { r1: 9000, r2: 2000, r3: 5000, r4: 5000 }, demandW: 1400 };
  const outcomes: string[] = [];
  const clock = new ManualClock(1000);
  const store = new PlanStore({ planner, inputs: () => inputs, clock, logger: silentLogger(), debounceMs: 5, onSolve: (o) => outcomes.push(o) });
  t.equal(store.latest(), undefined);
  t.ok(store.refresh());
  t.equal(store.latest()?.computedAtMs, 1000);
  t.equal(store.latest()?.plan.feasible, true);
  const allocation = store.latest()?.plan.allocationW ?? {};
  t.ok((allocation.r2 ?? 0) >= (allocation.r1 ?? 0), 'the idle rack gets at least as much as the hot one');
  t.notOk(store.refresh(), 'same inputs: no solve');
  inputs = { ...inputs, rackPowerW: { ...inputs.rackPowerW, r1: 9010 } };
  t.notOk(store.refresh(), 'a 10 W wobble is below the resolution');
  inputs = { ...inputs, demandW: 2800 };
  t.ok(store.refresh(), 'pending demand changed');
  inputs = { ...inputs, topologyVersion: 2 };
  t.ok(store.refresh(), 'topology changed');
  t.equal(planner.calls.length, 3);
  t.same(outcomes, ['feasible', 'feasible', 'feasible']);
});

void t.test('plan store: a burst of notifications costs one debounced solve', async (t) => {
  const planner = counting(lpPlanner);
  let version = 1;
  const store = new PlanStore({
    planner,
    inputs: () => ({ topology, topologyVersion: version, rackPowerW: {}, demandW: 700 }),
    clock: new ManualClock(0),
    logger: silentLogger(),
    debounceMs: 20,
  });
  for (let i = 0; i < 10; i++) {
    version++;
    store.notify();
  }
  t.equal(planner.calls.length, 0, 'never on the caller\'s path');
  await new Promise((r) => setTimeout(r, 60));
  t.equal(planner.calls.length, 1);
  store.stop();
});

void t.test('plan store: a failing planner keeps the previous plan; no topology means no plan', async (t) => {
  let fail = false;
  const planner: Planner = { name: 'flaky', plan: (r) => { if (fail) throw new Error('solver exploded'); return lpPlanner.plan(r); } };
  let demandW = 700;
  const outcomes: string[] = [];
  const store = new PlanStore({ planner, inputs: () => ({ topology, topologyVersion: 1, rackPowerW: {}, demandW }), clock: new ManualClock(5), logger: silentLogger(), debounceMs: 1, onSolve: (o) => outcomes.push(o) });
  store.refresh();
  const first = store.latest();
  fail = true;
  demandW = 1400;
  t.notOk(store.refresh());
  t.equal(store.latest(), first);
  t.same(outcomes, ['feasible', 'error']);
  const empty = new PlanStore({ planner, inputs: () => undefined, clock: new ManualClock(0), logger: silentLogger(), debounceMs: 1 });
  t.notOk(empty.refresh());
  empty.start(1000);
  empty.stop();
});

void t.test('plan store: infeasible demand is stored as an infeasible plan', async (t) => {
  const store = new PlanStore({
    planner: lpPlanner,
    inputs: () => ({ topology, topologyVersion: 1, rackPowerW: { r1: 9900, r2: 9900, r3: 9900, r4: 9900 }, demandW: 5000 }),
    clock: new ManualClock(0),
    logger: silentLogger(),
    debounceMs: 1,
  });
  store.refresh();
  t.equal(store.latest()?.plan.feasible, false);
});

/** An async planner whose solves the test finishes by hand. */
function manualAsync(): AsyncPlanner & { calls: PlanRequest[]; finish(i: number, err?: Error): void } {
  const calls: PlanRequest[] = [];
  const settle: { resolve: (p: PlanResult) => void; reject: (e: Error) => void }[] = [];
  return {
    name: 'manual',
    calls,
    plan: (r) => {
      calls.push(r);
      return new Promise<PlanResult>((resolve, reject) => settle.push({ resolve, reject }));
    },
    close: async () => undefined,
    finish: (i, err) => {
      const s = settle[i];
      const req = calls[i];
      if (s === undefined || req === undefined) throw new Error(`no solve ${i}`);
      if (err === undefined) s.resolve(lpPlanner.plan(req));
      else s.reject(err);
    },
  };
}

void t.test('plan store with an async planner: one solve at a time, one more when inputs moved meanwhile', async (t) => {
  const planner = manualAsync();
  let demandW = 700;
  const outcomes: string[] = [];
  const store = new PlanStore({ planner, inputs: () => ({ topology, topologyVersion: 1, rackPowerW: {}, demandW }), clock: new ManualClock(7), logger: silentLogger(), debounceMs: 1, onSolve: (o) => outcomes.push(o) });
  t.ok(store.refresh(), 'a solve started');
  t.equal(store.latest(), undefined, 'no plan until the solve ends');
  demandW = 1400;
  t.notOk(store.refresh(), 'a second refresh while solving does not start another solve');
  t.notOk(store.refresh());
  t.equal(planner.calls.length, 1);
  planner.finish(0);
  await new Promise((r) => setImmediate(r));
  t.equal(store.latest()?.plan.feasible, true);
  t.equal(planner.calls.length, 2, 'the refreshes seen while solving cost exactly one more solve');
  t.equal(planner.calls[1]?.demandW, 1400, 'with the newest inputs');
  planner.finish(1, new Error('worker died'));
  await store.settled();
  t.equal(store.latest()?.plan.allocationW.r1 !== undefined, true, 'the first plan is kept after a failed solve');
  t.same(outcomes, ['feasible', 'error']);
  t.ok(store.refresh(), 'a failed solve is retried on the next refresh');
  t.equal(planner.calls.length, 3);
  planner.finish(2);
  await store.settled();
  t.same(outcomes, ['feasible', 'error', 'feasible']);
});
