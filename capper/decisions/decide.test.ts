import t from 'tap';
import { actionsToApply, actionsToPublish, decide, stateAfter, type Action } from './index.js';
import { input, node, NOW_MS, pods, policy, ramp, scaledObject, snapshot } from './test-fixtures.js';

const brief = (a: Action): string => {
  switch (a.kind) {
    case 'SetGpuPowerLimit':
      return `gpu ${a.node}=${a.limitW}`;
    case 'ClearGpuPowerLimit':
      return `gpu ${a.node}=default`;
    case 'SetMaxReplicas':
      return `max ${a.name}=${a.maxReplicaCount} (orig ${a.originalMaxReplicaCount})`;
    case 'RestoreMaxReplicas':
      return `restore ${a.name}=${a.maxReplicaCount}`;
    case 'SetPodDeletionCost':
      return `cost ${a.rackId}=${a.cost}`;
    case 'ClearPodDeletionCost':
      return `clear-cost ${a.rackId}`;
  }
};
/** Actions as sorted unique short strings (pod costs collapse to one line per rack). */
const summary = (actions: readonly Action[]) => [...new Set(actions.map(brief))].sort();

const atFloor = [node('a1', 'rack-a', 150), node('a2', 'rack-a', 150), node('b1', 'rack-b')];
const capped = scaledObject({ maxReplicaCount: 6, originalMaxReplicaCount: 10, cappedMaxReplicaCount: 6 });
const longBelow = { lastActionMs: {}, belowRestoreSinceMs: { 'rack-a': NOW_MS - 6 * 60_000, 'rack-b': NOW_MS - 6 * 60_000 } };
const podW = Object.fromEntries(pods(scaledObject()).map((p) => [`${p.namespace}/${p.name}`, 500]));

