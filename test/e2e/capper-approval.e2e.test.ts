// Human approval from Slack, end to end: the real `climatik capper` process (bin/climatik.js) with
// a Recommend-mode policy over a hot rack (rack power from a power file), a real kube-apiserver with
// KEDA's own ScaledObject CRD, Slack's incoming webhook played by a local HTTP receiver, and Slack's
// interactive requests signed here with the signing secret from the mounted Secret directory.
// Asserted: the recommendation reaches the webhook with an Approve button; forged and replayed
// requests are refused (401) and change nothing; a signed approval lowers maxReplicaCount by merge
// patch with the owner's value saved, records an Event naming the user and `approvedBy` in status;
// the same button twice → 400; once the rack cools a give-back recommendation is published and its
// approval restores the owner's value; deleting the policy restores an approved cap (finalizer).
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { KEDA } from '../../capper/actuators/actuators.js';
import { ANNOTATIONS, POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION, type PolicyStatus } from '../../capper/policy-schema.js';
import { APPROVE_ACTION_ID, slackSignature } from '../../capper/sinks/index.js';
import { startHttpReceiver } from '../../capper/sinks/testing/http-receiver.js';
import { capperTopologyYaml, installCrd, startCapperProcess } from './capper-process.js';
import { startCluster } from './cluster.js';
import { createGpuNode } from './nodes.js';
import { freePort, waitUntil } from './processes.js';

const NS = 'ml';
const SIGNING_SECRET = 'e2e-signing-secret-8f742231b10e';
const POLICY = { group: POLICY_GROUP, version: POLICY_VERSION, plural: POLICY_PLURAL, namespace: NS };
const PODS = ['gpu-a1', 'gpu-a1', 'gpu-a1', 'gpu-a1', 'gpu-a2', 'gpu-a2', 'gpu-a2', 'gpu-a2'];

interface PostedMessage {
  text: string;
  blocks: { type: string; elements?: { action_id: string; value: string }[] }[];
}

