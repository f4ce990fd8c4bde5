// Integration: the capper's PrometheusPowerSource against a REAL Prometheus scraping the test
// exporter (Kepler >= 0.10 gauges). The snapshot follows the exporter, and the forecast history comes
// back from query_range as rack sums per step, in time order, holding exactly the served values.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { silentLogger, systemClock } from '../common/index.js';
import { rackOfNode } from '../rack-model/index.js';
import type { Topology } from '../rack-model/types.js';
import { testTopology } from '../test/prometheus/fixtures.js';
import { startPrometheus } from '../test/prometheus/prometheus-server.js';
import { startTestExporter } from '../test/prometheus/test-exporter.js';
import type { PowerSnapshot } from './decisions/types.js';
import { PrometheusPowerSource } from './power-source.js';

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

void t.test('hot rack through a real Prometheus: snapshot, query_range history, topology swap', async (t) => {
  const kepler = await startTestExporter();
  t.teardown(() => kepler.stop());
  const cpu = (node: string, w: number) => kepler.setGauge('kepler_node_cpu_watts', { node_name: node, zone: 'package', path: '/p' }, w);
  cpu('c1', 3000);
  cpu('c2', 2000);
  cpu('c3', 1500);
  const prom = await startPrometheus({ jobs: [{ name: 'kepler', targets: [kepler.target], honorLabels: true }] });
  t.teardown(() => prom.stop());

  let topology: Topology = testTopology([{ id: 'rack-a', nodes: ['c1', 'c2'] }, { id: 'rack-b', nodes: ['c3'] }]);
  const source = new PrometheusPowerSource(prom.url, (node) => rackOfNode(topology, node), systemClock, silentLogger(), { historyStepMs: 1000, refreshIntervalMs: 200 });
  source.start();
  t.teardown(() => source.stop());
  let snap: PowerSnapshot | undefined;
  const rackW = (rack: string) => snap?.rackPowerW[rack]?.value;
  const snapshotShows = (rack: string, w: number) => until(`${rack} at ${w} W`, async () => {
    snap = await source.snapshot();
    return rackW(rack) === w;
  });

  await snapshotShows('rack-a', 5000);
  t.equal(rackW('rack-b'), 1500);
  const coolUntilMs = Date.now();
  await sleep(3000); // a few scrapes at 5 kW before the breach
  cpu('c1', 6000);
  await snapshotShows('rack-a', 8000);
  const hotFromMs = Date.now();
  await sleep(2500);

  const history = await source.history(60_000);
  const a = history['rack-a'] ?? [];
  t.ok(a.length >= 5, `rack-a history has one point per second (${a.length})`);
  t.ok(a.every((p, i) => i === 0 || p.timeMs - (a[i - 1]?.timeMs ?? 0) === 1000), 'points in time order, one step apart');
  t.same([...new Set(a.map((p) => p.powerW))], [5000, 8000], 'exactly the served rack sums: 5 kW, then 8 kW');
  t.ok(a.filter((p) => p.timeMs <= coolUntilMs).every((p) => p.powerW === 5000), 'before the breach: 5 kW');
  t.ok(a.filter((p) => p.timeMs >= hotFromMs).every((p) => p.powerW === 8000), 'after the breach: 8 kW');
  t.ok((history['rack-b'] ?? []).every((p) => p.powerW === 1500), 'rack-b flat at 1.5 kW');
  // A 4 h observation window at a 1 s step is 14,400 points, over Prometheus' 11,000 per series:
  // the step is widened to fit instead of the query failing (and the forecast running blind).
  const long = await source.history(4 * 3_600_000);
  t.ok((long['rack-a'] ?? []).length >= 1 && (long['rack-a'] ?? []).every((p) => p.powerW === 5000 || p.powerW === 8000), 'a 4 h window at 1 s step still answers');
  const recent = await source.history(2000);
  t.ok((recent['rack-a'] ?? []).length <= 3, 'the window bounds the history');

  // A reloaded topology moves c2 to rack-b: the next refresh sums it there.
  topology = testTopology([{ id: 'rack-a', nodes: ['c1'] }, { id: 'rack-b', nodes: ['c2', 'c3'] }]);
  await snapshotShows('rack-b', 3500);
  t.equal(rackW('rack-a'), 6000);
});
