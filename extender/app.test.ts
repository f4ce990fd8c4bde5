import t from 'tap';
import { emptySnapshot, type Snapshot, type SnapshotSource } from '../telemetry/index.js';
import type { Binder, BindTarget } from './binder.js';
import { ManualClock } from '../common/index.js';
import { T0_MS, fourRackTopology, gpuPod, liveLikeSource, testExtender, wireNode } from './testing/fixtures.js';

type Json = Record<string, unknown>;
const post = async (app: Awaited<ReturnType<typeof testExtender>>['app'], url: string, payload: unknown) => {
  const res = await app.inject({ method: 'POST', url, payload: payload as Json });
  return { status: res.statusCode, body: res.json() as Json & Json[] };
};

const hot = { r1: 9500, r2: 5000, r3: 5000, r4: 5000 };

void t.test('filter, NodeNames form (nodeCacheCapable): answers NodeNames only', async (t) => {
  const { app } = await testExtender({ rackPowerW: hot });
  const { status, body } = await post(app, '/filter', { Pod: gpuPod(), Nodes: null, NodeNames: ['gpu-1a', 'gpu-1b', 'gpu-2a'] });
  t.equal(status, 200);
  t.same(body.NodeNames, ['gpu-2a']);
  t.notOk('Nodes' in body, 'no Nodes field in a NodeNames answer');
  t.same(Object.keys(body.FailedNodes as Json).sort(), ['gpu-1a', 'gpu-1b']);
  t.match((body.FailedNodes as Json)['gpu-1a'], /rack r1: .*exceeds budget 10000 W/);
  t.same(body.FailedAndUnresolvableNodes, {});
  t.equal(body.Error, '');
});

void t.test('filter, Nodes form: echoes the passing Node objects whole, rack from the node label', async (t) => {
  const { app } = await testExtender({ rackPowerW: hot });
  const nodes = [wireNode('gpu-1a'), wireNode('gpu-9', { 'topology.climatik.io/rack': 'r4' })];
  const { status, body } = await post(app, '/filter', { Pod: gpuPod(), Nodes: { metadata: {}, items: nodes }, NodeNames: null });
  t.equal(status, 200);
  t.notOk('NodeNames' in body);
  t.same((body.Nodes as { items: unknown[] }).items, [nodes[1]], 'full object, status and all');
  t.match((body.FailedNodes as Json)['gpu-1a'], /rack r1/);
});

void t.test('filter: a request with both forms gets both answers, consistent', async (t) => {
  const { app } = await testExtender({ rackPowerW: hot });
  const { body } = await post(app, '/filter', { Pod: gpuPod(), Nodes: { items: [wireNode('gpu-1a'), wireNode('gpu-2a')] }, NodeNames: ['gpu-1a', 'gpu-2a'] });
  t.same(body.NodeNames, ['gpu-2a']);
  t.same((body.Nodes as { items: Json[] }).items.map((n) => (n.metadata as Json).name), ['gpu-2a']);
});

void t.test('prioritize, both forms: integer scores 0..10 for every node, hot rack lowest', async (t) => {
  const { app } = await testExtender({ rackPowerW: hot });
  const names = ['gpu-1a', 'gpu-2a', 'gpu-3a'];
  for (const payload of [{ Pod: gpuPod(), NodeNames: names }, { Pod: gpuPod(), Nodes: { items: names.map((n) => wireNode(n)) } }]) {
    const { status, body } = await post(app, '/prioritize', payload);
    t.equal(status, 200);
    const list = body as unknown as { Host: string; Score: number }[];
    t.same(list.map((h) => h.Host), names);
    for (const h of list) t.ok(Number.isInteger(h.Score) && h.Score >= 0 && h.Score <= 10, `${h.Host} ${h.Score}`);
    t.ok((list[0]?.Score ?? 10) < (list[1]?.Score ?? 0), 'hot rack r1 scores below r2');
  }
});

