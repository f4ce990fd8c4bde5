import t from 'tap';
import { greedyPlanner, lpPlanner } from '../rack-model/index.js';
import { planProblem } from '../benchmarks/plan-problems.js';
import { WorkerPlanner, fromWire, toWire } from './plan-worker.js';
import { fourRackTopology } from './testing/fixtures.js';

const topology = fourRackTopology();
const request = { topology, rackPowerW: { r1: 9000, r2: 2000, r3: 5000, r4: 5000 }, demandW: 1400 };

void t.test('wire topology: maps survive the thread boundary as entry lists', async (t) => {
  const back = fromWire(structuredClone(toWire(topology)));
  t.same([...back.rackIndex], [...topology.rackIndex]);
  t.same([...back.nodeRack], [...topology.nodeRack]);
  t.same(back.recirculationCPerKW, topology.recirculationCPerKW);
  // Why the wire form exists: a FrozenMap's entries are private and do not clone.
  t.equal((structuredClone(topology.rackIndex) as unknown as { size?: number }).size, undefined);
});

void t.test('worker planner: the same plans as the planners on this thread', async (t) => {
  for (const [name, inThread] of [['lp', lpPlanner], ['greedy', greedyPlanner]] as const) {
    const planner = new WorkerPlanner(name, { deadlineMs: 60_000 });
    t.teardown(() => planner.close());
    t.same(await planner.plan(request), inThread.plan(request), `${name}: four racks`);
    const bigger = planProblem(30, 3);
    t.same(await planner.plan(bigger), inThread.plan(bigger), `${name}: a new topology is sent and used`);
    const again = { ...request, demandW: 2800 };
    t.same(await planner.plan(again), inThread.plan(again), `${name}: back to the first topology`);
  }
});

void t.test('worker planner: the request thread runs while a solve is under way', async (t) => {
  const planner = new WorkerPlanner('lp', { deadlineMs: 120_000 });
  t.teardown(() => planner.close());
  await planner.plan(request); // worker loaded
  const order: string[] = [];
  const solving = planner.plan(planProblem(60, 1)).then(() => order.push('plan'));
  setImmediate(() => order.push('request thread'));
  await solving;
  t.same(order, ['request thread', 'plan'], 'a callback queued after the solve started ran before it ended');
});

void t.test('worker planner: planner errors reject; an overrun solve is abandoned and the next one works', async (t) => {
  const planner = new WorkerPlanner('lp', { deadlineMs: 60_000 });
  t.teardown(() => planner.close());
  const bad = { ...request, demandW: Number.NaN };
  t.throws(() => lpPlanner.plan(bad), { message: 'demandW must be a finite number >= 0' }, 'on this thread');
  await t.rejects(planner.plan(bad), { message: 'demandW must be a finite number >= 0' }, 'in the worker: the planner\'s own message');
  t.equal((await planner.plan(request)).feasible, true, 'the worker survives a planner error');

  const hurried = new WorkerPlanner('lp', { deadlineMs: 1 });
  t.teardown(() => hurried.close());
  await t.rejects(hurried.plan(planProblem(120, 2)), /no plan within 1 ms; worker restarted/);
  const patient = new WorkerPlanner('lp', { deadlineMs: 60_000 });
  t.teardown(() => patient.close());
  t.equal((await patient.plan(request)).feasible, true);
});

void t.test('worker planner: close rejects a waiting solve and a later plan starts a new worker', async (t) => {
  const planner = new WorkerPlanner('greedy', { deadlineMs: 60_000 });
  const waiting = planner.plan(planProblem(40, 5));
  await planner.close();
  await t.rejects(waiting, /planner closed/);
  t.same(await planner.plan(request), greedyPlanner.plan(request));
  await planner.close();
});
