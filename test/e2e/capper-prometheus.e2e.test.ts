// The real `climatik capper` process (bin/climatik.js, Prometheus mode) against a real
// kube-apiserver with KEDA's ScaledObject CRD, and rack power from the test exporter through Debian's
// real Prometheus: the exporter's node power pushes rack-a over its cap, an Enforce policy caps it
// (GPU-limit annotations, then maxReplicaCount by merge patch with the original saved), lower power
// restores it after the hysteresis. A topology edit (the mounted file rewritten) caps without any
// power change; an invalid edit is rejected and the last good topology kept. Real clock throughout:
// 1 s scrapes, 500 ms telemetry refresh, 1 s capper loop.
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { KEDA } from '../../capper/actuators/actuators.js';
import { ANNOTATIONS, POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION, type PolicyStatus } from '../../capper/policy-schema.js';
import { startPrometheus, waitForQuery } from '../prometheus/prometheus-server.js';
import { startTestExporter } from '../prometheus/test-exporter.js';
import { capperTopologyYaml, installCrd, startCapperProcess, writeAgentReport } from './capper-process.js';
import { startCluster } from './cluster.js';
import { createGpuNode } from './nodes.js';
import { waitUntil } from './processes.js';

const NS = 'ml';
const POLICY = { group: POLICY_GROUP, version: POLICY_VERSION, plural: POLICY_PLURAL, namespace: NS };
const NODES = [['gpu-a1', 'rack-a'], ['gpu-a2', 'rack-a'], ['gpu-b1', 'rack-b']] as const;
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

