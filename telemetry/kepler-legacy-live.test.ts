// Integration: Kepler ≤ 0.9 joule counters, scraped by a REAL Prometheus from the test exporter,
// read by the collector. Counters grow at known wattages; rate() must come back to them (within
// the tolerance of rate() over a 5 s window of 1 s scrapes). Also: history and workload profiles
// learned from Prometheus' range queries.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { silentLogger, systemClock } from '../common/index.js';
import { startPrometheus } from '../test/prometheus/prometheus-server.js';
import { startTestExporter } from '../test/prometheus/test-exporter.js';
import { liveConfig, near, rackLookup, refreshUntil, testTopology } from '../test/prometheus/fixtures.js';
import { PrometheusApi, PrometheusSnapshotSource, WorkloadPowerProfiles, effectiveRackPowerW, rackPowerHistory } from './index.js';

// rate() over 5 s of 1 s scrapes: exact for a linear counter up to scrape-time jitter (CI is loaded).
const TOLERANCE = 0.05;

void t.test('Kepler 0.9 (joule counters) through a real Prometheus', async (t) => {
  const exporter = await startTestExporter();
  t.teardown(() => exporter.stop());
  const node = (instance: string, family: string, watts: number, extra: Record<string, string> = {}) =>
    exporter.setWatts(family, { instance, mode: 'dynamic', source: 'rapl', ...extra }, watts);
  // l1 has a platform sensor: node power is platform (420), package/dram are inside it.
  node('l1', 'kepler_node_platform_joules_total', 420, { source: 'acpi' });
  node('l1', 'kepler_node_package_joules_total', 200, { package: '0' });
  node('l1', 'kepler_node_dram_joules_total', 30, { package: '0' });
  // l2 has none: package (two sockets) + dram + GPU = 90 + 90 + 20 + 300 = 500; idle mode counts too.
  node('l2', 'kepler_node_package_joules_total', 90, { package: '0' });
  node('l2', 'kepler_node_package_joules_total', 60, { package: '1' });
  node('l2', 'kepler_node_package_joules_total', 30, { package: '1', mode: 'idle' });
  node('l2', 'kepler_node_dram_joules_total', 20, { package: '0' });
  node('l2', 'kepler_node_gpu_joules_total', 300, { index: '0' });
  // Pods: dynamic share only; web's GPU part is inside kepler_container_joules_total.
  const container = (family: string, pod: string, mode: string, watts: number) =>
    exporter.setWatts(family, { instance: 'l2', pod_name: pod, container_namespace: 'serving', container_name: 'main', mode }, watts);
  container('kepler_container_joules_total', 'web-7d4b9c8f6-x2k9p', 'dynamic', 150);
  container('kepler_container_joules_total', 'web-7d4b9c8f6-x2k9p', 'idle', 40);
  container('kepler_container_gpu_joules_total', 'web-7d4b9c8f6-x2k9p', 'dynamic', 100);
  container('kepler_container_joules_total', 'web-7d4b9c8f6-q8z2w', 'dynamic', 170);

  const prom = await startPrometheus({ jobs: [{ name: 'kepler', targets: [exporter.target], honorLabels: true }] });
  t.teardown(() => prom.stop());
  t.match(prom.version, /^2\./, `Debian prometheus ${prom.version}`);

  const topology = testTopology([{ id: 'rack-a', nodes: ['l1', 'l2'] }]);
  const config = liveConfig(prom.url);
  const api = new PrometheusApi({ baseUrl: prom.url, timeoutMs: config.requestTimeoutMs });
  const source = new PrometheusSnapshotSource({ api, config, rackOfNode: rackLookup(topology), clock: systemClock, logger: silentLogger() });

  const snap = await refreshUntil(
    () => source.refresh(),
    (s) => near(s.nodePowerW.l1?.value, 420, TOLERANCE) && near(s.nodePowerW.l2?.value, 500, TOLERANCE) && near(s.podPowerW['serving/web-7d4b9c8f6-x2k9p']?.value, 150, TOLERANCE),
  );
  // rate() is settled from here on: history and profile windows start after this point.
  const settledMs = Date.now();
  t.same(snap.keplerGenerations, ['legacy'], 'generation detected from kepler_*_joules_total');
  t.ok(near(snap.nodePowerW.l1?.value, 420, TOLERANCE), `l1 platform ${snap.nodePowerW.l1?.value} ≈ 420 W`);
  t.equal(snap.nodePowerW.l1?.source, 'platform');
  t.ok(near(snap.nodePowerW.l2?.value, 500, TOLERANCE), `l2 components ${snap.nodePowerW.l2?.value} ≈ 500 W`);
  t.equal(snap.nodePowerW.l2?.source, 'package+dram+gpu:kepler');
  t.ok(near(snap.rackPowerW['rack-a']?.value, 920, TOLERANCE), `rack-a ${snap.rackPowerW['rack-a']?.value} ≈ 920 W`);
  t.ok(near(snap.podPowerW['serving/web-7d4b9c8f6-x2k9p']?.value, 150, TOLERANCE), 'pod: dynamic share, idle excluded');
  t.ok(near(snap.podPowerW['serving/web-7d4b9c8f6-q8z2w']?.value, 170, TOLERANCE));
  const age = Date.now() - (snap.rackPowerW['rack-a']?.sampleTimeMs ?? 0);
  t.ok(age >= 0 && age < 2000, `sample time is the evaluation time (${age} ms old)`);
  t.same(snap.problems, [], 'nothing degraded');

  const eff = effectiveRackPowerW(snap, topology, Date.now(), { maxAgeMs: config.maxAgeMs });
  t.same([...eff.replaced], [], 'fresh telemetry is used as is');

  await t.test('history: rack power over a window via query_range', async (t) => {
    await sleep(Math.max(0, settledMs + 4000 - Date.now()));
    const history = await rackPowerHistory(api, config, rackLookup(topology), { startMs: settledMs, endMs: settledMs + 4000, stepMs: 1000 });
    const points = history.racks['rack-a'] ?? [];
    t.ok(points.length >= 4, `${points.length} steps`);
    for (const p of points) t.ok(near(p.powerW, 920, TOLERANCE), `step ${new Date(p.timeMs).toISOString()}: ${p.powerW} ≈ 920 W`);
    t.ok(points.every((p, i) => i === 0 || p.timeMs > (points[i - 1]?.timeMs ?? 0)), 'in time order');
  });

  await t.test('profiles: a new web replica is expected to draw what its siblings draw (p90)', async (t) => {
    const profiles = new WorkloadPowerProfiles();
    await profiles.learnFromHistory(api, config, { startMs: settledMs, endMs: settledMs + 4000, stepMs: 1000 });
    const expected = profiles.expectedPodPowerW('serving', 'web-7d4b9c8f6-zwz5b');
    t.equal(expected?.workload, 'serving/web');
    t.equal(expected?.pods, 2);
    t.ok(near(expected?.powerW, 170, TOLERANCE), `p90 of siblings ${expected?.powerW} ≈ 170 W`);
  });
});