void t.test('Slack approval applies a Recommend-mode recommendation through the capper', async (t) => {
  const cluster = await startCluster({ defaultScheduler: false });
  t.teardown(() => cluster.stop());
  const kc = cluster.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const dir = await mkdtemp(join(tmpdir(), 'climatik-capper-approval-e2e-'));
  await installCrd(kc, 'deploy/crds/keda.sh_scaledobjects.yaml');
  await installCrd(kc, 'deploy/crds/powercappingpolicies.yaml');
  for (const name of [NS, 'climatik-system']) await core.createNamespace({ body: { metadata: { name } } });
  for (const name of ['gpu-a1', 'gpu-a2']) await createGpuNode(core, { name, rack: 'rack-a', gpus: 4, cpu: '32', memory: '256Gi' });

  // Rack power and each replica's power (1 kW): the capper sizes its ceilings from them.
  const topologyFile = join(dir, 'topology.yaml');
  await writeFile(topologyFile, capperTopologyYaml([{ id: 'rack-a', powerBudgetW: 10_000, nodes: ['gpu-a1', 'gpu-a2'] }]));
  const powerFile = join(dir, 'power.json');
  const podPowerW = Object.fromEntries(PODS.map((_, i) => [`${NS}/llm-${i}`, 1000]));
  const setPower = (w: number) => writeFile(powerFile, JSON.stringify({ rackPowerW: { 'rack-a': w }, podPowerW }));
  await setPower(9800); // cap 90 % of 10 kW = 9 kW: hot

  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace: NS,
    body: { metadata: { name: 'llm' }, spec: { selector: { matchLabels: { app: 'llm' } }, template: { metadata: { labels: { app: 'llm' } }, spec: { containers: [{ name: 'llm', image: 'registry.invalid/llm' }] } } } },
  });
  for (const [i, nodeName] of PODS.entries()) {
    await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: `llm-${i}`, labels: { app: 'llm' } }, spec: { nodeName, containers: [{ name: 'llm', image: 'registry.invalid/llm' }] } } });
  }
  await custom.createNamespacedCustomObject({
    ...KEDA, namespace: NS,
    body: {
      apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'llm', annotations: { 'team.example/owner': 'llm-team' } },
      spec: { scaleTargetRef: { name: 'llm' }, minReplicaCount: 1, maxReplicaCount: 10, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }] },
    },
  });
  type So = { spec: { maxReplicaCount: number; minReplicaCount: number; triggers: unknown[] }; metadata: { annotations?: Record<string, string> } };
  const readSo = async () => (await custom.getNamespacedCustomObject({ ...KEDA, namespace: NS, name: 'llm' })) as So;
  const status = async () => ((await custom.getNamespacedCustomObject({ ...POLICY, name: 'cap' })) as { status?: PolicyStatus }).status;
  const events = async (reason: string) => (await core.listNamespacedEvent({ namespace: NS })).items.filter((e) => e.reason === reason);
  const deletionCost = async (i: number) => (await core.readNamespacedPod({ namespace: NS, name: `llm-${i}` })).metadata?.annotations?.[ANNOTATIONS.podDeletionCost];

  // The Secret as Kubernetes mounts it: one file per key.
  const receiver = await startHttpReceiver();
  t.teardown(() => receiver.close());
  const secretDir = join(dir, 'slack-secret');
  await mkdir(secretDir);
  await writeFile(join(secretDir, 'webhook-url'), `${receiver.url}\n`);
  await writeFile(join(secretDir, 'signing-secret'), `${SIGNING_SECRET}\n`);

  await custom.createNamespacedCustomObject({
    ...POLICY,
    body: {
      apiVersion: `${POLICY_GROUP}/${POLICY_VERSION}`, kind: 'PowerCappingPolicy', metadata: { name: 'cap' },
      spec: {
        mode: 'Recommend', racks: ['rack-a'], capPercentOfBudget: 90,
        targets: { scaledObjects: { names: ['llm'] } },
        forecast: { method: 'off', horizon: '5m' },
        hysteresis: { restoreBelowPercentOfCap: 90, restoreAfter: '2s', minActionInterval: '2s' },
      },
    },
  });

  const actionsPort = await freePort();
  const capper = await startCapperProcess({
    name: 'capper-approval',
    kubeconfigPath: cluster.kubeconfigPath,
    dir,
    config: {
      topologyFile,
      telemetry: { powerFile },
      interval: '1s',
      leaderElection: { enabled: true, namespace: 'climatik-system', leaseDuration: '3s', renewInterval: '1s' },
      notifications: { retry: { maxAttempts: 3, baseDelay: '100ms', maxDelay: '1s' }, slack: { secretDir, timeout: '2s', actionsPort } },
    },
  });
  t.teardown(() => capper.stop());

  const messages = () => receiver.received.map((r) => JSON.parse(r.body) as PostedMessage);
  /** The Approve button's value (the recommendation id) of the newest message matching `text`. */
  const nextRecommendation = async (text: RegExp, after: number): Promise<string> => {
    let id = '';
    await waitUntil(`a Slack message matching ${String(text)}`, async () => {
      const m = messages().slice(after).reverse().find((msg) => text.test(msg.text));
      id = m?.blocks.find((b) => b.type === 'actions')?.elements?.find((e) => e.action_id === APPROVE_ACTION_ID)?.value ?? '';
      return id !== '';
    }, { timeoutMs: 60_000, process: capper.process, intervalMs: 200 });
    return id;
  };
  /** Slack's interactive request: form field `payload`, signed `v0:timestamp:body`. */
  const click = async (id: string, opts: { secret?: string; ageS?: number } = {}) => {
    const payload = { type: 'block_actions', user: { id: 'U123', username: 'ops-alice', team_id: 'T1' }, actions: [{ action_id: APPROVE_ACTION_ID, block_id: 'climatik_decision', value: id, type: 'button' }] };
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const ts = String(Math.floor(Date.now() / 1000) - (opts.ageS ?? 0));
    const res = await fetch(`http://127.0.0.1:${actionsPort}/slack/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': slackSignature(opts.secret ?? SIGNING_SECRET, ts, body) },
      body,
    });
    return { status: res.status, body: (await res.json()) as { message?: string } };
  };

  const capId = await nextRecommendation(/Rack rack-a is over its power cap \(policy ml\/cap\)/, 0);
  t.match(capId, /^ml\/cap\/rack-a\/\d+$/, 'the Approve button carries the recommendation id');
  t.match(receiver.received.at(-1)?.body, /maxReplicaCount 7 on ScaledObject ml\/llm \(owner's 10\)/);

  await t.test('forged and replayed requests: 401, nothing changes', async (t) => {
    const forged = await click(capId, { secret: 'attacker-guess' });
    const replayed = await click(capId, { ageS: 6 * 60 });
    t.same([forged.status, replayed.status], [401, 401]);
    const so = await readSo();
    t.equal(so.spec.maxReplicaCount, 10);
    t.equal(so.metadata.annotations?.[ANNOTATIONS.originalMaxReplicaCount], undefined);
    t.same(await events('RecommendationApproved'), []);
  });

  await t.test('signed approval: maxReplicaCount lowered by merge patch, original saved, Event and status name the user', async (t) => {
    const res = await click(capId);
    t.equal(res.status, 200, JSON.stringify(res.body));
    const so = await readSo();
    t.equal(so.spec.maxReplicaCount, 7);
    t.equal(so.metadata.annotations?.[ANNOTATIONS.originalMaxReplicaCount], '10', "owner's value saved before the first change");
    t.equal(so.metadata.annotations?.[ANNOTATIONS.cappedBy], 'ml/cap');
    t.equal(so.metadata.annotations?.['team.example/owner'], 'llm-team', 'merge patch: the owner\'s annotation kept');
    t.same([so.spec.minReplicaCount, so.spec.triggers.length], [1, 1], 'merge patch: the rest of the spec untouched');
    t.equal(await deletionCost(0), '-100', 'the approved scale-in hint on a hot-rack replica');
    const approved = await events('RecommendationApproved');
    t.equal(approved.length, 1);
    t.match(approved[0]?.message, /approved in Slack by ops-alice \(U123\): maxReplicaCount 7 on ScaledObject ml\/llm/);
    t.equal(approved[0]?.involvedObject.kind, 'PowerCappingPolicy');
    // The capper's next reconcile rewrites status; the approved records must survive it.
    await new Promise((r) => setTimeout(r, 3000)); // about three reconciles (1 s loop)
    const applied = (await status())?.appliedActions ?? [];
    t.same(applied.filter((a) => a.kind === 'SetMaxReplicas').map((a) => [a.target, a.value, a.approvedBy]), [['ml/llm', 7, 'ops-alice (U123)']]);
    t.equal((await status())?.conditions?.find((c) => c.type === 'Capping')?.status, 'True', 'the approved cap counts as active');
  });

  await t.test('the same button again: 400 already decided, nothing more applied', async (t) => {
    const again = await click(capId);
    t.equal(again.status, 400);
    t.match(again.body.message, /already decided/);
    t.equal((await readSo()).spec.maxReplicaCount, 7);
  });

  await t.test('rack cools: a give-back recommendation is published; approving it restores the owner\'s value', async (t) => {
    const seen = receiver.received.length;
    await setPower(5000);
    const giveBackId = await nextRecommendation(/Rack rack-a is back under its power cap: give capacity back\?/, seen);
    t.not(giveBackId, capId);
    t.equal((await readSo()).spec.maxReplicaCount, 7, 'Recommend mode: nothing given back without approval');
    const res = await click(giveBackId);
    t.equal(res.status, 200, JSON.stringify(res.body));
    const so = await readSo();
    t.equal(so.spec.maxReplicaCount, 10);
    t.equal(so.metadata.annotations?.[ANNOTATIONS.originalMaxReplicaCount], undefined, 'saved value removed with the restore');
    t.equal(await deletionCost(0), undefined, 'scale-in hint cleared');
  });

  await t.test('policy deleted with an approved cap in place: the finalizer restores the original', async (t) => {
    const seen = receiver.received.length;
    await setPower(9800);
    const id = await nextRecommendation(/Rack rack-a is over its power cap/, seen);
    t.equal((await click(id)).status, 200);
    t.equal((await readSo()).spec.maxReplicaCount, 7);
    await custom.deleteNamespacedCustomObject({ ...POLICY, name: 'cap' });
    await waitUntil('policy gone (finalizer done)', async () => {
      try {
        await custom.getNamespacedCustomObject({ ...POLICY, name: 'cap' });
        return false;
      } catch {
        return true;
      }
    }, { timeoutMs: 30_000, process: capper.process });
    const so = await readSo();
    t.equal(so.spec.maxReplicaCount, 10);
    t.equal(so.metadata.annotations?.[ANNOTATIONS.cappedBy], undefined);
    t.equal(so.metadata.annotations?.['team.example/owner'], 'llm-team');
    t.ok((await events('CapsReleased')).length >= 1);
  });
});