const cases: { name: string; in: Parameters<typeof input>[0]; racks: Record<string, string>; actions: string[] }[] = [
  {
    name: 'hot rack: GPU limits first, spread over the rack, replicas untouched; hot pods go first on scale-in',
    in: { snapshot: snapshot({ 'rack-a': 9800, 'rack-b': 7000 }) },
    racks: { 'rack-a': 'OverCap', 'rack-b': 'UnderCap' },
    // 800 W over / 8 GPUs = 100 W per GPU = 4 steps of 25 W
    actions: ['cost rack-a=-100', 'gpu a1=300', 'gpu a2=300'],
  },
  {
    name: 'floor reached: replica ceiling lowered by the excess over measured pod power',
    in: { snapshot: snapshot({ 'rack-a': 9800, 'rack-b': 7000 }, { podW }), targets: { nodes: atFloor, scaledObjects: [scaledObject()], pods: pods(scaledObject()) } },
    racks: { 'rack-a': 'OverCap', 'rack-b': 'UnderCap' },
    // 800 W / 500 W per replica = 2 replicas fewer than the 8 running
    actions: ['cost rack-a=-100', 'max llm=6 (orig 10)'],
  },
  {
    name: 'floor reached: never below minReplicaCount',
    in: {
      snapshot: snapshot({ 'rack-a': 12_000, 'rack-b': 7000 }, { podW }),
      targets: { nodes: atFloor, scaledObjects: [scaledObject({ minReplicaCount: 7 })], pods: pods(scaledObject()) },
    },
    racks: { 'rack-a': 'OverCap', 'rack-b': 'UnderCap' },
    actions: ['cost rack-a=-100', 'max llm=7 (orig 10)'],
  },
  {
    name: 'rack recovering: below the restore level for less than restoreAfter holds every cap',
    in: {
      snapshot: snapshot({ 'rack-a': 7000, 'rack-b': 7000 }),
      targets: { nodes: atFloor, scaledObjects: [capped], pods: pods(capped, { 'rack-a': -100 }) },
      state: { lastActionMs: {}, belowRestoreSinceMs: { 'rack-a': NOW_MS - 60_000 } },
    },
    racks: { 'rack-a': 'Recovering', 'rack-b': 'Recovering' },
    actions: [],
  },
  {
    name: 'rack between restore level and cap: holds caps (hysteresis band)',
    in: { snapshot: snapshot({ 'rack-a': 8500, 'rack-b': 7000 }), targets: { nodes: atFloor, scaledObjects: [capped], pods: pods(capped) }, state: longBelow },
    racks: { 'rack-a': 'Recovering', 'rack-b': 'UnderCap' },
    actions: [],
  },
  {
    name: 'rack recovered: replica ceiling restored first, GPU limits wait',
    in: { snapshot: snapshot({ 'rack-a': 5000, 'rack-b': 5000 }, { podW }), targets: { nodes: atFloor, scaledObjects: [capped], pods: pods(capped, { 'rack-a': -100 }) }, state: longBelow },
    racks: { 'rack-a': 'UnderCap', 'rack-b': 'UnderCap' },
    actions: ['clear-cost rack-a', 'restore llm=10'],
  },
  {
    name: 'rack recovered with little headroom: the ceiling goes back up step by step',
    in: { snapshot: snapshot({ 'rack-a': 7000, 'rack-b': 7000 }, { podW }), targets: { nodes: atFloor, scaledObjects: [capped], pods: pods(capped) }, state: longBelow },
    racks: { 'rack-a': 'UnderCap', 'rack-b': 'UnderCap' },
    // 1100 W below the restore level / 500 W per replica = 2 more
    actions: ['max llm=8 (orig 10)'],
  },
  {
    name: 'rack recovered, replicas already restored: GPU limits raised by the headroom',
    in: { snapshot: snapshot({ 'rack-a': 7700, 'rack-b': 5000 }), targets: { nodes: atFloor, scaledObjects: [scaledObject()], pods: pods(scaledObject()) }, state: longBelow },
    racks: { 'rack-a': 'UnderCap', 'rack-b': 'UnderCap' },
    // 400 W headroom / 8 GPUs = 50 W per GPU
    actions: ['gpu a1=200', 'gpu a2=200'],
  },
  {
    name: 'rack recovered with plenty of headroom: default GPU limit restored',
    in: { snapshot: snapshot({ 'rack-a': 3000, 'rack-b': 5000 }), targets: { nodes: atFloor, scaledObjects: [scaledObject()], pods: pods(scaledObject()) }, state: longBelow },
    racks: { 'rack-a': 'UnderCap', 'rack-b': 'UnderCap' },
    actions: ['gpu a1=default', 'gpu a2=default'],
  },
  {
    name: 'forecast breach before actual: a steady ramp triggers GPU limits while still under the cap',
    in: { policy: policy({ forecast: { method: 'holt', horizon: '5m' } }), snapshot: snapshot({ 'rack-a': 8800, 'rack-b': 7000 }), history: { 'rack-a': ramp(5800, 100, 30) } },
    racks: { 'rack-a': 'ForecastOverCap', 'rack-b': 'UnderCap' },
    // forecast peak 9300 W in 5 min: 300 W / 8 GPUs, rounded up to 2 steps of 25 W
    actions: ['cost rack-a=-100', 'gpu a1=350', 'gpu a2=350'],
  },
  {
    name: 'same ramp with the forecast off: no action until the cap is crossed',
    in: { snapshot: snapshot({ 'rack-a': 8800, 'rack-b': 7000 }), history: { 'rack-a': ramp(5800, 100, 30) } },
    racks: { 'rack-a': 'UnderCap', 'rack-b': 'UnderCap' },
    actions: [],
  },
  {
    name: 'rate limit: a node changed 10 s ago waits, and replicas wait for it',
    in: { snapshot: snapshot({ 'rack-a': 9800, 'rack-b': 7000 }), state: { lastActionMs: { 'node/a1': NOW_MS - 10_000 }, belowRestoreSinceMs: {} } },
    racks: { 'rack-a': 'OverCap', 'rack-b': 'UnderCap' },
    actions: ['cost rack-a=-100', 'gpu a2=300'],
  },
  {
    name: 'stale telemetry: rack Unknown, every cap held',
    in: { snapshot: snapshot({ 'rack-a': 20_000, 'rack-b': 7000 }, { stale: ['rack-a'] }), targets: { nodes: atFloor, scaledObjects: [capped], pods: pods(capped) }, state: longBelow },
    racks: { 'rack-a': 'Unknown', 'rack-b': 'UnderCap' },
    actions: [],
  },
  {
    name: 'owner edited maxReplicaCount while capped: their new value is the one restored',
    in: {
      snapshot: snapshot({ 'rack-a': 5000, 'rack-b': 5000 }),
      targets: { nodes: atFloor, scaledObjects: [scaledObject({ maxReplicaCount: 12, originalMaxReplicaCount: 10, cappedMaxReplicaCount: 6 })], pods: pods(capped) },
      state: longBelow,
    },
    racks: { 'rack-a': 'UnderCap', 'rack-b': 'UnderCap' },
    actions: ['restore llm=12'],
  },
  {
    name: 'owner edited while capped and still hot: the cap is re-applied, saving the owner\'s new value',
    in: {
      snapshot: snapshot({ 'rack-a': 9800, 'rack-b': 7000 }, { podW }),
      targets: { nodes: atFloor, scaledObjects: [scaledObject({ maxReplicaCount: 12, originalMaxReplicaCount: 10, cappedMaxReplicaCount: 6 })], pods: pods(scaledObject()) },
    },
    racks: { 'rack-a': 'OverCap', 'rack-b': 'Recovering' },
    actions: ['cost rack-a=-100', 'max llm=6 (orig 12)'],
  },
  {
    name: 'PerformancePerWatt: first GPU move goes straight to the efficiency knee (70 % of 400 W)',
    in: { policy: policy({ strategy: 'PerformancePerWatt' }), snapshot: snapshot({ 'rack-a': 9100, 'rack-b': 7000 }) },
    racks: { 'rack-a': 'OverCap', 'rack-b': 'UnderCap' },
    actions: ['cost rack-a=-100', 'gpu a1=280', 'gpu a2=280'],
  },
  {
    name: 'PowerOversubscription: the same small excess costs one 25 W step',
    in: { snapshot: snapshot({ 'rack-a': 9100, 'rack-b': 7000 }) },
    racks: { 'rack-a': 'OverCap', 'rack-b': 'UnderCap' },
    actions: ['cost rack-a=-100', 'gpu a1=375', 'gpu a2=375'],
  },
  {
    name: 'GPU limits disabled: replica ceiling is the first action',
    in: { policy: policy({ targets: { scaledObjects: { names: ['llm'] } } }), snapshot: snapshot({ 'rack-a': 9800, 'rack-b': 7000 }, { podW }) },
    racks: { 'rack-a': 'OverCap', 'rack-b': 'UnderCap' },
    actions: ['cost rack-a=-100', 'max llm=6 (orig 10)'],
  },
  {
    name: 'two hot racks: the hotter one gets the lower deletion cost',
    in: { snapshot: snapshot({ 'rack-a': 9800, 'rack-b': 9200 }) },
    racks: { 'rack-a': 'OverCap', 'rack-b': 'OverCap' },
    actions: ['cost rack-a=-200', 'cost rack-b=-100', 'gpu a1=300', 'gpu a2=300', 'gpu b1=350'],
  },
];

