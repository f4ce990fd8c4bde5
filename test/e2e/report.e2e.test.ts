// `climatik report` against a REAL kube-apiserver: the PowerCappingPolicy CRD from deploy/crds/
// (so the API server checks and keeps every status field of the report), a status written through
// the status subresource, and the built CLI (`node bin/climatik.js report`, run `npm run build`
// first) reading it with KUBECONFIG. Then a capper in Recommend mode, driven tick by tick on a manual
// clock with rack power from a file, writes a report of its own that the CLI prints.
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import t from 'tap';
import { ManualClock, silentLogger } from '../../common/index.js';
import { Capper } from '../../capper/controller.js';
import { summarizeOutcomes, type OutcomeRecord } from '../../capper/counterfactual/index.js';
import { mergePatch } from '../../capper/kube/patch.js';
import { capperMetrics } from '../../capper/metrics.js';
import { ANNOTATIONS, POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION, type PolicyStatus } from '../../capper/policy-schema.js';
import { FilePowerSource } from '../../capper/power-source.js';
import { loadTopologyFile } from '../../rack-model/index.js';
import { repoRoot, startCluster } from './cluster.js';
import { capperTopologyYaml, installCrd } from './capper-process.js';
import { createGpuNode } from './nodes.js';
import { waitUntil } from './processes.js';