void t.test('unknown nodes: default policy passes them with a neutral score and counts them', async (t) => {
  const { app } = await testExtender();
  const f = await post(app, '/filter', { Pod: gpuPod(), NodeNames: ['cpu-77', 'gpu-2a'] });
  t.same(f.body.NodeNames, ['cpu-77', 'gpu-2a']);
  const p = await post(app, '/prioritize', { Pod: gpuPod(), NodeNames: ['cpu-77'] });
  t.same(p.body, [{ Host: 'cpu-77', Score: 5 }]);
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  t.match(metrics, /climatik_extender_unknown_nodes_total\{verb="filter"\} 1/);
  t.match(metrics, /climatik_extender_unknown_nodes_total\{verb="prioritize"\} 1/);
});

void t.test('unknown nodes: policy deny makes them unresolvable', async (t) => {
  const { app } = await testExtender({ settings: { unknownNodePolicy: 'deny' } });
  const f = await post(app, '/filter', { Pod: gpuPod(), NodeNames: ['cpu-77', 'gpu-2a'] });
  t.same(f.body.NodeNames, ['gpu-2a']);
  t.match((f.body.FailedAndUnresolvableNodes as Json)['cpu-77'], /no rack/);
});

void t.test('no topology yet: filter answers with Error, prioritize scores everything 0, not ready', async (t) => {
  const { app } = await testExtender({ topology: 'none' });
  const f = await post(app, '/filter', { Pod: gpuPod(), NodeNames: ['gpu-1a'] });
  t.equal(f.status, 200);
  t.match(f.body.Error, /no rack topology/);
  t.same(f.body.NodeNames, []);
  const p = await post(app, '/prioritize', { Pod: gpuPod(), NodeNames: ['gpu-1a'] });
  t.same(p.body, [{ Host: 'gpu-1a', Score: 0 }]);
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 503);
  t.match(ready.json(), { problems: ['no rack topology loaded'] });
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
});