void t.test('capper process capping a rack pushed over its cap through the real Prometheus', async (t) => {
  const cluster = await startCluster({ defaultScheduler: false });
  t.teardown(() => cluster.stop());
  const kc = cluster.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const dir = await mkdtemp(join(tmpdir(), 'climatik-capper-prom-e2e-'));
  await installCrd(kc, 'deploy/crds/keda.sh_scaledobjects.yaml');
  await installCrd(kc, 'deploy/crds/powercappingpolicies.yaml');
  await core.createNamespace({ body: { metadata: { name: NS } } });
  for (const [name, rack] of NODES) {
    await createGpuNode(core, { name, rack, gpus: 4, cpu: '32', memory: '256Gi' });
    await writeAgentReport(core, name, 4);
  }
  const topologyFile = join(dir, 'topology.yaml');
  // rack-a lists no nodes: its nodes are found by their rack label (as deploy/'s sample topology
  // allows), so node power from Prometheus must reach the rack through the Node informer's labels.
  const writeTopology = (rackAW: number) =>
    writeFile(topologyFile, capperTopologyYaml([{ id: 'rack-a', powerBudgetW: rackAW, nodes: [] }, { id: 'rack-b', powerBudgetW: 10_000, nodes: ['gpu-b1'] }]));
  await writeTopology(10_000);

  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace: NS,
    body: { metadata: { name: 'llm' }, spec: { selector: { matchLabels: { app: 'llm' } }, template: { metadata: { labels: { app: 'llm' } }, spec: { containers: [{ name: 'llm', image: 'registry.invalid/llm' }] } } } },
  });
  for (const [i, nodeName] of ['gpu-a1', 'gpu-a1', 'gpu-a1', 'gpu-a2', 'gpu-a2', 'gpu-a2', 'gpu-b1', 'gpu-b1'].entries()) {
    await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: `llm-${i}`, labels: { app: 'llm' } }, spec: { nodeName, containers: [{ name: 'llm', image: 'registry.invalid/llm' }] } } });
  }
  const triggers = [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }];
  await custom.createNamespacedCustomObject({
    ...KEDA, namespace: NS,
    body: { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'llm' }, spec: { scaleTargetRef: { name: 'llm' }, minReplicaCount: 2, maxReplicaCount: 10, triggers } },
  });
  type So = { spec: { maxReplicaCount: number; minReplicaCount: number; triggers: unknown[] }; metadata: { annotations?: Record<string, string> } };
  const readSo = async () => (await custom.getNamespacedCustomObject({ ...KEDA, namespace: NS, name: 'llm' })) as So;
  const nodeLimit = async (n: string) => (await core.readNode({ name: n })).metadata?.annotations?.[ANNOTATIONS.gpuPowerLimitW];
  const status = async () => ((await custom.getNamespacedCustomObject({ ...POLICY, name: 'cap' })) as { status?: PolicyStatus }).status;
  const rackA = async () => (await status())?.racks?.find((r) => r.id === 'rack-a');

  // Kepler >= 0.10 node gauges: every node at 3 kW, so rack-a draws 6 kW of its 9 kW cap.
  const kepler = await startTestExporter();
  t.teardown(() => kepler.stop());
  const setNodeW = (node: string, w: number) => kepler.setGauge('kepler_node_cpu_watts', { node_name: node, zone: 'package', path: '/p' }, w);
  const setRackA = (w: number) => {
    setNodeW('gpu-a1', w / 2);
    setNodeW('gpu-a2', w / 2);
  };
  setRackA(6000);
  setNodeW('gpu-b1', 3000);
  const prom = await startPrometheus({ jobs: [{ name: 'kepler', targets: [kepler.target], honorLabels: true }], scrapeIntervalMs: 1000 });
  t.teardown(() => prom.stop());
  const rackAInPrometheus = (accept: (w: number) => boolean) =>
    waitForQuery(prom.url, 'sum(kepler_node_cpu_watts{node_name=~"gpu-a.*",zone="package"})', (r) => r.length === 1 && accept(Number(r[0]?.value[1])), 30_000);

  await custom.createNamespacedCustomObject({
    ...POLICY,
    body: {
      apiVersion: `${POLICY_GROUP}/${POLICY_VERSION}`, kind: 'PowerCappingPolicy', metadata: { name: 'cap' },
      spec: {
        mode: 'Enforce', racks: ['rack-a'], capPercentOfBudget: 90, observationWindow: '2m',
        targets: { scaledObjects: { names: ['llm'] }, gpuPowerLimits: { enabled: true, floorW: 150, stepW: 25 } },
        forecast: { method: 'off', horizon: '1m' },
        hysteresis: { restoreBelowPercentOfCap: 90, restoreAfter: '2s', minActionInterval: '1s' },
      },
    },
  });

  const capper = await startCapperProcess({
    name: 'capper',
    kubeconfigPath: cluster.kubeconfigPath,
    dir,
    config: { topologyFile, telemetry: { prometheusUrl: prom.url, historyStep: '1s', refreshInterval: '500ms' }, interval: '1s', leaderElection: { enabled: false } },
  });
  t.teardown(() => capper.stop());

  const reaction: number[] = [];
  const fromExporter: number[] = [];
  const restore: number[] = [];
  /**
   * Breach in the exporter → visible in Prometheus (the test polls every 250 ms, so this end can be
   * late by that much) → first GPU-limit annotation on a rack-a Node.
   */
  const breach = async (w: number) => {
    const setAt = Date.now();
    setRackA(w);
    await rackAInPrometheus((v) => v === w);
    const visibleAt = Date.now();
    await waitUntil('a GPU limit on rack-a', async () => (await nodeLimit('gpu-a1')) !== undefined, { timeoutMs: 30_000, intervalMs: 50, process: capper.process });
    reaction.push(Date.now() - visibleAt);
    fromExporter.push(Date.now() - setAt);
  };
  /** Power back under: every cap given back (replicas, then GPU limits) after the hysteresis. */
  const calm = async () => {
    setRackA(6000);
    await rackAInPrometheus((v) => v === 6000);
    const calmAt = Date.now();
    await waitUntil('caps restored', async () => {
      const so = await readSo();
      return so.spec.maxReplicaCount === 10 && so.metadata.annotations?.[ANNOTATIONS.originalMaxReplicaCount] === undefined &&
        (await nodeLimit('gpu-a1')) === undefined && (await nodeLimit('gpu-a2')) === undefined;
    }, { timeoutMs: 60_000, intervalMs: 100, process: capper.process });
    restore.push(Date.now() - calmAt);
  };

  await t.test('rack power from Prometheus reaches the policy status', async (t) => {
    await waitUntil('rack-a measured at 6 kW', async () => (await rackA())?.measuredW === 6000, { timeoutMs: 30_000, process: capper.process });
    t.match(await rackA(), { state: 'UnderCap', capW: 9000 });
    t.equal(await nodeLimit('gpu-a1'), undefined);
  });

  await t.test('rack over its cap by the exporter\'s values: GPU limits, then maxReplicaCount with the original saved', async (t) => {
    await breach(9800);
    // Status is written after the actions of the same reconcile.
    await waitUntil('status shows the breach', async () => (await rackA())?.measuredW === 9800, { timeoutMs: 10_000, process: capper.process });
    t.match(await rackA(), { measuredW: 9800, capW: 9000, state: 'OverCap' });
    // The exporter keeps the rack at 9.8 kW: the capper steps down to the GPU floor, then the replicas.
    await waitUntil('maxReplicaCount lowered', async () => (await readSo()).spec.maxReplicaCount < 10, { timeoutMs: 30_000, process: capper.process });
    const so = await readSo();
    t.equal(so.metadata.annotations?.[ANNOTATIONS.originalMaxReplicaCount], '10', 'the owner\'s value saved');
    t.ok(so.spec.maxReplicaCount >= so.spec.minReplicaCount, 'never below minReplicaCount');
    t.same([so.spec.minReplicaCount, so.spec.triggers], [2, triggers], 'a merge patch: the rest of the spec untouched');
    t.same([await nodeLimit('gpu-a1'), await nodeLimit('gpu-a2'), await nodeLimit('gpu-b1')], ['150', '150', undefined], 'GPU limits at the floor on rack-a only');
    const events = (await core.listNamespacedEvent({ namespace: NS })).items.map((e) => e.reason);
    t.ok(events.includes('GpuPowerLimitSet') && events.includes('MaxReplicasCapped'), 'Events recorded');
    t.ok((await capper.metric('climatik_capper_actions_total')) >= 3, 'actions counted in /metrics');
  });

  await t.test('power back under the cap: everything restored after the hysteresis', async (t) => {
    await calm();
    t.equal((await rackA())?.state, 'UnderCap');
    t.ok((await core.listNamespacedEvent({ namespace: NS })).items.some((e) => e.reason === 'MaxReplicasRestored' || e.reason === 'GpuPowerLimitRestored'), 'restore Events');
  });

  await t.test('topology hot reload: a lower budget caps at the same power; an invalid edit keeps it', async (t) => {
    await writeTopology(6000); // cap 5.4 kW < 6 kW drawn
    await waitUntil('capped after the budget edit', async () => (await nodeLimit('gpu-a1')) !== undefined, { timeoutMs: 30_000, process: capper.process });
    await waitUntil('status shows the new cap', async () => (await rackA())?.capW === 5400, { timeoutMs: 10_000, process: capper.process });
    t.match(await rackA(), { capW: 5400, measuredW: 6000, state: 'OverCap' });
    t.equal(await capper.metric('climatik_capper_topology_reloads_total', { result: 'applied' }), 1);
    await writeFile(topologyFile, 'racks: [{ id: rack-a, powerBudgetW: -1 }]\n');
    await waitUntil('edit rejected', async () => (await capper.metric('climatik_capper_topology_reloads_total', { result: 'rejected' })) === 1, { timeoutMs: 20_000, process: capper.process });
    t.equal(await capper.metric('climatik_capper_topology_file_valid'), 0, '/metrics flags the file');
    t.match(await capper.log(), /topology edit rejected; keeping the last good topology/, 'a warning in the log');
    await new Promise((r) => setTimeout(r, 2000));
    t.equal((await rackA())?.capW, 5400, 'the last good budget still decides');
    await writeTopology(10_000);
    await waitUntil('file valid again', async () => (await capper.metric('climatik_capper_topology_file_valid')) === 1, { timeoutMs: 20_000, process: capper.process });
    await calm();
    t.equal((await rackA())?.capW, 9000);
  });

  await t.test('reaction time (breach visible in Prometheus -> first GPU limit on the Node), five breaches', async (t) => {
    for (let run = 0; run < 4; run++) {
      await breach(9800);
      await calm();
    }
    t.comment(`breach visible in Prometheus -> GPU-limit annotation (ms): ${reaction.join(', ')}; median ${median(reaction)}`);
    t.comment(`exporter value changed (1 s scrape, 500 ms refresh, 1 s loop) -> GPU-limit annotation (ms): ${fromExporter.join(', ')}; median ${median(fromExporter)}`);
    t.comment(`back under in Prometheus -> every cap restored, restoreAfter 2 s (ms): ${restore.join(', ')}; median ${median(restore)}`);
    t.equal(reaction.length, 5);
    t.notMatch(await capper.log(), /power history unavailable/, 'query_range history answered on every tick');
  });
});
