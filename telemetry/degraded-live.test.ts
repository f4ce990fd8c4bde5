// Integration: how telemetry degrades, against a REAL Prometheus. Garbage values (NaN, +Inf,
// negative) are rejected and reported; a stale exporter's values keep their old sample time, go
// stale and make consumers fall back to the rack nameplate; a Prometheus that is down leaves the
// last snapshot in place, marked stale, with the error reported and never thrown at readers.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { Registry } from 'prom-client';
import { silentLogger, systemClock } from '../common/index.js';
import { startPrometheus } from '../test/prometheus/prometheus-server.js';
import { startTestExporter } from '../test/prometheus/test-exporter.js';
import { liveConfig, rackLookup, refreshUntil, testTopology } from '../test/prometheus/fixtures.js';
import { PrometheusApi, PrometheusSnapshotSource, effectiveRackPowerW, type Snapshot } from './index.js';

const values = (m: Record<string, { value: number }>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.value]));

void t.test('degraded telemetry through a real Prometheus', async (t) => {
  const kepler = await startTestExporter();
  const dcgm = await startTestExporter();
  t.teardown(async () => {
    await kepler.stop();
    await dcgm.stop();
  });
  const cpu = (node: string, w: number) => kepler.setGauge('kepler_node_cpu_watts', { node_name: node, zone: 'package', path: '/p' }, w);
  const gpu = (node: string, w: number) => dcgm.setGauge('DCGM_FI_DEV_POWER_USAGE', { gpu: '0', UUID: `GPU-${node}`, Hostname: node }, w);
  const good = (): void => {
    cpu('n1', 200);
    cpu('n2', 210);
    cpu('n3', 220);
    cpu('n4', 230);
    gpu('n1', 500);
    gpu('n3', 450);
  };
  good();

  const prom = await startPrometheus({
    jobs: [
      { name: 'kepler', targets: [kepler.target], honorLabels: true },
      { name: 'dcgm', targets: [dcgm.target], honorLabels: true },
    ],
  });
  t.teardown(() => prom.stop());
  const topology = testTopology([
    { id: 'rack-a', nodes: ['n1', 'n2'], nameplateW: 12_000 },
    { id: 'rack-b', nodes: ['n3', 'n4'], nameplateW: 9_000 },
  ]);
  const config = liveConfig(prom.url);
  const registry = new Registry();
  const source = new PrometheusSnapshotSource({
    api: new PrometheusApi({ baseUrl: prom.url, timeoutMs: config.requestTimeoutMs }),
    config,
    rackOfNode: rackLookup(topology),
    clock: systemClock,
    logger: silentLogger(),
    registry,
  });
  const refresh = () => source.refresh();
  const healthy = await refreshUntil(refresh, (s) => Object.keys(s.nodePowerW).length === 4 && s.nodePowerW.n3?.value === 670);
  t.same(values(healthy.rackPowerW), { 'rack-a': 910, 'rack-b': 900 }, 'baseline: all fresh');
  const policy = { maxAgeMs: config.maxAgeMs };

  await t.test('garbage values: NaN, +Inf and negative are rejected, reported and never used', async (t) => {
    cpu('n1', Number.NaN);
    cpu('n2', Number.POSITIVE_INFINITY);
    gpu('n3', -40);
    const snap = await refreshUntil(refresh, (s) => s.problems.some((p) => p.includes('rejected 2')) && s.problems.some((p) => p.includes('dcgm power')));
    const text = snap.problems.join('\n');
    t.match(text, /kepler current node package: rejected 2 sample\(s\): n1=NaN \(NaN\), n2=Infinity \(infinite\)/);
    t.match(text, /dcgm power: rejected 1 sample\(s\): n3\/0=-40 \(negative\)/);
    t.same(values(snap.nodePowerW), values(healthy.nodePowerW), 'nodes with a rejected part keep their last good total (no partial sum)');
    // Fresh values carry the evaluation time the collector asked for (= takenAtMs); carried ones are older.
    t.ok((snap.nodePowerW.n1?.sampleTimeMs ?? Infinity) < snap.takenAtMs, 'n1 keeps its old sample time, so it ages');
    t.ok((snap.nodePowerW.n3?.sampleTimeMs ?? Infinity) < snap.takenAtMs, 'n3 too');
    t.equal(snap.nodePowerW.n4?.sampleTimeMs, snap.takenAtMs, 'healthy n4 is fresh');
    t.ok(Object.values(snap.nodePowerW).every((s) => Number.isFinite(s.value) && s.value >= 0));
    const rejected = await registry.getSingleMetricAsString('climatik_telemetry_rejected_samples_total');
    t.match(rejected, /family="kepler current node package"\} [1-9]/);
    t.match(rejected, /family="dcgm power"\} [1-9]/);
    good();
    const back = await refreshUntil(refresh, (s) => s.problems.length === 0);
    t.same(back.problems, [], 'recovers once values are sane again');
  });

  await t.test('stale exporter: values keep their sample time, go stale, consumers fall back to nameplate', async (t) => {
    const before = await refresh();
    await dcgm.pause();
    // Prometheus marks the DCGM series stale after the failed scrape; n1 and n3 lose their GPU part.
    const missing = await refreshUntil(refresh, (s) => s.problems.some((p) => p.startsWith('dcgm gpu: 2 series missing')));
    t.match(missing.problems.join('\n'), /dcgm gpu: 2 series missing from this refresh, last values kept: n1, n3/);
    t.equal(missing.nodePowerW.n1?.value, before.nodePowerW.n1?.value, 'last total kept, not a fresh CPU-only part');
    t.ok((missing.nodePowerW.n1?.sampleTimeMs ?? Infinity) < missing.takenAtMs, 'aging from the last GPU sample');
    await sleep(config.maxAgeMs + 200);
    const stale = await refresh();
    t.equal(stale.nodePowerW.n1?.stale, true, 'n1 stale past maxAgeMs');
    t.equal(stale.nodePowerW.n2?.stale, false, 'n2 (no GPU) still fresh');
    t.equal(stale.rackPowerW['rack-a']?.stale, true);
    t.equal(stale.rackPowerW['rack-b']?.stale, true);
    const eff = effectiveRackPowerW(stale, topology, Date.now(), policy);
    t.same([...eff.replaced].sort(), ['rack-a', 'rack-b']);
    t.same(eff.rackPowerW, { 'rack-a': 12_000, 'rack-b': 9_000 }, 'conservative nameplate estimate');
    t.match(eff.reasons['rack-a'], /^stale: oldest node sample is \d+ s old \(max 3 s\)$/);
    t.match(await registry.getSingleMetricAsString('climatik_telemetry_stale_series'), /kind="rack"\} 2/);
    await dcgm.resume();
    const fresh = await refreshUntil(refresh, (s) => s.rackPowerW['rack-a']?.stale === false && s.rackPowerW['rack-b']?.stale === false);
    t.same(values(fresh.rackPowerW), { 'rack-a': 910, 'rack-b': 900 }, 'fresh again once the exporter is back');
  });

  await t.test('Prometheus down: last snapshot kept and marked stale, error reported, readers never see a throw', async (t) => {
    const last = await refresh();
    source.start(); // the background loop keeps running through the outage
    await prom.stop();
    const during = await refresh();
    t.match(during.problems[0], /^refresh failed \(CLIMATIK_TELEMETRY_UNAVAILABLE\): prometheus http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query: unreachable/);
    t.same(values(during.rackPowerW), values(last.rackPowerW), 'last values kept');
    t.equal(during.rackPowerW['rack-a']?.sampleTimeMs, last.rackPowerW['rack-a']?.sampleTimeMs, 'with their sample times');
    await sleep(config.maxAgeMs + 200);
    const later: Snapshot = await refresh();
    t.ok(Object.values(later.rackPowerW).every((s) => s.stale), 'every rack stale after maxAgeMs');
    t.same([...effectiveRackPowerW(source.current(), topology, Date.now(), policy).replaced].sort(), ['rack-a', 'rack-b']);
    t.match(await registry.getSingleMetricAsString('climatik_telemetry_refresh_errors_total'), /code="CLIMATIK_TELEMETRY_UNAVAILABLE"\} [1-9]/);
    await source.stop();
  });
});