void t.test('readiness: needs telemetry unless the settings allow nameplate fallbacks', async (t) => {
  const none: SnapshotSource = { current: () => undefined, start() {}, async stop() {} };
  const strict = await testExtender({ power: none });
  t.equal((await strict.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
  const lenient = await testExtender({ power: none, settings: { readyWithoutTelemetry: true } });
  t.equal((await lenient.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  const withData = await testExtender();
  t.same((await withData.app.inject({ method: 'GET', url: '/readyz' })).json(), { status: 'ready', problems: [] });
});

void t.test('readiness (cluster): waits for both informers and a snapshot built after the Node sync; filter answers an Error until then', async (t) => {
  const synced: { nodes?: number; pods?: number } = {};
  const { app, clock } = await testExtender({
    power: liveLikeSource({ r1: 5000, r2: 5000, r3: 5000, r4: 5000 }, fourRackTopology(), { nowMs: () => T0_MS }),
    informers: { nodesSyncedAtMs: () => synced.nodes, podsSyncedAtMs: () => synced.pods },
  });
  const readyz = async () => (await app.inject({ method: 'GET', url: '/readyz' })).json<{ problems: string[] }>().problems;
  const filterError = async () => (await post(app, '/filter', { Pod: gpuPod(), NodeNames: ['gpu-2a'] })).body.Error;
  t.match(await readyz(), [/node informer not synced/, /pod informer not synced/], 'snapshot and topology, but no informer synced');
  t.match(await filterError(), /not ready to decide: .*pod informer not synced/, 'a restarted replica does not admit pods on an empty ledger');
  clock.advance(1000);
  synced.pods = clock.nowMs();
  t.match(await readyz(), [/node informer not synced/], 'pods listed, nodes not yet');
  synced.nodes = clock.nowMs();
  t.match(await readyz(), [/snapshot predates the node informer sync/], 'the only snapshot was built before the Node sync');
  t.match(await filterError(), /snapshot predates/);
  synced.nodes = T0_MS;
  t.same(await readyz(), [], 'snapshot taken at (or after) the sync: ready');
  t.equal(await filterError(), '', 'and filter decides');
});

void t.test('stale DCGM: an old snapshot puts racks at nameplate, which fails and scores 0', async (t) => {
  const old = emptySnapshot(T0_MS - 600_000, {
    rackPowerW: { r4: { value: 1000, sampleTimeMs: T0_MS - 600_000, stale: false, source: 'test' } },
  });
  const { app } = await testExtender({ power: { current: () => old, start() {}, async stop() {} } });
  const node = wireNode('gpu-4x', { 'topology.climatik.io/rack': 'r4' });
  const f = await post(app, '/filter', { Pod: gpuPod(), Nodes: { items: [node] } });
  t.match((f.body.FailedNodes as Json)['gpu-4x'], /12000 W current .*fallback estimate/);
  const p = await post(app, '/prioritize', { Pod: gpuPod(), Nodes: { items: [node] } });
  t.same(p.body, [{ Host: 'gpu-4x', Score: 0 }]);
});

class FakeBinder implements Binder {
  readonly calls: BindTarget[] = [];
  readonly boundTo = new Map<string, string>();
  async bind(target: BindTarget) {
    this.calls.push(target);
    const key = `${target.namespace}/${target.name}`;
    const existing = this.boundTo.get(key);
    if (existing === target.node) return 'already-bound' as const;
    if (existing !== undefined) throw new Error(`pod is already bound to ${existing}`);
    this.boundTo.set(key, target.node);
    return 'bound' as const;
  }
}

const bindArgs = (name: string, node: string, uid = `uid-${name}`) => ({ PodName: name, PodNamespace: 'inference', PodUID: uid, Node: node });

void t.test('bind: offline mode answers with an error naming the need for API access', async (t) => {
  const { app } = await testExtender();
  const r = await post(app, '/bind', bindArgs('llm-0', 'gpu-1a'));
  t.same(r, { status: 200, body: { Error: 'bind needs API access (offline mode)' } });
});

void t.test('bind: charges the pod to its rack at once, so a burst cannot overshoot the budget', async (t) => {
  const binder = new FakeBinder();
  const { app, ledger } = await testExtender({ binder, rackPowerW: { r1: 8000, r2: 5000, r3: 5000, r4: 5000 } });
  for (const name of ['llm-0', 'llm-1']) {
    const pod = gpuPod({ name, uid: `uid-${name}` });
    const f = await post(app, '/filter', { Pod: pod, NodeNames: ['gpu-1a'] });
    t.same(f.body.NodeNames, ['gpu-1a'], `${name} fits`);
    t.same((await post(app, '/bind', bindArgs(name, 'gpu-1a'))).body, { Error: '' });
  }
  t.equal(ledger.size, 2);
  const third = await post(app, '/filter', { Pod: gpuPod({ name: 'llm-2', uid: 'uid-llm-2' }), NodeNames: ['gpu-1a'] });
  t.match((third.body.FailedNodes as Json)['gpu-1a'], /8000 W measured \+ 1400 W bound, not yet drawing \+ 700 W pod = 10100 W/);
});

void t.test('model load: bound pods stay counted after the next telemetry refresh (sample newer than the bind)', async (t) => {
  const binder = new FakeBinder();
  const { app, clock } = await testExtender({ binder, rackPowerW: { r1: 8000, r2: 5000, r3: 5000, r4: 5000 } });
  for (const name of ['llm-0', 'llm-1']) {
    await post(app, '/filter', { Pod: gpuPod({ name, uid: `uid-${name}` }), NodeNames: ['gpu-1a'] });
    t.same((await post(app, '/bind', bindArgs(name, 'gpu-1a'))).body, { Error: '' });
  }
  // The exporter still reports 8000 W (the pods pull images), but the sample is now newer than both binds.
  clock.advance(15_000);
  const third = await post(app, '/filter', { Pod: gpuPod({ name: 'llm-2', uid: 'uid-llm-2' }), NodeNames: ['gpu-1a'] });
  t.match((third.body.FailedNodes as Json)['gpu-1a'], /8000 W measured \+ 1400 W bound, not yet drawing \+ 700 W pod = 10100 W/);
  clock.advance(30 * 60_000);
  const later = await post(app, '/filter', { Pod: gpuPod({ name: 'llm-3', uid: 'uid-llm-3' }), NodeNames: ['gpu-1a'] });
  t.same(later.body.NodeNames, [], 'half an hour later, still not running: still counted');
});

void t.test('per-pod telemetry: a running pod counts only the part of its expected power it does not draw yet', async (t) => {
  const binder = new FakeBinder();
  const clock = new ManualClock(T0_MS);
  let podW: number | undefined;
  const source: SnapshotSource = {
    current: (): Snapshot => {
      const s = (value: number) => ({ value, sampleTimeMs: clock.nowMs(), stale: false, source: 'test' });
      return emptySnapshot(clock.nowMs(), {
        rackPowerW: { r1: s(8000), r2: s(5000), r3: s(5000), r4: s(5000) },
        podPowerW: podW === undefined ? {} : { 'inference/llm-0': s(podW) },
      });
    },
    start() {},
    async stop() {},
  };
  const { app, ledger, context } = await testExtender({ binder, clock, power: source });
  await post(app, '/filter', { Pod: gpuPod({ name: 'llm-0', uid: 'uid-llm-0', gpus: 2 }), NodeNames: ['gpu-1a'] });
  await post(app, '/bind', bindArgs('llm-0', 'gpu-1a'));
  const bound = ledger.get('uid:uid-llm-0');
  t.ok(bound !== undefined);
  if (bound === undefined) return;
  ledger.record({ ...bound, confirmed: true, runningSinceMs: clock.nowMs() });
  clock.advance(15_000);
  podW = 400;
  t.equal(context.view()?.state.rackPowerW.r1, 8000 + 1000, 'drawing 400 of 1400 W: 1000 W still uncovered');
  podW = 1500;
  t.equal(context.view()?.state.rackPowerW.r1, 8000, 'drawing it all: the rack sample has it, no double count');
});

void t.test('bind: idempotent — a retried bind to the same node succeeds and counts once', async (t) => {
  const binder = new FakeBinder();
  const { app, ledger } = await testExtender({ binder });
  t.same((await post(app, '/bind', bindArgs('llm-0', 'gpu-2a'))).body, { Error: '' });
  t.same((await post(app, '/bind', bindArgs('llm-0', 'gpu-2a'))).body, { Error: '' });
  t.equal(ledger.size, 1);
  t.equal(ledger.get('uid:uid-llm-0')?.powerW, 700, 'unseen pod charged one GPU');
  const moved = await post(app, '/bind', bindArgs('llm-0', 'gpu-3a'));
  t.match(moved.body.Error, /bind inference\/llm-0 to gpu-3a: pod is already bound to gpu-2a/);
  t.equal(ledger.get('uid:uid-llm-0')?.rackId, 'r2', 'failed bind leaves the ledger alone');
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  t.match(metrics, /climatik_extender_binds_total\{outcome="bound"\} 1/);
  t.match(metrics, /climatik_extender_binds_total\{outcome="already-bound"\} 1/);
  t.match(metrics, /climatik_extender_binds_total\{outcome="error"\} 1/);
});

void t.test('bad input: 400 with a code and issues naming the path and value', async (t) => {
  const { app } = await testExtender({ settings: { bodyLimitBytes: 64 * 1024 } });
  const cases: [string, string, string | Json, string | RegExp][] = [
    ['/filter', 'not JSON', '{"Pod":', ''],
    ['/filter', 'Pod is a number', { Pod: 5, NodeNames: [] }, '/Pod'],
    ['/filter', 'Pod missing', { NodeNames: ['a'] }, '/Pod'],
    ['/filter', 'NodeNames holds a number', { Pod: {}, NodeNames: ['a', 7] }, '/NodeNames/1'],
    ['/prioritize', 'node without a name', { Pod: {}, Nodes: { items: [{ metadata: {} }] } }, '/Nodes/items/0/metadata/name'],
    ['/prioritize', 'annotation value not a string', { Pod: { metadata: { annotations: { a: 1 } } }, NodeNames: [] }, '/Pod/metadata/annotations/a'],
    ['/prioritize', 'neither Nodes nor NodeNames', { Pod: {} }, '/NodeNames'],
    ['/bind', 'empty node name', { PodName: 'a', PodNamespace: 'b', PodUID: 'c', Node: '' }, '/Node'],
    ['/bind', 'array instead of object', '[]', ''],
    ['/bind', 'oversized', { PodName: 'x'.repeat(70 * 1024), PodNamespace: 'b', PodUID: 'c', Node: 'n' }, ''],
  ];
  for (const [url, name, payload, path] of cases) {
    const res = await app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });
    t.equal(res.statusCode, 400, `${url} ${name}: status`);
    const body = res.json() as { error: string; code: string; issues: { path: string; message: string }[] };
    t.equal(body.code, 'CLIMATIK_REQUEST_INVALID', `${name}: code`);
    t.ok(body.error.length > 0, `${name}: error text`);
    t.ok(body.issues.some((i) => (typeof path === 'string' ? i.path === path : path.test(i.path))), `${name}: issue at ${String(path)} in ${JSON.stringify(body.issues)}`);
  }
  const wrongType = await app.inject({ method: 'POST', url: '/filter', payload: 'Pod=1', headers: { 'content-type': 'text/plain' } });
  t.equal(wrongType.statusCode, 400, 'wrong content type');
  const tooLarge = await app.inject({ method: 'POST', url: '/bind', payload: { PodName: 'x'.repeat(70 * 1024) } });
  t.match(tooLarge.json(), { error: /too large/ });
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  t.match(metrics, /climatik_extender_bad_requests_total\{verb="\/filter",code="FST_ERR_VALIDATION"\} 4/);
});

void t.test('the offending value is echoed, big ones summarised', async (t) => {
  const { app } = await testExtender();
  const res = await post(app, '/filter', { Pod: { metadata: { name: 42 } }, Nodes: { items: 'many' } });
  const issues = (res.body.issues as { path: string; value: unknown }[]);
  t.match(issues, [{ path: '/Pod/metadata/name', value: 42 }]);
  const big = await post(app, '/filter', { Pod: [1, 2, 3], NodeNames: [] });
  t.match(big.body.issues, [{ path: '/Pod', value: '<array of 3>' }]);
});

void t.test('metrics: latency per verb, decisions by outcome and reason, plan and telemetry age', async (t) => {
  const { app, clock } = await testExtender({
    rackPowerW: hot,
    plan: { computedAtMs: T0_MS - 30_000, plan: { feasible: true, planner: 'lp', allocationW: { r2: 700 }, peakInletC: 21, maxSupplyTemperatureC: 22, coolingPowerW: 1 } },
  });
  clock.advance(1000);
  await post(app, '/filter', { Pod: gpuPod(), NodeNames: ['gpu-1a', 'gpu-2a'] });
  await post(app, '/prioritize', { Pod: gpuPod(), NodeNames: ['gpu-2a'] });
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  for (const re of [
    /climatik_extender_request_duration_seconds_count\{verb="\/filter",status="200"\} 1/,
    /climatik_extender_request_duration_seconds_count\{verb="\/prioritize",status="200"\} 1/,
    /climatik_extender_decisions_total\{verb="filter",outcome="pass",reason="none"\} 1/,
    /climatik_extender_decisions_total\{verb="filter",outcome="fail",reason="power-budget"\} 1/,
    /climatik_extender_decisions_total\{verb="prioritize",outcome="scored",reason="plan"\} 1/,
    /climatik_extender_plan_age_seconds 31/,
    /climatik_extender_telemetry_age_seconds 0/,
    /climatik_extender_ledger_entries 0/,
  ]) {
    t.match(text, re);
  }
});

void t.test('topology swap between requests takes effect on the next request', async (t) => {
  const { app, store } = await testExtender({ rackPowerW: hot });
  const before = await post(app, '/filter', { Pod: gpuPod(), NodeNames: ['gpu-1a'] });
  t.same(before.body.NodeNames, []);
  const topo = fourRackTopology();
  store.set({ ...topo, racks: topo.racks.map((r) => ({ ...r, powerBudgetW: 20_000 })) });
  const after = await post(app, '/filter', { Pod: gpuPod(), NodeNames: ['gpu-1a'] });
  t.same(after.body.NodeNames, ['gpu-1a']);
});

void t.test('unknown routes are 404 JSON, not 5xx', async (t) => {
  const { app } = await testExtender();
  const res = await app.inject({ method: 'POST', url: '/preempt', payload: {} });
  t.equal(res.statusCode, 404);
  t.match(res.json(), { code: 'CLIMATIK_NOT_FOUND' });
});

void t.test('the request path reuses one placement state while its inputs are unchanged', async (t) => {
  const { context, ledger } = await testExtender();
  const first = context.view();
  t.equal(context.view(), first, 'same topology, power, ledger and plan: same state object');
  ledger.record({ key: 'uid:x', rackId: 'r2', powerW: 700, boundAtMs: T0_MS + 1, confirmed: false });
  const after = context.view();
  t.not(after, first, 'a bind changes the state');
  t.equal(after?.state.rackPowerW.r2, 5700);
});
