// First end-to-end path: a real kube-scheduler serving `climatik-scheduler` (the config from
// scheduler-config/) calls the real `climatik extender` process (cluster mode: topology ConfigMap,
// Node informer, live telemetry from a real Prometheus), which binds through the real apiserver.
// Run for both wire forms: node names (nodeCacheCapable) and full Node objects.
//
// Rack power is static in this file (nothing makes bound pods draw power), so the assertions only
// rely on what telemetry shows: rack r1 is 500 W under budget and can never take a 700 W pod.
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import t from 'tap';
import { stringify } from 'yaml';
import { startPrometheus } from '../prometheus/prometheus-server.js';
import { startTestExporter } from '../prometheus/test-exporter.js';
import { waitForExtenderTelemetry } from './climatik-stack.js';
import { startCluster } from './cluster.js';
import { startExtenderProcess } from './extender-process.js';
import { createGpuNode } from './nodes.js';
import { createPod, gpuPod, podEvents, waitForVerdict } from './pods.js';
import { renderSchedulerConfig } from './scheduler-config.js';

const RACKS = [
  { id: 'r1', nodeW: 4750 }, // 9.5 kW of a 10 kW budget: no room for a 700 W GPU pod
  { id: 'r2', nodeW: 2000 }, // 4 kW
  { id: 'r3', nodeW: 3000 }, // 6 kW
];
const BUDGET_W = 10_000;
const nodesOf = (rack: string): string[] => [`${rack}-n1`, `${rack}-n2`];
const rackOf = (node: string): string => node.split('-')[0] ?? '';

const topologyYaml = stringify({
  apiVersion: 'climatik.io/v1alpha1',
  kind: 'RackTopology',
  supplyTemperatureC: 18,
  redlineInletC: 27,
  // No node lists: racks come from the topology.climatik.io/rack label via the extender's Node informer.
  racks: RACKS.map((r) => ({ id: r.id, powerBudgetW: BUDGET_W, nameplateW: 14_000 })),
  heatRecirculation: {
    matrixCPerKW: [
      [0.3, 0.1, 0.02],
      [0.1, 0.3, 0.1],
      [0.02, 0.1, 0.3],
    ],
  },
});

void t.test('climatik-scheduler + extender on a real control plane', async (t) => {
  const cluster = await startCluster();
  t.teardown(() => cluster.stop());
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  for (const r of RACKS) for (const name of nodesOf(r.id)) await createGpuNode(core, { name, rack: r.id, gpus: 8, cpu: '64', memory: '512Gi' });
  await core.createNamespace({ body: { metadata: { name: 'climatik-system' } } });
  await core.createNamespacedConfigMap({
    namespace: 'climatik-system',
    body: { metadata: { name: 'rack-topology' }, data: { 'topology.yaml': topologyYaml } },
  });

  // Node power as Kepler >= 0.10 reports it, scraped by a real Prometheus every second.
  const kepler = await startTestExporter();
  t.teardown(() => kepler.stop());
  for (const r of RACKS) {
    for (const node of nodesOf(r.id)) kepler.setGauge('kepler_node_cpu_watts', { node_name: node, zone: 'package', path: '/p' }, r.nodeW);
  }
  const prom = await startPrometheus({ jobs: [{ name: 'kepler', targets: [kepler.target], honorLabels: true }] });
  t.teardown(() => prom.stop());

  const extender = await startExtenderProcess({ kubeconfigPath: cluster.kubeconfigPath, prometheusUrl: prom.url, dir: cluster.stateDir });
  t.teardown(() => extender.stop());

  const allNodes = RACKS.flatMap((r) => nodesOf(r.id));
  await waitForExtenderTelemetry(extender, allNodes);
  /** What the extender prefers right now for this pod, asked the way the scheduler asks. */
  const favourites = async (pod: V1Pod): Promise<{ passed: string[]; best: string[] }> => {
    const filtered = (await extender.call('filter', { Pod: pod, NodeNames: allNodes })) as { NodeNames?: string[] };
    const passed = filtered.NodeNames ?? [];
    const scores = (await extender.call('prioritize', { Pod: pod, NodeNames: passed })) as { Host: string; Score: number }[];
    const top = Math.max(...scores.map((s) => s.Score));
    return { passed, best: scores.filter((s) => s.Score === top).map((s) => s.Host) };
  };

  for (const form of [
    { name: 'node names (nodeCacheCapable)', nodeCacheCapable: true, suffix: 'names' },
    { name: 'full Node objects', nodeCacheCapable: false, suffix: 'nodes' },
  ]) {
    await t.test(`wire form: ${form.name}`, async (t) => {
      await cluster.startScheduler('climatik', renderSchedulerConfig({ extenderUrl: extender.url, leaderElect: false, nodeCacheCapable: form.nodeCacheCapable }));
      t.teardown(() => cluster.stopScheduler('climatik'));

      await t.test('a GPU pod skips the full rack and lands where the extender prefers', async (t) => {
        const pod = gpuPod({ name: `pick-${form.suffix}`, gpus: 1, schedulerName: 'climatik-scheduler' });
        const before = await favourites(pod);
        t.same(before.passed.map(rackOf).filter((r) => r === 'r1'), [], 'the extender filters out r1 (9.5 kW + 700 W > 10 kW)');
        const bindsBefore = await extender.counter('climatik_extender_binds_total', { outcome: 'bound' });
        await createPod(core, pod);
        const verdict = await waitForVerdict(core, 'default', pod.metadata?.name ?? '');
        t.ok(verdict.bound, 'bound');
        if (!verdict.bound) return;
        t.not(rackOf(verdict.nodeName), 'r1', `not on the full rack (${verdict.nodeName})`);
        t.ok(before.best.includes(verdict.nodeName), `on a top-scored node: ${verdict.nodeName} in [${before.best.join(', ')}]`);
        t.equal(await extender.counter('climatik_extender_binds_total', { outcome: 'bound' }), bindsBefore + 1, 'bound by the extender');
      });

      await t.test('a pod no rack has room for stays Pending with the budget reason in its events', async (t) => {
        const name = `too-big-${form.suffix}`;
        // 7 kW declared: more than any rack's headroom (r2 has 6 kW).
        await createPod(core, gpuPod({ name, gpus: 1, schedulerName: 'climatik-scheduler', annotations: { 'climatik.io/expected-power-watts': '7000' } }));
        const verdict = await waitForVerdict(core, 'default', name);
        t.equal(verdict.bound, false, 'not bound');
        if (verdict.bound) return;
        t.equal(verdict.reason, 'Unschedulable');
        t.match(verdict.message, /exceeds budget/, `condition names the budget: ${verdict.message}`);
        const events = await podEvents(core, 'default', name);
        t.ok(events.some((e) => e.reason === 'FailedScheduling' && /exceeds budget/.test(e.message ?? '')), 'FailedScheduling event with our reason');
      });

      await t.test('a default-scheduler pod is not affected by the extender', async (t) => {
        const name = `default-${form.suffix}`;
        const pod = gpuPod({ name, gpus: 1 });
        // Pinned to the full rack: only the extender would refuse it.
        pod.spec = { ...pod.spec, containers: pod.spec?.containers ?? [], nodeSelector: { 'kubernetes.io/hostname': 'r1-n1' } };
        await createPod(core, pod);
        const verdict = await waitForVerdict(core, 'default', name);
        t.same(verdict, { bound: true, nodeName: 'r1-n1' });
      });
    });
  }
});
