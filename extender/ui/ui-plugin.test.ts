import t from 'tap';
import { ManualClock } from '../../common/index.js';
import type { StoredPlan } from '../plan-store.js';
import { T0_MS, gpuPod, testExtender } from '../testing/fixtures.js';
import { readingsSource, twoRowTopology } from './fixtures.js';
import type { ListedPolicy, PolicyStatusSource } from './policy-source.js';
import type { Status } from './status-schema.js';

type App = Awaited<ReturnType<typeof testExtender>>['app'];
const status = async (app: App): Promise<Status> => {
  const res = await app.inject({ method: 'GET', url: '/ui/status.json' });
  if (res.statusCode !== 200) throw new Error(`status.json answered ${res.statusCode}: ${res.body}`);
  return res.json<Status>();
};
const racksOf = (s: Status) => s.rows.flatMap((r) => r.racks);

const plan: StoredPlan = {
  computedAtMs: T0_MS - 30_000,
  plan: { feasible: true, planner: 'lp', allocationW: { r2: 700, r3: 1300 }, peakInletC: 21, maxSupplyTemperatureC: 22, coolingPowerW: 1 },
};

void t.test('served values: power, budget, inlet and plan target per rack, in list order without rows', async (t) => {
  const clock = new ManualClock(T0_MS);
  const power = readingsSource({ r1: { powerW: 9500, inletC: 24.5 }, r2: { powerW: 5000, inletC: 21 }, r3: { powerW: 4000 }, r4: { powerW: 0 } }, clock);
  const { app } = await testExtender({ clock, power, plan });
  const s = await status(app);
  t.equal(s.topologyLoaded, true);
  t.same([s.supplyTemperatureC, s.redlineInletC], [18, 27]);
  t.same(s.rows.map((r) => r.row), [''], 'one group when the topology names no rows');
  t.same(
    racksOf(s).map((r) => [r.id, r.powerW, r.powerBudgetW, r.inletC, r.targetW, r.powerStale]),
    [
      ['r1', 9500, 10000, 24.5, null, false],
      ['r2', 5000, 10000, 21, 700, false],
      ['r3', 4000, 10000, null, 1300, false],
      ['r4', 0, 10000, null, null, false],
    ],
  );
  t.same(s.plan, { planner: 'lp', feasible: true, computedAtMs: T0_MS - 30_000, reason: '', warnings: [] });
  t.same(s.telemetry, { takenAtMs: T0_MS, problems: [] });
  t.same(s.capper, { source: 'none', error: '', policies: [] }, 'offline: no policy source');
  t.same(s.decisions, []);
});

void t.test('rows: racks grouped by topology row, ordered by position', async (t) => {
  const clock = new ManualClock(T0_MS);
  const { app } = await testExtender({ clock, topology: twoRowTopology(), power: readingsSource({ b1: { powerW: 1 }, b2: { powerW: 2 }, a2: { powerW: 3 }, a3: { powerW: 4 } }, clock) });
  const s = await status(app);
  t.same(s.rows.map((r) => [r.row, r.racks.map((x) => [x.id, x.position, x.nodes])]), [
    ['B', [['b1', 0, 1], ['b2', 1, 1]]],
    ['A', [['a2', 1, 2], ['a3', 2, 1]]],
  ]);
});

void t.test('stale telemetry: power shown at nameplate and flagged, inlet flagged stale', async (t) => {
  const clock = new ManualClock(T0_MS);
  const power = readingsSource({ r1: { powerW: 3000, inletC: 22 }, r2: { powerW: 3000 }, r3: { powerW: 3000 }, r4: { powerW: 3000 } }, clock, 120_000);
  const { app } = await testExtender({ clock, power });
  const r1 = racksOf(await status(app))[0];
  t.equal(r1?.powerW, 12000, 'nameplate, not the old 3000 W sample');
  t.equal(r1?.powerStale, true);
  t.not(r1?.powerNote, '', 'says why');
  t.equal(r1?.inletC, 22);
  t.equal(r1?.inletStale, true);
});

void t.test('labelled cluster: nodes per rack from the topology lists plus Nodes labelled with the rack', async (t) => {
  const rackLabel = 'topology.climatik.io/rack';
  const labels: Record<string, Record<string, string>> = {
    'gpu-1a': { [rackLabel]: 'r1' }, // listed in the topology as well: counted once
    'gpu-4a': { [rackLabel]: 'r4' },
    'gpu-4b': { [rackLabel]: 'r4' },
    'cpu-9': { [rackLabel]: 'r9' }, // no such rack
    'cpu-0': {},
  };
  const { app } = await testExtender({ nodeLabels: { labelsOf: (n) => labels[n], nodeNames: () => Object.keys(labels) } });
  t.same(racksOf(await status(app)).map((r) => [r.id, r.nodes]), [['r1', 2], ['r2', 1], ['r3', 1], ['r4', 2]]);
});

void t.test('no topology yet: status says so, no rows', async (t) => {
  const { app } = await testExtender({ topology: 'none' });
  const s = await status(app);
  t.equal(s.topologyLoaded, false);
  t.same(s.rows, []);
  t.equal(s.supplyTemperatureC, null);
});

