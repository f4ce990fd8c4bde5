// Unit: config defaults/validation, Kepler generation detection and adapters, DCGM label variants,
// inlet sensors — pure functions over captured-shape samples (the live tests use a real Prometheus).
import t from 'tap';
import { isClimatikError } from '../common/index.js';
import { telemetryConfig, renderQuery } from './config.js';
import { applyDcgm } from './dcgm.js';
import { applyInlet } from './inlet.js';
import { applyKepler, generationsFromDetection, keplerQueries } from './kepler.js';
import type { InstantSample } from './prometheus-api.js';
import { readAll, type QueryApi } from './read-all.js';
import { emptyReadings } from './readings.js';
import { PrometheusError } from './prometheus-api.js';

const cfg = telemetryConfig({ prometheusUrl: 'http://prom:9090' });
const at = 1_700_000_000_000;
const s = (metric: Record<string, string>, value: number): InstantSample => ({ metric, value, timeMs: at });
const obj = (m: ReadonlyMap<string, { value: number }>) => Object.fromEntries([...m].map(([k, v]) => [k, v.value]));

void t.test('config: documented defaults, $window substituted, every problem with its path', async (t) => {
  t.equal(cfg.refreshIntervalMs, 15_000);
  t.equal(cfg.maxAgeMs, 60_000);
  t.equal(cfg.kepler.generation, 'auto');
  t.equal(cfg.kepler.current.package, 'sum by (node_name) (kepler_node_cpu_watts{zone="package"})');
  t.same(cfg.dcgm.hostLabels, ['Hostname', 'hostname']);
  t.equal(renderQuery(cfg.kepler.legacy.platform, cfg), 'sum by (instance) (rate(kepler_node_platform_joules_total[1m]))');
  t.ok(Object.isFrozen(cfg.kepler.legacy));
  const err: unknown = (() => {
    try {
      return telemetryConfig({ prometheusUrl: 'prom:9090', maxAgeMs: 0, kepler: { generation: 'v2' }, surprise: 1 }, 'telemetry.yaml');
    } catch (e) {
      return e;
    }
  })();
  t.ok(isClimatikError(err, 'CLIMATIK_CONFIG_INVALID'));
  const paths = (err as { issues: { path: string }[] }).issues.map((i) => i.path);
  for (const p of ['/prometheusUrl', '/maxAgeMs', '/kepler/generation', '/surprise']) t.ok(paths.includes(p), `reports ${p}`);
  t.throws(() => telemetryConfig({ prometheusUrl: 'http://p', inlet: { query: 'x' } }), { code: 'CLIMATIK_CONFIG_INVALID', issues: [{ path: '/inlet' }] });
  t.throws(() => telemetryConfig({ prometheusUrl: 'http://p', maxAgeMs: 10_000, forgetAfterMs: 5_000 }), { code: 'CLIMATIK_CONFIG_INVALID', issues: [{ path: '/forgetAfterMs', message: 'must be >= maxAgeMs (10000)' }] });
});

void t.test('Kepler generation detection by metric names', async (t) => {
  const names = (...n: string[]) => n.map((name) => s({ __name__: name }, 1));
  t.same(generationsFromDetection(names('kepler_node_package_joules_total')), ['legacy']);
  t.same(generationsFromDetection(names('kepler_node_platform_joules_total')), ['legacy']);
  t.same(generationsFromDetection(names('kepler_node_cpu_watts')), ['current']);
  t.same(generationsFromDetection(names('kepler_node_cpu_watts', 'kepler_node_package_joules_total')), ['legacy', 'current'], 'rolling upgrade: both');
  t.same(generationsFromDetection([]), []);
  t.same(keplerQueries(cfg, ['current'], 'node').map((q) => q.name), ['kepler.current.platform', 'kepler.current.package', 'kepler.current.dram', 'kepler.current.gpu']);
});

void t.test('rolling upgrade: a node in both generations keeps the current one', async (t) => {
  const r = emptyReadings();
  const results = new Map([
    ['kepler.legacy.package', [s({ instance: 'n1' }, 100), s({ instance: 'n2' }, 110)]],
    ['kepler.current.package', [s({ node_name: 'n1' }, 150)]],
    ['kepler.legacy.podTotal', [s({ pod_name: 'a', container_namespace: 'ns' }, 50)]],
    ['kepler.legacy.podGpu', [s({ pod_name: 'a', container_namespace: 'ns' }, 80)]],
  ]);
  applyKepler(results, cfg, ['current', 'legacy'], r);
  t.same(obj(r.node.package), { n1: 150, n2: 110 });
  t.same(obj(r.pod.cpu), { 'ns/a': 0 }, 'legacy pod CPU = total − GPU, never negative');
  t.same(obj(r.pod.keplerGpu), { 'ns/a': 80 });
  t.same(r.generations, ['legacy', 'current']);
});

