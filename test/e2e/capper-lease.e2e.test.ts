// Leader election with two real `climatik capper` processes (bin/climatik.js) on one
// coordination.k8s.io Lease of a real kube-apiserver: exactly one holds it and acts, the other
// stands by; stopping the leader (SIGTERM: the lease is released) or crashing it (SIGKILL: the lease
// expires) hands capping to the standby, which continues from the state in the API server without
// losing the owner's saved maxReplicaCount. Each process is given a Pod of its own (POD_NAME /
// POD_NAMESPACE; plain Pod objects that stay Pending, no kubelet): only the leader's Pod carries
// `climatik.io/capper-leader=true` (what the Slack Service selects), and the label moves with the
// lease. Rack power from a power file (the Prometheus path is capper-prometheus.e2e.test.ts);
// lease 3 s, renew 1 s, loop 1 s, real clock.
import { AppsV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { KEDA } from '../../capper/actuators/actuators.js';
import { LeaseLock } from '../../capper/leader.js';
import { LEADER_LABEL } from '../../capper/leader-label.js';
import { ANNOTATIONS, POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION } from '../../capper/policy-schema.js';
import { systemClock } from '../../common/index.js';
import { capperTopologyYaml, installCrd, startCapperProcess, writeAgentReport, type CapperProcess } from './capper-process.js';
import { startCluster } from './cluster.js';
import { createGpuNode } from './nodes.js';
import { waitUntil } from './processes.js';

const NS = 'ml';
const LEASE = { namespace: 'climatik-system', name: 'climatik-capper' };

void t.test('two capper processes on one Lease', async (t) => {
  const cluster = await startCluster({ defaultScheduler: false });
  t.teardown(() => cluster.stop());
  const kc = cluster.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const leases = kc.makeApiClient(CoordinationV1Api);
  const dir = await mkdtemp(join(tmpdir(), 'climatik-capper-lease-e2e-'));
  await installCrd(kc, 'deploy/crds/keda.sh_scaledobjects.yaml');
  await installCrd(kc, 'deploy/crds/powercappingpolicies.yaml');
  for (const name of [NS, LEASE.namespace]) await core.createNamespace({ body: { metadata: { name } } });
  for (const name of ['gpu-a1', 'gpu-a2']) {
    await createGpuNode(core, { name, rack: 'rack-a', gpus: 4, cpu: '32', memory: '256Gi' });
    await writeAgentReport(core, name, 4);
  }
  // The capper processes' own Pods (as the downward API would name them in a Deployment).
  for (const name of ['capper-a', 'capper-b']) {
    await core.createNamespacedPod({ namespace: LEASE.namespace, body: { metadata: { name, labels: { 'app.kubernetes.io/name': 'climatik-capper' } }, spec: { containers: [{ name: 'capper', image: 'climatik' }] } } });
  }
  /** Names of the Pods a Service selecting the leader label would route to. */
  const labelled = async () =>
    (await core.listNamespacedPod({ namespace: LEASE.namespace, labelSelector: `${LEADER_LABEL}=true` })).items.map((p) => p.metadata?.name ?? '').sort();
  const labelOf = async (name: string) => (await core.readNamespacedPod({ namespace: LEASE.namespace, name })).metadata?.labels?.[LEADER_LABEL];
  const topologyFile = join(dir, 'topology.yaml');
  await writeFile(topologyFile, capperTopologyYaml([{ id: 'rack-a', powerBudgetW: 10_000, nodes: ['gpu-a1', 'gpu-a2'] }]));
  const powerFile = join(dir, 'power.json');
  const setPower = (w: number) => writeFile(powerFile, JSON.stringify({ rackPowerW: { 'rack-a': w } }));
  await setPower(6000);

  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace: NS,
    body: { metadata: { name: 'llm' }, spec: { selector: { matchLabels: { app: 'llm' } }, template: { metadata: { labels: { app: 'llm' } }, spec: { containers: [{ name: 'llm', image: 'registry.invalid/llm' }] } } } },
  });
  for (const [i, nodeName] of ['gpu-a1', 'gpu-a1', 'gpu-a1', 'gpu-a1', 'gpu-a2', 'gpu-a2', 'gpu-a2', 'gpu-a2'].entries()) {
    await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: `llm-${i}`, labels: { app: 'llm' } }, spec: { nodeName, containers: [{ name: 'llm', image: 'registry.invalid/llm' }] } } });
  }
  await custom.createNamespacedCustomObject({
    ...KEDA, namespace: NS,
    body: { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'llm' }, spec: { scaleTargetRef: { name: 'llm' }, minReplicaCount: 1, maxReplicaCount: 10, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }] } },
  });
  const readSo = async () => (await custom.getNamespacedCustomObject({ ...KEDA, namespace: NS, name: 'llm' })) as { spec: { maxReplicaCount: number }; metadata: { annotations?: Record<string, string> } };
  await custom.createNamespacedCustomObject({
    group: POLICY_GROUP, version: POLICY_VERSION, plural: POLICY_PLURAL, namespace: NS,
    body: {
      apiVersion: `${POLICY_GROUP}/${POLICY_VERSION}`, kind: 'PowerCappingPolicy', metadata: { name: 'cap' },
      spec: {
        mode: 'Enforce', racks: ['rack-a'], capPercentOfBudget: 90,
        targets: { scaledObjects: { names: ['llm'] }, gpuPowerLimits: { enabled: true, floorW: 150, stepW: 25 } },
        forecast: { method: 'off', horizon: '1m' },
        // 2 s between actions: capping from 10 replicas down to 1 takes long enough to fail over mid-way.
        hysteresis: { restoreBelowPercentOfCap: 90, restoreAfter: '2s', minActionInterval: '2s' },
      },
    },
  });

  const config = {
    topologyFile,
    telemetry: { powerFile },
    interval: '1s',
    leaderElection: { enabled: true, namespace: LEASE.namespace, leaseName: LEASE.name, leaseDuration: '3s', renewInterval: '1s' },
  };
  const start = (name: string) => startCapperProcess({ name, kubeconfigPath: cluster.kubeconfigPath, dir, config, podNamespace: LEASE.namespace });
  const cappers = new Map<string, CapperProcess>();
  t.teardown(async () => {
    for (const c of cappers.values()) await c.stop();
  });
  for (const name of ['capper-a', 'capper-b']) cappers.set(name, await start(name));
  const capper = (name: string) => cappers.get(name) as CapperProcess;
  const isLeader = async (c: CapperProcess) => c.process.alive() && (await c.metric('climatik_capper_is_leader')) === 1;
  const leaderNow = async () => {
    const flags = await Promise.all([...cappers.values()].map(async (c) => [c.name, await isLeader(c)] as const));
    return flags.filter(([, l]) => l).map(([n]) => n);
  };
  const lease = () => leases.readNamespacedLease(LEASE);
  const actionEvents = async () =>
    (await core.listNamespacedEvent({ namespace: NS })).items.filter((e) => ['GpuPowerLimitSet', 'MaxReplicasCapped'].includes(e.reason ?? '')).map((e) => `${e.reason}: ${e.message}`);
  /** Per failover: ms from the leader stopped to the standby leading, and to its first action. */
  const failover: { released: string[]; expired: string[] } = { released: [], expired: [] };

  /** Over the cap until maxReplicaCount is lowered (GPU limits reach the floor first). */
  const capUntilReplicasLowered = async () => {
    await setPower(9800);
    await waitUntil('maxReplicaCount lowered', async () => (await readSo()).spec.maxReplicaCount < 10, { timeoutMs: 60_000, intervalMs: 100 });
  };
  /** Stops the leader one way or the other; returns the standby's name after its first action. */
  const failOver = async (how: 'SIGTERM' | 'SIGKILL', record: string[]) => {
    const [leader] = await leaderNow();
    const standby = [...cappers.keys()].find((n) => n !== leader) ?? '';
    const actionsBefore = await capper(standby).metric('climatik_capper_actions_total');
    const maxBefore = (await readSo()).spec.maxReplicaCount;
    const stoppedAt = Date.now();
    if (how === 'SIGTERM') await capper(leader ?? '').stop();
    else await capper(leader ?? '').kill();
    await waitUntil(`${standby} leads`, async () => isLeader(capper(standby)), { timeoutMs: 30_000, intervalMs: 50, process: capper(standby).process });
    const leadingMs = Date.now() - stoppedAt;
    await waitUntil(`${standby} acts`, async () => (await capper(standby).metric('climatik_capper_actions_total')) > actionsBefore, { timeoutMs: 30_000, intervalMs: 50, process: capper(standby).process });
    record.push(`${leadingMs} to lead, ${Date.now() - stoppedAt} to act`);
    return { leader: leader ?? '', standby, maxBefore };
  };

  await t.test('LeaseLock: release while a renewal is in flight leaves the lease free', async (t) => {
    // Stopping the capper releases the lease while the renew loop may still have a call out; that
    // call must neither win the write race against the release nor take the freed lease again.
    const held: string[] = [];
    for (let i = 0; i < 5; i++) {
      const lock = new LeaseLock(kc, { namespace: LEASE.namespace, name: 'race', identity: `r${i}`, leaseDurationMs: 30_000 }, systemClock);
      t.equal(await lock.tryAcquireOrRenew(), true, `r${i} takes the free lease`);
      const renewing = lock.tryAcquireOrRenew();
      await lock.release();
      await renewing.catch(() => false);
      const holder = (await leases.readNamespacedLease({ namespace: LEASE.namespace, name: 'race' })).spec?.holderIdentity ?? '';
      if (holder !== '') held.push(`r${i}`);
      t.equal(await lock.tryAcquireOrRenew(), false, 'a released lock never takes the lease again');
    }
    t.same(held, [], 'the lease is free after every release');
  });

  await t.test('exactly one leader; the Lease names it with MicroTime renewals', async (t) => {
    await waitUntil('one leader', async () => (await leaderNow()).length === 1, { timeoutMs: 20_000 });
    const [leader] = await leaderNow();
    const l = await lease();
    t.equal(l.spec?.holderIdentity, leader, 'holderIdentity is the leader\'s POD_NAME');
    t.equal(l.spec?.leaseDurationSeconds, 3);
    t.match(String(l.spec?.renewTime as unknown), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'renewTime is a MicroTime');
    const firstRenew = String(l.spec?.renewTime as unknown);
    await waitUntil('renewTime advances', async () => String((await lease()).spec?.renewTime as unknown) !== firstRenew, { timeoutMs: 10_000 });
    t.same(await leaderNow(), [leader], 'still exactly one');
  });

  await t.test('only the leader\'s Pod carries the leader label', async (t) => {
    const [leader] = await leaderNow();
    await waitUntil('leader Pod labelled', async () => (await labelled()).length > 0, { timeoutMs: 10_000, intervalMs: 100 });
    t.same(await labelled(), [leader], `${LEADER_LABEL}=true selects ${leader ?? '?'} alone`);
    const standby = [...cappers.keys()].find((n) => n !== leader) ?? '';
    t.equal(await labelOf(standby), undefined, 'the standby\'s Pod has no leader label');
    for (const c of cappers.values()) t.equal(await c.metric('climatik_capper_leader_label_failures_total'), 0, `${c.name}: no failed label patch`);
  });

  await t.test('only the leader acts on a breach', async (t) => {
    await capUntilReplicasLowered();
    const [leader] = await leaderNow();
    const standby = [...cappers.keys()].find((n) => n !== leader) ?? '';
    t.ok((await capper(leader ?? '').metric('climatik_capper_actions_total')) >= 3, 'the leader applied the GPU steps and the replica cap');
    t.equal(await capper(standby).metric('climatik_capper_actions_total'), 0, 'the standby applied nothing');
    const events = await actionEvents();
    t.equal(new Set(events).size, events.length, 'every action recorded once (no second capper doing the same)');
    t.equal((await readSo()).metadata.annotations?.[ANNOTATIONS.originalMaxReplicaCount], '10');
  });

  await t.test('leader stopped (SIGTERM): the lease is released, the standby continues capping', async (t) => {
    const { leader, standby, maxBefore } = await failOver('SIGTERM', failover.released);
    t.equal((await lease()).spec?.holderIdentity, standby);
    t.equal(await labelOf(leader), undefined, 'the stopped leader removed its label on the way out');
    await waitUntil('label on the new leader', async () => (await labelled()).includes(standby), { timeoutMs: 10_000, intervalMs: 100 });
    t.same(await labelled(), [standby], 'the leader label moved to the new leader\'s Pod');
    t.equal(await capper(leader).process.exited, 0, 'the old leader exited cleanly');
    await waitUntil('capping continues', async () => (await readSo()).spec.maxReplicaCount < maxBefore, { timeoutMs: 30_000 });
    t.equal((await readSo()).metadata.annotations?.[ANNOTATIONS.originalMaxReplicaCount], '10', 'the owner\'s value is still the saved one');
    const events = await actionEvents();
    t.equal(new Set(events).size, events.length, 'no action repeated across the handover');
    // Restart the stopped replica: it must stand by, not take the lease back.
    cappers.set(leader, await start(leader));
    await new Promise((r) => setTimeout(r, 4000));
    t.same(await leaderNow(), [standby], 'the restarted replica stands by');
    t.same(await labelled(), [standby], 'and its Pod stays unlabelled');
  });

  await t.test('leader crashed (SIGKILL): the standby takes over after the lease expires', async (t) => {
    // Back under the cap, everything restored, then a fresh breach so capping is mid-way again.
    await setPower(6000);
    await waitUntil('restored', async () => (await readSo()).spec.maxReplicaCount === 10, { timeoutMs: 60_000, intervalMs: 200 });
    await capUntilReplicasLowered();
    const transitionsBefore = (await lease()).spec?.leaseTransitions ?? 0;
    const { leader, standby, maxBefore } = await failOver('SIGKILL', failover.expired);
    const l = await lease();
    t.equal(l.spec?.holderIdentity, standby);
    t.equal(l.spec?.leaseTransitions, transitionsBefore + 1, 'one more transition');
    // A killed process cannot unlabel its own Pod; the new leader clears the stale label from every
    // other Pod once it holds the lease, so the Service never keeps routing to the dead replica.
    await waitUntil('label only on the new leader', async () => JSON.stringify(await labelled()) === JSON.stringify([standby]), { timeoutMs: 10_000, intervalMs: 100 });
    t.same(await labelled(), [standby], 'the crashed leader\'s stale label was cleared by the new leader');
    cappers.set(leader, await start(leader));
    await new Promise((r) => setTimeout(r, 3000));
    t.same(await labelled(), [standby], 'the restarted replica stands by, unlabelled; only the leader is selected');
    await waitUntil('capping continues', async () => (await readSo()).spec.maxReplicaCount < maxBefore, { timeoutMs: 30_000 });
    t.equal((await readSo()).metadata.annotations?.[ANNOTATIONS.originalMaxReplicaCount], '10', 'the owner\'s value is still the saved one');
    t.comment(`failover, leader SIGTERM (lease released) -> standby's first action (ms): ${failover.released.join(', ')}`);
    t.comment(`failover, leader SIGKILL (lease expires, 3 s) -> standby's first action (ms): ${failover.expired.join(', ')}`);
  });
});
