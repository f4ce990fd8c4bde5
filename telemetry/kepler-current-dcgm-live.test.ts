// Integration: Kepler ≥ 0.10 watts gauges, two NVIDIA DCGM exporters (one scraped with
// honor_labels: false, so pod labels arrive as exported_pod/exported_namespace and the host label is
// `Hostname`; one newer build with `hostname`) and an IPMI-style inlet sensor, all through a REAL
// Prometheus. Gauge values come back exactly as served.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Registry } from 'prom-client';
import { silentLogger, systemClock } from '../common/index.js';
import { startPrometheus } from '../test/prometheus/prometheus-server.js';
import { startTestExporter } from '../test/prometheus/test-exporter.js';
import { liveConfig, rackLookup, refreshUntil, testTopology } from '../test/prometheus/fixtures.js';
import { run as runCli } from './cli.js';
import { createPrometheusSnapshotSource } from './index.js';

void t.test('Kepler 0.10 + DCGM + inlet sensors through a real Prometheus', async (t) => {
  const kepler = await startTestExporter();
  const dcgmOld = await startTestExporter();
  const dcgmNew = await startTestExporter();
  const ipmi = await startTestExporter();
  t.teardown(async () => {
    for (const e of [kepler, dcgmOld, dcgmNew, ipmi]) await e.stop();
  });

  // c1: zones overlap (package ⊇ core + uncore) and must not be summed: package 210 + dram 25 = 235.
  for (const [zone, w] of [['package', 210], ['core', 150], ['uncore', 20], ['dram', 25]] as const) {
    kepler.setGauge('kepler_node_cpu_watts', { node_name: 'c1', zone, path: `/sys/class/powercap/${zone}` }, w);
  }
  kepler.setGauge('kepler_node_gpu_watts', { node_name: 'c1', gpu: '0', gpu_uuid: 'GPU-a' }, 280); // DCGM replaces this
  // c2: a Redfish platform reading wins over the components.
  kepler.setGauge('kepler_platform_watts', { node_name: 'c2', source: 'redfish', bmc_id: 'bmc-c2', chassis_id: '1' }, 900);
  kepler.setGauge('kepler_node_cpu_watts', { node_name: 'c2', zone: 'package', path: '/p' }, 300);
  // c3: package only + Kepler GPU (no DCGM on c3's GPUs... but see the hostname exporter below).
  kepler.setGauge('kepler_node_cpu_watts', { node_name: 'c3', zone: 'package', path: '/p' }, 100);
  // Pods: package + dram zones, not core; terminated pods ignored.
  for (const [zone, w] of [['package', 40], ['core', 30], ['dram', 5]] as const) {
    kepler.setGauge('kepler_pod_cpu_watts', { node_name: 'c1', pod_name: 'llm-0', pod_namespace: 'serving', pod_id: 'u1', state: 'running', zone }, w);
  }
  kepler.setGauge('kepler_pod_cpu_watts', { node_name: 'c1', pod_name: 'old-0', pod_namespace: 'serving', pod_id: 'u2', state: 'terminated', zone: 'package' }, 99);
  kepler.setGauge('kepler_pod_cpu_watts', { node_name: 'c3', pod_name: 'batch-0', pod_namespace: 'jobs', pod_id: 'u3', state: 'running', zone: 'package' }, 12);
  kepler.setGauge('kepler_pod_gpu_watts', { node_name: 'c3', pod_name: 'batch-0', pod_namespace: 'jobs', state: 'running', gpu: '0' }, 150);

  // DCGM release build: `Hostname`; scraped with honor_labels false → exported_pod / exported_namespace.
  const gpu = (idx: string, extra: Record<string, string>) => ({ gpu: idx, UUID: `GPU-c1-${idx}`, device: `nvidia${idx}`, modelName: 'NVIDIA H100', Hostname: 'c1', ...extra });
  dcgmOld.setGauge('DCGM_FI_DEV_POWER_USAGE', gpu('0', { pod: 'llm-0', namespace: 'serving', container: 'vllm' }), 612.5);
  dcgmOld.setGauge('DCGM_FI_DEV_POWER_USAGE', gpu('1', {}), 71.25); // unassigned GPU: idle power, no pod
  dcgmOld.setGauge('DCGM_FI_DEV_GPU_TEMP', gpu('0', { pod: 'llm-0', namespace: 'serving', container: 'vllm' }), 67);
  dcgmOld.setGauge('DCGM_FI_DEV_GPU_TEMP', gpu('1', {}), 41);
  dcgmOld.setGauge('DCGM_FI_DEV_ENFORCED_POWER_LIMIT', gpu('0', {}), 700);
  // DCGM newer build: `hostname`, pod labels kept as they are (honor_labels true).
  dcgmNew.setGauge('DCGM_FI_DEV_POWER_USAGE', { gpu: '0', UUID: 'GPU-c3-0', hostname: 'c3', pod: 'batch-0', namespace: 'jobs' }, 205);

  // ipmi_exporter-style inlet sensors with a node label; the hottest sensor of a rack counts.
  ipmi.setGauge('ipmi_temperature_celsius', { id: '4', name: 'Inlet Temp', node: 'c1' }, 24.5);
  ipmi.setGauge('ipmi_temperature_celsius', { id: '4', name: 'Inlet Temp', node: 'c2' }, 26);
  ipmi.setGauge('ipmi_temperature_celsius', { id: '4', name: 'Inlet Temp', node: 'c3' }, 22);
  ipmi.setGauge('ipmi_temperature_celsius', { id: '7', name: 'Exhaust Temp', node: 'c1' }, 45);

  const prom = await startPrometheus({
    jobs: [
      { name: 'kepler', targets: [kepler.target], honorLabels: true },
      { name: 'dcgm', targets: [dcgmOld.target], honorLabels: false, labels: { pod: 'nvidia-dcgm-exporter-7xk2p', namespace: 'gpu-operator' } },
      { name: 'dcgm-new', targets: [dcgmNew.target], honorLabels: true },
      { name: 'ipmi', targets: [ipmi.target], honorLabels: true },
    ],
  });
  t.teardown(() => prom.stop());

  const topology = testTopology([
    { id: 'rack-a', nodes: ['c1', 'c2'] },
    { id: 'rack-b', nodes: ['c3'] },
  ]);
  const registry = new Registry();
  const source = createPrometheusSnapshotSource({
    prometheusUrl: prom.url,
    rackOfNode: rackLookup(topology),
    clock: systemClock,
    logger: silentLogger(),
    registry,
    config: { ...liveConfig(prom.url), prometheusUrl: undefined, inlet: { query: 'ipmi_temperature_celsius{name="Inlet Temp"}', nodeLabel: 'node' } },
  });

  const snap = await refreshUntil(
    () => source.refresh(),
    // every exporter scraped at least once: Kepler (c2 platform), both DCGM builds, the inlet sensors
    (s) => s.nodePowerW.c2 !== undefined && Object.keys(s.gpuPowerW).length === 3 && s.gpuPowerLimitW['c1/0'] !== undefined && s.inletC['rack-b'] !== undefined,
  );
  t.same(snap.keplerGenerations, ['current'], 'generation detected from kepler_node_cpu_watts');

  const values = (m: Record<string, { value: number }>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.value]));
  t.same(
    values(snap.nodePowerW),
    { c1: 210 + 25 + 612.5 + 71.25, c2: 900, c3: 100 + 205 },
    'node power: package + dram + DCGM GPUs (never core/uncore); platform when present',
  );
  t.equal(snap.nodePowerW.c1?.source, 'package+dram+gpu:dcgm');
  t.equal(snap.nodePowerW.c2?.source, 'platform');
  t.same(values(snap.rackPowerW), { 'rack-a': 918.75 + 900, 'rack-b': 305 });
  t.same(
    values(snap.podPowerW),
    { 'serving/llm-0': 40 + 5 + 612.5, 'jobs/batch-0': 12 + 205 },
    'pod power: CPU zones package+dram, GPU from DCGM (exported_pod / plain pod), terminated and unassigned GPUs excluded',
  );
  t.notOk('gpu-operator/nvidia-dcgm-exporter-7xk2p' in snap.podPowerW, 'the exporter pod is never charged for an idle GPU');
  t.same(values(snap.gpuPowerW), { 'c1/0': 612.5, 'c1/1': 71.25, 'c3/0': 205 }, 'per-GPU power, Hostname and hostname');
  t.same(values(snap.gpuTemperatureC), { 'c1/0': 67, 'c1/1': 41 });
  t.same(values(snap.gpuPowerLimitW), { 'c1/0': 700 });
  t.same(values(snap.inletC), { 'rack-a': 26, 'rack-b': 22 }, 'inlet per rack: hottest inlet sensor of its nodes');
  t.same(snap.problems, []);
  t.ok(Object.isFrozen(snap) && Object.isFrozen(snap.rackPowerW), 'snapshot is immutable');

  const metrics = await registry.getSingleMetricAsString('climatik_telemetry_stale_series');
  t.match(metrics, /climatik_telemetry_stale_series\{kind="rack"\} 0/);

  await t.test('climatik telemetry snapshot: one read, printed with the topology', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'climatik-cli-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const topoFile = join(dir, 'topology.json');
    await writeFile(topoFile, JSON.stringify({
      apiVersion: 'climatik.io/v1alpha1', kind: 'RackTopology', supplyTemperatureC: 20, redlineInletC: 32,
      racks: [{ id: 'rack-a', powerBudgetW: 20_000, nodes: ['c1', 'c2'] }, { id: 'rack-b', powerBudgetW: 20_000, nodes: ['c3', 'c9'] }],
      heatRecirculation: { matrixCPerKW: [[0.2, 0.05], [0.05, 0.2]] },
    }));
    const cfgFile = join(dir, 'telemetry.yaml');
    await writeFile(cfgFile, 'inlet:\n  query: ipmi_temperature_celsius{name="Inlet Temp"}\n  nodeLabel: node\n');
    let out = '';
    const io = { out: { write: (text: string) => (out += text) } };
    t.equal(await runCli(['--prometheus', prom.url, '--topology', topoFile, '--config', cfgFile], io), 0);
    t.match(out, /^Kepler: current; 3 nodes, 2 pods, 3 GPUs, 2 inlet readings$/m);
    t.match(out, /^ {2}rack-a: 1819 W \(\d+\.\d s old\), inlet 26 °C$/m);
    t.match(out, /^ {2}rack-b: 305 W .* → using 20000 W: partial: no power for listed node\(s\) c9$/m, 'fallback shown with its reason');
    t.match(out, /^ {2}c1: 918\.8 W from package\+dram\+gpu:dcgm/m);
    out = '';
    t.equal(await runCli(['--prometheus', prom.url, '--json'], io), 0);
    const json = JSON.parse(out) as { nodePowerW: Record<string, { value: number }>; rackPowerW: object };
    t.equal(json.nodePowerW.c2?.value, 900);
    t.same(json.rackPowerW, {}, 'no topology: no racks');
    t.equal(await runCli(['--prometheus', 'http://127.0.0.1:1', '--json'], { out: { write: () => true } }), 1, 'unreachable: exit 1');
  });

  await t.test('the background loop swaps snapshots in; readers never wait', async (t) => {
    const before = source.current();
    source.start();
    const next = await refreshUntil(async () => source.current() ?? snap, (s) => s !== before && s.takenAtMs > (before?.takenAtMs ?? 0), 5000);
    await source.stop();
    t.not(next, before, 'a new snapshot object');
    t.same(values(next.rackPowerW), values(snap.rackPowerW));
  });
});