const NS = 'ml';
const POLICY = { group: POLICY_GROUP, version: POLICY_VERSION, plural: POLICY_PLURAL, namespace: NS };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the built CLI as a user would, against the test cluster. */
function climatik(kubeconfigPath: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'climatik.js'), ...args], { env: { ...process.env, KUBECONFIG: kubeconfigPath, NODE_OPTIONS: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const spec = (mode: string) => ({
  mode, racks: ['rack-a', 'rack-b'], capPercentOfBudget: 90,
  targets: { gpuPowerLimits: { enabled: true, floorW: 150, stepW: 25 } },
  forecast: { method: 'off', horizon: '5m' },
});

void t.test('climatik report against a real API server', async (t) => {
  const cluster = await startCluster({ defaultScheduler: false });
  t.teardown(() => cluster.stop());
  const kc = cluster.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await installCrd(kc, 'deploy/crds/powercappingpolicies.yaml');
  await installCrd(kc, 'deploy/crds/keda.sh_scaledobjects.yaml'); // the capper watches ScaledObjects
  await core.createNamespace({ body: { metadata: { name: NS } } });
  const createPolicy = (name: string, mode: string) =>
    custom.createNamespacedCustomObject({ ...POLICY, body: { apiVersion: `${POLICY_GROUP}/${POLICY_VERSION}`, kind: 'PowerCappingPolicy', metadata: { name }, spec: spec(mode) } });
  const statusOf = async (name: string) => ((await custom.getNamespacedCustomObject({ ...POLICY, name })) as { status?: PolicyStatus }).status;

  await t.test('a policy without a report: says so, exit 3', async (t) => {
    await createPolicy('written', 'Recommend');
    const r = await climatik(cluster.kubeconfigPath, ['report', '--policy', `${NS}/written`]);
    t.equal(r.code, 3, r.stderr);
    t.match(r.stderr, /PowerCappingPolicy ml\/written has no counterfactual report yet/);
    t.equal(r.stdout, '');
  });

  await t.test('a report written through the status subresource: kept field by field, printed exactly by --json', async (t) => {
    const t0 = Date.parse('2026-11-29T10:00:00Z');
    const outcomes: OutcomeRecord[] = [
      {
        rack: 'rack-a', time: new Date(t0).toISOString(), until: new Date(t0 + 1_800_000).toISOString(), capW: 9000,
        actions: ['SetGpuPowerLimit gpu-a1 300'], effectW: -400, floorW: 171, servedWithPercent: 96.6, servedWithoutPercent: 100,
        taken: true, takenTime: new Date(t0 + 120_000).toISOString(), recovered: true, closed: true,
        withActions: { seconds: 1800, measuredSeconds: 1680, energyWh: 4420.5, peakPowerW: 9100, capBreachSeconds: 60 },
        withoutActions: { seconds: 1800, measuredSeconds: 120, energyWh: 4620.5, peakPowerW: 9500, capBreachSeconds: 1500 },
      },
      {
        rack: 'rack-b', time: new Date(t0 + 600_000).toISOString(), until: new Date(t0 + 2_400_000).toISOString(), capW: 9000,
        actions: ['SetGpuPowerLimit gpu-b1 325'], effectW: -300, floorW: 171, servedWithPercent: 98.1, servedWithoutPercent: 100,
        taken: false, closed: false, lastSample: { time: new Date(t0 + 900_000).toISOString(), powerW: 9200 },
        withActions: { seconds: 300, measuredSeconds: 0, energyWh: 741.67, peakPowerW: 8900, capBreachSeconds: 0 },
        withoutActions: { seconds: 300, measuredSeconds: 300, energyWh: 766.67, peakPowerW: 9200, capBreachSeconds: 300 },
      },
    ];
    const counterfactual = summarizeOutcomes(outcomes, t0 - 3_600_000, t0 + 3_600_000);
    await custom.patchNamespacedCustomObjectStatus({ ...POLICY, name: 'written', body: { status: { outcomes, counterfactual } } }, mergePatch);
    const stored = await statusOf('written');
    t.same(stored?.outcomes, outcomes, 'the CRD schema keeps every outcome field (nothing pruned)');
    t.same(stored?.counterfactual, counterfactual);

    const json = await climatik(cluster.kubeconfigPath, ['report', '--policy', `${NS}/written`, '--json']);
    t.equal(json.code, 0, json.stderr);
    t.same(JSON.parse(json.stdout), counterfactual);

    const table = await climatik(cluster.kubeconfigPath, ['report', '--policy', `${NS}/written`]);
    t.equal(table.code, 0, table.stderr);
    t.match(table.stdout, /^PowerCappingPolicy ml\/written: counterfactual /);
    t.match(table.stdout, /over cap \(s\)\s+60\s+1,800\n/);
    t.match(table.stdout, /basis\s+mixed\s+mixed\n/);
    t.ok(table.stdout.includes(counterfactual.verdict));
    t.match(table.stdout, /rack-b\s+no\s+-300\s+8,900\s+9,200\s+0\s+300\s+300\+\s+SetGpuPowerLimit gpu-b1 325/);
  });

  await t.test('the API server refuses a report that breaks the schema', async (t) => {
    const bad = { status: { counterfactual: { ...(await statusOf('written'))?.counterfactual, withActions: { basis: 'guessed' } } } };
    await t.rejects(custom.patchNamespacedCustomObjectStatus({ ...POLICY, name: 'written', body: bad }, mergePatch), { code: 422 });
  });

  await t.test('a policy that does not exist: 404 named, exit 1', async (t) => {
    const r = await climatik(cluster.kubeconfigPath, ['report', '--policy', `${NS}/missing`]);
    t.equal(r.code, 1);
    t.match(r.stderr, /climatik report: CLIMATIK_KUBE_API: PowerCappingPolicy ml\/missing not found/);
    const bad = await climatik(cluster.kubeconfigPath, ['report', '--policy', 'missing']);
    t.equal(bad.code, 1);
    t.match(bad.stderr, /--policy: expected NAMESPACE\/NAME \(value: "missing"\)/);
  });

  await t.test('a Recommend capper writes the report: rack followed, the unapplied actions modelled, then approved', async (t) => {
    // This policy's status is the test's own: keep the capper away from it.
    await custom.deleteNamespacedCustomObject({ ...POLICY, name: 'written' });
    const dir = await mkdtemp(join(tmpdir(), 'climatik-report-e2e-'));
    const topologyFile = join(dir, 'topology.yaml');
    await writeFile(topologyFile, capperTopologyYaml([{ id: 'rack-a', powerBudgetW: 10_000, nodes: [] }, { id: 'rack-b', powerBudgetW: 10_000, nodes: [] }]));
    const topology = await loadTopologyFile(topologyFile);
    // rack-a: two nodes of four 400 W GPUs; their node agent's report is written by the test.
    const report = JSON.stringify({ gpus: [0, 1, 2, 3].map((index) => ({ index, uuid: `g${index}`, enforcedW: 400, defaultW: 400, minW: 150, maxW: 400 })) });
    for (const name of ['gpu-a1', 'gpu-a2']) {
      await createGpuNode(core, { name, rack: 'rack-a', gpus: 4, cpu: '32', memory: '256Gi' });
      await core.patchNode({ name, body: { metadata: { annotations: { [ANNOTATIONS.gpuPowerLimitApplied]: report } } } }, mergePatch);
    }
    const powerFile = join(dir, 'power.json');
    await writeFile(powerFile, JSON.stringify({ rackPowerW: { 'rack-a': 9800, 'rack-b': 6000 } }));
    const clock = new ManualClock(Date.now());
    const capper = new Capper({ kubeConfig: kc, topology: () => topology, power: new FilePowerSource(powerFile, () => topology, clock, silentLogger()), logger: silentLogger(), clock, metrics: capperMetrics(new Registry()), intervalMs: 3_600_000 });
    await capper.start();
    t.teardown(() => capper.stop());
    const tick = async (advanceMs: number) => {
      clock.advance(advanceMs);
      await sleep(300); // let the watch deliver the previous tick's status write
      await waitUntil('a reconcile', async () => (await capper.tick()) > 0, { timeoutMs: 10_000, intervalMs: 100 });
    };
    await createPolicy('live', 'Recommend');
    const openedAt = clock.nowMs() + 1000;
    await tick(1000);
    await tick(60_000);
    await tick(240_000); // five minutes at 9800 W over a 9000 W cap, nothing applied
    const r = await climatik(cluster.kubeconfigPath, ['report', '--policy', `${NS}/live`, '--json']);
    t.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as PolicyStatus['counterfactual'];
    t.match(summary, {
      recommendations: 1,
      taken: 0,
      withoutActions: { basis: 'measured', capBreachSeconds: 300, meanPowerW: 9800, peakPowerW: 9800 },
      // Two nodes × four GPUs × (400 − 300) W come off in the model: 9000 W is not over the cap.
      withActions: { basis: 'estimated', capBreachSeconds: 0, meanPowerW: 9000 },
    });
    const live = await statusOf('live');
    t.match(live?.outcomes, [{ rack: 'rack-a', time: new Date(openedAt).toISOString(), effectW: -800, taken: false, actions: ['SetGpuPowerLimit gpu-a1 300', 'SetGpuPowerLimit gpu-a2 300'] }]);

    // An approval appends what it applied to status.appliedActions; the next reconcile counts the recommendation as taken.
    const approvedAt = new Date(clock.nowMs()).toISOString();
    const appliedActions = ['gpu-a1', 'gpu-a2'].map((target) => ({ kind: 'SetGpuPowerLimit', target, value: 300, rack: 'rack-a', reason: 'approved in Slack', time: approvedAt }));
    await custom.patchNamespacedCustomObjectStatus({ ...POLICY, name: 'live', body: { status: { appliedActions } } }, mergePatch);
    await writeFile(powerFile, JSON.stringify({ rackPowerW: { 'rack-a': 8900, 'rack-b': 6000 } }));
    await tick(300_000);
    await tick(60_000);
    const after = await statusOf('live');
    t.match(after?.outcomes?.[0], { taken: true, takenTime: approvedAt, withActions: { measuredSeconds: 360 } }); // 300 s from the approval to the next sample, then 60 s
    t.match(after?.counterfactual, { recommendations: 1, taken: 1, withActions: { basis: 'mixed' }, withoutActions: { basis: 'mixed' } });
  });
});