void t.test('hot rack filter: the decision and its reasons appear, newest first', async (t) => {
  const { app, clock } = await testExtender({ rackPowerW: { r1: 9500, r2: 5000, r3: 5000, r4: 5000 } });
  const f = await app.inject({ method: 'POST', url: '/filter', payload: { Pod: gpuPod({ name: 'llm-7' }), NodeNames: ['gpu-1a', 'gpu-1b', 'gpu-2a'] } });
  t.equal(f.statusCode, 200);
  clock.advance(1000);
  await app.inject({ method: 'POST', url: '/bind', payload: { PodName: 'llm-7', PodNamespace: 'inference', PodUID: 'u-7', Node: 'gpu-2a' } });
  const [bind, filter] = (await status(app)).decisions;
  t.match(bind, { verb: 'bind', atMs: T0_MS + 1000, pod: 'inference/llm-7', node: 'gpu-2a' });
  t.match(bind?.verb === 'bind' ? bind.error : '', /offline|binder/i, 'offline bind error recorded');
  t.match(filter, { verb: 'filter', atMs: T0_MS, pod: 'inference/llm-7', passedCount: 1, passed: ['gpu-2a'], failedCount: 2, error: '' });
  const failed = filter?.verb === 'filter' ? filter.failed : [];
  t.same(failed.map((x) => x.node).sort(), ['gpu-1a', 'gpu-1b']);
  for (const x of failed) t.match(x.reason, /rack r1: .*exceeds budget 10000 W/);
});

void t.test('Nodes-form filter and bad requests: passing names read from Node objects; a 400 records nothing', async (t) => {
  const { app } = await testExtender();
  const node = (name: string) => ({ metadata: { name } });
  await app.inject({ method: 'POST', url: '/filter', payload: { Pod: gpuPod(), Nodes: { items: [node('gpu-2a'), node('gpu-3a')] } } });
  const bad = await app.inject({ method: 'POST', url: '/filter', payload: { Pod: gpuPod() } });
  t.equal(bad.statusCode, 400);
  const decisions = (await status(app)).decisions;
  t.equal(decisions.length, 1);
  t.match(decisions[0], { verb: 'filter', passed: ['gpu-2a', 'gpu-3a'], passedCount: 2, failedCount: 0 });
});

const goodPolicy: ListedPolicy = {
  metadata: { name: 'row-a', namespace: 'climatik-system' },
  spec: { mode: 'Recommend' },
  status: {
    racksOverCap: 1,
    activeActions: 0,
    racks: [{ id: 'r1', state: 'OverCap', capW: 9000, measuredW: 9500 }],
    recommendedActions: [{ kind: 'gpu-power-limit', target: 'gpu-1a', value: 550, rack: 'r1', reason: 'r1 9500 W over cap 9000 W', time: '2026-11-29T10:00:00Z' }],
    appliedActions: [
      { kind: 'scale', target: 'inference/llm', value: 2, reason: 'old', time: '2026-11-29T09:00:00Z' },
      { kind: 'scale', target: 'inference/llm', value: 3, reason: 'new', time: '2026-11-29T09:30:00Z' },
    ],
  },
};

/** Through buildExtender, as main.ts wires it in cluster mode (deps.policyStatusSource). */
async function withPolicies(source: PolicyStatusSource): Promise<Status> {
  const { app } = await testExtender({ policyStatusSource: source });
  const res = await app.inject({ method: 'GET', url: '/ui/status.json' });
  await app.close();
  return res.json<Status>();
}

void t.test('capper policies: recommendations and applied actions (newest first) from the status', async (t) => {
  const s = await withPolicies({
    kind: 'cluster',
    list: async () => [goodPolicy, { metadata: { name: 'fresh', namespace: 'ops' }, spec: { mode: 'Observe' } }, { metadata: { name: 'broken', namespace: 'ops' }, status: { racksOverCap: -1 } }],
  });
  t.equal(s.capper.source, 'cluster');
  const [good, fresh, broken] = s.capper.policies;
  t.match(good, { namespace: 'climatik-system', name: 'row-a', mode: 'Recommend', problem: '', racksOverCap: 1, activeActions: 0 });
  t.same(good?.recommendedActions.map((a) => [a.target, a.value]), [['gpu-1a', 550]]);
  t.same(good?.appliedActions.map((a) => a.reason), ['new', 'old']);
  t.same(good?.racks, [{ id: 'r1', state: 'OverCap', capW: 9000, measuredW: 9500 }]);
  t.match(fresh, { mode: 'Observe', problem: /no status yet/ });
  t.match(broken, { mode: 'Observe', problem: /does not match.*racksOverCap/ });
});

void t.test('capper source failing: the error is shown, the rest of the status still served', async (t) => {
  const s = await withPolicies({ kind: 'cluster', list: async () => Promise.reject(new Error('forbidden: cannot list powercappingpolicies')) });
  t.match(s.capper, { source: 'cluster', error: /^forbidden: cannot list powercappingpolicies$/, policies: [] });
  t.equal(s.rows.length, 1);
});

void t.test('GET /ui: one self-contained HTML page with a strict CSP', async (t) => {
  const { app } = await testExtender();
  const res = await app.inject({ method: 'GET', url: '/ui' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/html/);
  t.match(res.headers['content-security-policy'], /default-src 'none'/);
  t.match(res.body, /<script>[\s\S]*status\.json[\s\S]*<\/script>/);
  t.notMatch(res.body, /<(script|link|img)[^>]+(src|href)=/i, 'no external scripts, styles or images');
});