for (const c of cases) {
  void t.test(c.name, async (t) => {
    const d = decide(input(c.in));
    t.same(Object.fromEntries(d.racks.map((r) => [r.id, r.state])), c.racks, 'rack states');
    t.same(summary(d.actions), c.actions, 'actions');
  });
}

void t.test('Observe, Recommend and Enforce: the same decisions, only Enforce applies them', async (t) => {
  const hot = { snapshot: snapshot({ 'rack-a': 9800, 'rack-b': 7000 }) };
  const results = (['Observe', 'Recommend', 'Enforce'] as const).map((mode) => {
    const i = input({ ...hot, policy: policy({ mode }) });
    const d = decide(i);
    return { mode, d, applied: actionsToApply(mode, d), published: actionsToPublish(mode, d), state: stateAfter(mode, i.state, d) };
  });
  const [observe, recommend, enforce] = results;
  if (observe === undefined || recommend === undefined || enforce === undefined) throw new Error('three modes');
  t.same(summary(observe.d.actions), summary(enforce.d.actions));
  t.same(summary(recommend.d.actions), summary(enforce.d.actions));
  t.same([observe.applied.length, recommend.applied.length], [0, 0]);
  t.ok(enforce.applied.length > 0);
  t.same([observe.published.length, recommend.published.length > 0], [0, true]);
  t.same(recommend.state.lastActionMs, {}, 'Recommend keeps recommending: no rate-limit memory');
  t.equal(enforce.state.lastActionMs['node/a1'], NOW_MS);
});

void t.test('state: restore timer starts when the rack goes below the restore level and resets above it', async (t) => {
  const first = decide(input({ snapshot: snapshot({ 'rack-a': 7000, 'rack-b': 8500 }) }));
  t.same(first.state.belowRestoreSinceMs, { 'rack-a': NOW_MS });
  const later = decide(input({ snapshot: snapshot({ 'rack-a': 7000, 'rack-b': 8500 }), state: first.state, nowMs: NOW_MS + 60_000 }));
  t.same(later.state.belowRestoreSinceMs, { 'rack-a': NOW_MS }, 'keeps the original start');
});

void t.test('problems: unknown racks and silent node agents are reported, not fatal', async (t) => {
  const d = decide(
    input({
      policy: policy({ racks: ['rack-a', 'rack-z'] }),
      targets: { nodes: [{ name: 'a1', rackId: 'rack-a', desiredLimitW: undefined, gpus: undefined }], scaledObjects: [], pods: [] },
      snapshot: snapshot({ 'rack-a': 9800 }),
    }),
  );
  t.match(d.problems.join('\n'), /rack-z.*not in the topology/);
  t.match(d.problems.join('\n'), /a1.*no GPU report/);
  t.same(d.actions, []);
});
