// The capper against a REAL kube-apiserver with KEDA's own ScaledObject CRD (deploy/crds/) and the
// PowerCappingPolicy CRD installed, two node-agent processes driving the fake nvidia-smi, and rack
// power from a file the test rewrites. The capper's clock is manual and the test drives its loop
// tick by tick, so rate limits and hysteresis are deterministic; the API server, CRD validation,
// merge patches, finalizer, Events and status are all real.
import { AppsV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import t from 'tap';
import { ManualClock, silentLogger, systemClock } from '../../common/index.js';
import { KEDA } from '../../capper/actuators/actuators.js';
import { Capper } from '../../capper/controller.js';
import { LeaseLock } from '../../capper/leader.js';
import { capperMetrics } from '../../capper/metrics.js';
import { ANNOTATIONS, POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION, type PolicyStatus } from '../../capper/policy-schema.js';
import { FilePowerSource } from '../../capper/power-source.js';
import { mergePatch } from '../../capper/kube/patch.js';
import { loadTopologyFile } from '../../rack-model/index.js';
import { createFakeSmi, fakeSmiEnv, readFakeSmiState } from '../fake-nvidia-smi/fake-state.js';
import { repoRoot, startCluster } from './cluster.js';
import { capperTopologyYaml, installCrd } from './capper-process.js';
import { createGpuNode } from './nodes.js';
import { startProcess, waitUntil, type ManagedProcess } from './processes.js';

const NS = 'ml';
const POLICY = { group: POLICY_GROUP, version: POLICY_VERSION, plural: POLICY_PLURAL, namespace: NS };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startAgent(dir: string, kubeconfigPath: string, node: string, stateFile: string): ManagedProcess {
  const env = fakeSmiEnv(stateFile);
  const script = `const m = await import(${JSON.stringify(join(repoRoot, 'cli', 'main.ts'))}); process.exitCode = await m.main(process.argv.slice(1));`;
  return startProcess(`agent-${node}`, '/usr/bin/env', [
    '-u', 'NODE_OPTIONS', `PATH=${env.PATH ?? ''}`, `FAKE_NVIDIA_SMI_STATE=${stateFile}`, `KUBECONFIG=${kubeconfigPath}`, 'CLIMATIK_LOG_LEVEL=warn',
    process.execPath, '--import', '@tapjs/typescript/import', '--input-type=module', '-e', script,
    'node-agent', '--node', node, '--interval', '1s', '--port', '0', '--host', '127.0.0.1',
  ], join(dir, `agent-${node}.log`));
}

void t.test('capper against a real API server', async (t) => {
  const cluster = await startCluster({ defaultScheduler: false });
  t.teardown(() => cluster.stop());
  const kc = cluster.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const dir = await mkdtemp(join(tmpdir(), 'climatik-capper-e2e-'));
  await installCrd(kc, 'deploy/crds/keda.sh_scaledobjects.yaml');
  await installCrd(kc, 'deploy/crds/powercappingpolicies.yaml');
  await core.createNamespace({ body: { metadata: { name: NS } } });

  // Two racks of 10 kW: rack-a = gpu-a1 + gpu-a2 (node agents + fake GPUs), rack-b = gpu-b1.
  for (const [name, rack] of [['gpu-a1', 'rack-a'], ['gpu-a2', 'rack-a'], ['gpu-b1', 'rack-b']] as const) {
    await createGpuNode(core, { name, rack, gpus: 4, cpu: '32', memory: '256Gi' });
  }
  const topologyFile = join(dir, 'topology.yaml');
  await writeFile(topologyFile, capperTopologyYaml([{ id: 'rack-a', powerBudgetW: 10_000, nodes: [] }, { id: 'rack-b', powerBudgetW: 10_000, nodes: [] }]));
  const topology = await loadTopologyFile(topologyFile);
  const powerFile = join(dir, 'power.json');
  const setPower = (a: number, b = 6000) => writeFile(powerFile, JSON.stringify({ rackPowerW: { 'rack-a': a, 'rack-b': b } }));
  await setPower(6000);

  // The workload: a Deployment (no controller runs, so the test creates its pods, bound to nodes).
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace: NS,
    body: {
      metadata: { name: 'llm' },
      spec: { selector: { matchLabels: { app: 'llm' } }, template: { metadata: { labels: { app: 'llm' } }, spec: { containers: [{ name: 'llm', image: 'registry.invalid/llm' }] } } },
    },
  });
  const placement = ['gpu-a1', 'gpu-a1', 'gpu-a1', 'gpu-a2', 'gpu-a2', 'gpu-a2', 'gpu-b1', 'gpu-b1'];
  for (const [i, nodeName] of placement.entries()) {
    await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: `llm-${i}`, labels: { app: 'llm' } }, spec: { nodeName, containers: [{ name: 'llm', image: 'registry.invalid/llm' }] } } });
  }
  await custom.createNamespacedCustomObject({
    ...KEDA,
    namespace: NS,
    body: {
      apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'llm' },
      spec: { scaleTargetRef: { name: 'llm' }, minReplicaCount: 2, maxReplicaCount: 10, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }] },
    },
  });
  const readSo = async () => (await custom.getNamespacedCustomObject({ ...KEDA, namespace: NS, name: 'llm' })) as { spec: { maxReplicaCount: number }; metadata: { annotations?: Record<string, string> } };

  // Node agents on rack-a, each with four fake GPUs (default 400 W, min 150 W).
  const gpus = Array.from({ length: 4 }, () => ({ defaultLimitW: 400, minLimitW: 150, maxLimitW: 400 }));
  const smi = { 'gpu-a1': await createFakeSmi(gpus), 'gpu-a2': await createFakeSmi(gpus) };
  const agents = (['gpu-a1', 'gpu-a2'] as const).map((n) => startAgent(dir, cluster.kubeconfigPath, n, smi[n].stateFile));
  t.teardown(() => Promise.all(agents.map((a) => a.stop())));
  for (const [i, n] of (['gpu-a1', 'gpu-a2'] as const).entries()) {
    await waitUntil(`${n} agent report`, async () => (await core.readNode({ name: n })).metadata?.annotations?.[ANNOTATIONS.gpuPowerLimitApplied] !== undefined, { timeoutMs: 60_000, process: agents[i] });
  }

  const clock = new ManualClock(Date.now());
  const newCapper = () =>
    new Capper({ kubeConfig: kc, topology: () => topology, power: new FilePowerSource(powerFile, () => topology, clock, silentLogger()), logger: silentLogger(), clock, metrics: capperMetrics(new Registry()), intervalMs: 3_600_000, identity: 'capper-e2e-0' });
  let capper = newCapper();
  await capper.start();
  t.teardown(() => capper.stop());
  /** Advances the capper's clock past the rate limit and runs one reconcile (once its caches caught up). */
  const tick = async (advanceMs = 2000) => {
    clock.advance(advanceMs);
    await sleep(300); // let watches deliver the previous tick's writes
    await waitUntil('a reconcile', async () => (await capper.tick()) > 0, { timeoutMs: 10_000, intervalMs: 100 });
  };
  const status = async () => ((await custom.getNamespacedCustomObject({ ...POLICY, name: 'cap' })) as { status?: PolicyStatus }).status;
  const nodeLimit = async (n: string) => (await core.readNode({ name: n })).metadata?.annotations?.[ANNOTATIONS.gpuPowerLimitW];
  const events = async (reason: string) => (await core.listNamespacedEvent({ namespace: NS })).items.filter((e) => e.reason === reason);
  const setMode = (mode: string) => custom.patchNamespacedCustomObject({ ...POLICY, name: 'cap', body: { spec: { mode } } }, mergePatch);

  await custom.createNamespacedCustomObject({
    ...POLICY,
    body: {
      apiVersion: `${POLICY_GROUP}/${POLICY_VERSION}`, kind: 'PowerCappingPolicy', metadata: { name: 'cap' },
      spec: {
        mode: 'Observe', racks: ['rack-a', 'rack-b'], capPercentOfBudget: 90,
        targets: { scaledObjects: { names: ['llm'] }, gpuPowerLimits: { enabled: true, floorW: 150, stepW: 25 } },
        forecast: { method: 'off', horizon: '5m' },
        hysteresis: { restoreBelowPercentOfCap: 90, restoreAfter: '2s', minActionInterval: '1s' },
      },
    },
  });

  await t.test('the CRD rejects a policy with both caps (CEL rule)', async (t) => {
    await t.rejects(custom.createNamespacedCustomObject({
      ...POLICY,
      body: { apiVersion: `${POLICY_GROUP}/${POLICY_VERSION}`, kind: 'PowerCappingPolicy', metadata: { name: 'both' }, spec: { capWatts: 9000, capPercentOfBudget: 90, targets: {} } },
    }), { code: 422 });
  });

  await t.test('Observe: rack over cap is reported, nothing recommended or applied', async (t) => {
    await setPower(9800);
    await tick();
    const s = await status();
    t.equal(s?.racksOverCap, 1);
    t.same(s?.racks?.map((r) => [r.id, r.state, r.measuredW, r.capW]), [['rack-a', 'OverCap', 9800, 9000], ['rack-b', 'UnderCap', 6000, 9000]]);
    t.same(s?.recommendedActions, []);
    t.equal(await nodeLimit('gpu-a1'), undefined);
    t.ok((await custom.getNamespacedCustomObject({ ...POLICY, name: 'cap' }) as { metadata: { finalizers?: string[] } }).metadata.finalizers?.includes('climatik.io/restore-caps'), 'finalizer added');
  });

  await t.test('Recommend: actions published in status and an Event, still nothing applied', async (t) => {
    await setMode('Recommend');
    await tick();
    const s = await status();
    t.same(s?.recommendedActions?.filter((a) => a.kind === 'SetGpuPowerLimit').map((a) => [a.target, a.value]), [['gpu-a1', 300], ['gpu-a2', 300]]);
    t.ok((await events('ActionsRecommended')).length >= 1, 'ActionsRecommended event');
    t.same([...new Set((await events('ActionsRecommended')).map((e) => [e.reportingComponent, e.reportingInstance].join(' ')))], ['climatik-capper capper-e2e-0'], 'Events name the replica that decided');
    t.equal(await nodeLimit('gpu-a1'), undefined);
    t.equal((await readSo()).spec.maxReplicaCount, 10);
  });

  await t.test('Enforce: GPU limits on the Nodes, applied by the node agents through nvidia-smi', async (t) => {
    await setMode('Enforce');
    await tick();
    t.same([await nodeLimit('gpu-a1'), await nodeLimit('gpu-a2'), await nodeLimit('gpu-b1')], ['300', '300', undefined]);
    for (const n of ['gpu-a1', 'gpu-a2'] as const) {
      await waitUntil(`${n} GPUs at 300 W`, async () => (await readFakeSmiState(smi[n].stateFile)).gpus.every((g) => g.powerLimitW === 300), { timeoutMs: 20_000 });
      const calls = (await readFakeSmiState(smi[n].stateFile)).calls.map((c) => c.args.join(' '));
      t.ok(calls.includes('-pm 1'), `${n}: persistence mode`);
      t.same([0, 1, 2, 3].map((i) => calls.includes(`-i ${i} -pl 300.00`)), [true, true, true, true], `${n}: nvidia-smi -i N -pl 300 on every GPU`);
      await waitUntil(`${n} reports 300 W enforced`, async () => {
        const report = JSON.parse((await core.readNode({ name: n })).metadata?.annotations?.[ANNOTATIONS.gpuPowerLimitApplied] ?? '{}') as { gpus?: { enforcedW: number }[] };
        return report.gpus?.every((g) => g.enforcedW === 300) ?? false;
      }, { timeoutMs: 20_000 });
    }
    t.ok((await events('GpuPowerLimitSet')).length >= 2, 'GpuPowerLimitSet events');
    const s = await status();
    t.ok(s?.appliedActions?.some((a) => a.kind === 'SetGpuPowerLimit' && a.target === 'gpu-a1'), 'applied action in status');
    t.equal(s?.conditions?.find((c) => c.type === 'Capping')?.status, 'True');
    const pod = await core.readNamespacedPod({ namespace: NS, name: 'llm-0' });
    t.equal(pod.metadata?.annotations?.[ANNOTATIONS.podDeletionCost], '-100', 'hot-rack replica goes first on scale-in');
  });

  await t.test('GPU floor reached: maxReplicaCount lowered by merge patch, original saved', async (t) => {
    await tick(); // 200 W
    t.equal((await readSo()).spec.maxReplicaCount, 10, 'GPU limits can still cover the excess: replicas untouched');
    await tick(); // 150 W is the floor; what it cannot cover goes to the replica ceiling in the same round
    t.same([await nodeLimit('gpu-a1'), await nodeLimit('gpu-a2')], ['150', '150']);
    const so = await readSo();
    t.equal(so.spec.maxReplicaCount, 7, '8 running, about 1.6 kW each, 800 W over: one fewer');
    t.equal(so.metadata.annotations?.[ANNOTATIONS.originalMaxReplicaCount], '10');
    t.ok((await events('MaxReplicasCapped')).length >= 1);
  });

  await t.test('capper restart mid-capping loses nothing', async (t) => {
    await capper.stop();
    capper = newCapper();
    await capper.start();
    await tick(0); // same instant as the last action: the rate limit read back from status holds
    t.equal((await readSo()).spec.maxReplicaCount, 7, 'rate limit survived the restart');
    await tick();
    const so = await readSo();
    t.equal(so.spec.maxReplicaCount, 6, 'capping continues');
    t.equal(so.metadata.annotations?.[ANNOTATIONS.originalMaxReplicaCount], '10', 'the owner\'s value is still the saved one');
  });

  await t.test('owner edits maxReplicaCount while capped: their value is the one restored', async (t) => {
    await custom.patchNamespacedCustomObject({ ...KEDA, namespace: NS, name: 'llm', body: { spec: { maxReplicaCount: 12 } } }, mergePatch);
    await setPower(5000);
    await tick(); // below the restore level: timer starts, caps held
    t.equal((await status())?.racks?.find((r) => r.id === 'rack-a')?.state, 'Recovering');
    await tick(3000); // restoreAfter (2 s) passed: replicas first
    const so = await readSo();
    t.equal(so.spec.maxReplicaCount, 12);
    t.equal(so.metadata.annotations?.[ANNOTATIONS.originalMaxReplicaCount], undefined, 'annotations removed');
    t.equal(await nodeLimit('gpu-a1'), '150', 'GPU limits wait for the next round');
    await tick();
    t.same([await nodeLimit('gpu-a1'), await nodeLimit('gpu-a2')], [undefined, undefined], 'GPU limits restored');
    await waitUntil('default limits back on the GPUs', async () => (await readFakeSmiState(smi['gpu-a1'].stateFile)).gpus.every((g) => g.powerLimitW === 400), { timeoutMs: 20_000 });
    t.equal((await core.readNamespacedPod({ namespace: NS, name: 'llm-0' })).metadata?.annotations?.[ANNOTATIONS.podDeletionCost], undefined, 'deletion cost cleared');
  });

  await t.test('policy deleted: the finalizer restores every cap, then lets the policy go', async (t) => {
    await setPower(9800);
    for (let i = 0; i < 8 && (await readSo()).metadata.annotations?.[ANNOTATIONS.originalMaxReplicaCount] === undefined; i++) await tick();
    t.equal((await readSo()).metadata.annotations?.[ANNOTATIONS.originalMaxReplicaCount], '12');
    await custom.deleteNamespacedCustomObject({ ...POLICY, name: 'cap' });
    await tick(0);
    const so = await readSo();
    t.equal(so.spec.maxReplicaCount, 12);
    t.equal(so.metadata.annotations?.[ANNOTATIONS.cappedBy], undefined);
    t.same([await nodeLimit('gpu-a1'), await nodeLimit('gpu-a2')], [undefined, undefined]);
    await waitUntil('policy gone', async () => {
      try {
        await custom.getNamespacedCustomObject({ ...POLICY, name: 'cap' });
        return false;
      } catch {
        return true;
      }
    }, { timeoutMs: 10_000 });
    t.ok((await events('CapsReleased')).length >= 1);
  });
  await t.test('leader election on a Lease: one holder, takeover after expiry, release', async (t) => {
    await core.createNamespace({ body: { metadata: { name: 'climatik-system' } } });
    const leaseClock = new ManualClock(Date.now());
    const lock = (identity: string) => new LeaseLock(kc, { namespace: 'climatik-system', name: 'climatik-capper', identity, leaseDurationMs: 15_000 }, leaseClock);
    const [a, b] = [lock('capper-a'), lock('capper-b')];
    t.equal(await a.tryAcquireOrRenew(), true, 'a creates and holds the lease');
    t.equal(await b.tryAcquireOrRenew(), false, 'b stands by');
    leaseClock.advance(10_000);
    t.equal(await a.tryAcquireOrRenew(), true, 'a renews');
    leaseClock.advance(16_000);
    t.equal(await b.tryAcquireOrRenew(), true, 'b takes over once a stopped renewing');
    t.equal(await a.tryAcquireOrRenew(), false, 'a is no longer leader');
    const lease = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: 'climatik-system', name: 'climatik-capper' });
    t.equal(lease.spec?.holderIdentity, 'capper-b');
    t.equal(lease.spec?.leaseTransitions, 1);
    t.match(String(lease.spec?.renewTime as unknown), /\.\d{6}Z$/, 'MicroTime with six fractional digits');
    await b.release();
    t.equal(await a.tryAcquireOrRenew(), true, 'a released lease is taken at once');
  });

  await t.test('reaction time: breach in telemetry until the GPUs enforce the new limit (real clock, 1 s loop)', async (t) => {
    await capper.stop();
    await setPower(6000);
    await custom.createNamespacedCustomObject({
      ...POLICY,
      body: {
        apiVersion: `${POLICY_GROUP}/${POLICY_VERSION}`, kind: 'PowerCappingPolicy', metadata: { name: 'react' },
        spec: {
          mode: 'Enforce', racks: ['rack-a'], capPercentOfBudget: 90,
          targets: { gpuPowerLimits: { enabled: true, floorW: 150, stepW: 25 } },
          forecast: { method: 'off', horizon: '5m' },
          hysteresis: { restoreBelowPercentOfCap: 90, restoreAfter: '1s', minActionInterval: '1s' },
        },
      },
    });
    const live = new Capper({ kubeConfig: kc, topology: () => topology, power: new FilePowerSource(powerFile, () => topology, systemClock, silentLogger()), logger: silentLogger(), clock: systemClock, metrics: capperMetrics(new Registry()), intervalMs: 1000 });
    await live.start();
    t.teardown(() => live.stop());
    const limits = async () => (await Promise.all(Object.values(smi).map((s) => readFakeSmiState(s.stateFile)))).flatMap((st) => st.gpus.map((g) => g.powerLimitW));
    // The file keeps the rack over its cap, so the capper keeps stepping down each second: "capped"
    // means every GPU enforces the first step (300 W) or lower.
    const capped = async () => (await limits()).every((w) => w <= 300);
    const restored = async () => (await limits()).every((w) => w === 400);
    await waitUntil('GPUs back at their default before measuring', restored, { timeoutMs: 60_000, intervalMs: 50 });
    const cap: number[] = [];
    const restore: number[] = [];
    for (let run = 0; run < 3; run++) {
      const breachAt = Date.now();
      await setPower(9800);
      await waitUntil('GPUs capped', capped, { timeoutMs: 30_000, intervalMs: 50 });
      cap.push(Date.now() - breachAt);
      const calmAt = Date.now();
      await setPower(6000);
      await waitUntil('GPUs restored', restored, { timeoutMs: 60_000, intervalMs: 50 });
      restore.push(Date.now() - calmAt);
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    t.comment(`breach -> a lower limit enforced on every GPU (ms): ${cap.join(', ')}; median ${median(cap)}`);
    t.comment(`back under -> defaults restored (restoreAfter 1 s) (ms): ${restore.join(', ')}; median ${median(restore)}`);
    t.equal(cap.length, 3, 'three breaches capped');
  });
});