void t.test('DCGM label variants', async (t) => {
  const cases: { name: string; series: InstantSample[]; nodes: Record<string, number>; pods: Record<string, number> }[] = [
    {
      name: 'release build: Hostname, pod/namespace',
      series: [s({ Hostname: 'n1', gpu: '0', pod: 'p', namespace: 'ns' }, 300), s({ Hostname: 'n1', gpu: '1' }, 60)],
      nodes: { n1: 360 },
      pods: { 'ns/p': 300 },
    },
    {
      name: 'newer build: hostname',
      series: [s({ hostname: 'n2', gpu: '0', pod: 'q', namespace: 'ns' }, 250)],
      nodes: { n2: 250 },
      pods: { 'ns/q': 250 },
    },
    {
      name: 'honor_labels false: exported_* are the workload, pod is the exporter',
      series: [
        s({ job: 'dcgm', Hostname: 'n3', gpu: '0', exported_pod: 'llm', exported_namespace: 'serving', pod: 'dcgm-x', namespace: 'gpu-operator' }, 600),
        s({ job: 'dcgm', Hostname: 'n3', gpu: '1', pod: 'dcgm-x', namespace: 'gpu-operator' }, 70),
      ],
      nodes: { n3: 670 },
      pods: { 'serving/llm': 600 },
    },
    {
      name: 'UUID when there is no gpu index; the same GPU scraped twice counts once',
      series: [s({ Hostname: 'n4', UUID: 'GPU-1' }, 100), s({ Hostname: 'n4', UUID: 'GPU-1' }, 100)],
      nodes: { n4: 100 },
      pods: {},
    },
  ];
  for (const c of cases) {
    const r = emptyReadings();
    applyDcgm(new Map([['dcgm.power', c.series]]), cfg, r);
    t.same(obj(r.node.dcgmGpu), c.nodes, `${c.name}: node`);
    t.same(obj(r.pod.dcgmGpu), c.pods, `${c.name}: pods`);
  }
  const r = emptyReadings();
  applyDcgm(new Map([['dcgm.power', [s({ gpu: '0' }, 1)]]]), cfg, r);
  t.match(r.problems, [/dcgm power: ignored 1 series without the expected labels/], 'no host label: ignored and reported');
});

void t.test('DCGM: a rejected GPU leaves its node and pod uncomposed (no partial sum)', async (t) => {
  const r = emptyReadings();
  applyDcgm(
    new Map([['dcgm.power', [s({ Hostname: 'n1', gpu: '0', pod: 'p', namespace: 'ns' }, Number.NaN), s({ Hostname: 'n1', gpu: '1' }, 80)]]]),
    cfg,
    r,
  );
  t.same(obj(r.node.dcgmGpu), {});
  t.same([...r.rejectedNodes], ['n1']);
  t.same([...r.rejectedPods], ['ns/p']);
  t.equal(r.rejected.get('dcgm power'), 1);
});

void t.test('inlet sensors: by rack label or node label, hottest wins, out-of-range rejected', async (t) => {
  const byRack = telemetryConfig({ prometheusUrl: 'http://p', inlet: { query: 'x', rackLabel: 'rack' } });
  const r = emptyReadings();
  applyInlet(new Map([['inlet', [s({ rack: 'r1' }, 24), s({ rack: 'r1' }, 27.5), s({ rack: 'r2' }, 999)]]]), byRack, r);
  t.same(obj(r.inletByRack), { r1: 27.5 });
  t.match(r.problems, [/inlet temperature: rejected 1 sample\(s\): r2=999 \(outside -40\.\.150 °C\)/]);
  const byNode = telemetryConfig({ prometheusUrl: 'http://p', inlet: { query: 'x', nodeLabel: 'node' } });
  const r2 = emptyReadings();
  applyInlet(new Map([['inlet', [s({ node: 'n1' }, 22)]]]), byNode, r2);
  t.same(obj(r2.inletByNode), { n1: 22 });
  applyInlet(new Map(), cfg, r2);
  t.same(obj(r2.inletByRack), {}, 'no inlet query configured: nothing read');
});

void t.test('readAll: a misconfigured query costs only its component; an outage fails the refresh', async (t) => {
  const queried: string[] = [];
  const api: QueryApi = {
    async query(promql) {
      queried.push(promql);
      if (promql.startsWith('group by (__name__)')) return [s({ __name__: 'kepler_node_cpu_watts' }, 1)];
      if (promql.includes('zone="dram"')) throw new PrometheusError('CLIMATIK_TELEMETRY_BAD_DATA', 'bad_data: parse error', 'bad_data', promql);
      if (promql.includes('zone="package"')) return [s({ node_name: 'n1' }, 200)];
      return [];
    },
  };
  const r = await readAll(api, cfg, at);
  t.same(obj(r.node.package), { n1: 200 });
  t.match(r.problems, [/kepler\.current\.dram: bad_data: parse error/]);
  t.ok(queried.length >= 8, 'detection, Kepler and DCGM queries');
  const down: QueryApi = {
    async query(promql) {
      throw new PrometheusError('CLIMATIK_TELEMETRY_UNAVAILABLE', 'unreachable', undefined, promql);
    },
  };
  await t.rejects(readAll(down, cfg, at), { code: 'CLIMATIK_TELEMETRY_UNAVAILABLE' });
  const off = telemetryConfig({ prometheusUrl: 'http://p', kepler: { generation: 'off' }, dcgm: { enabled: false } });
  const none = await readAll(down, off, at);
  t.same(none.generations, [], 'Kepler off and DCGM disabled: no queries at all');
  const empty: QueryApi = { query: async () => [] };
  t.match((await readAll(empty, cfg, at)).problems, [/no Kepler metrics found/]);
});
