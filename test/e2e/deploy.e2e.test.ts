// deploy/ against a REAL kube-apiserver: kustomize renders deploy/base, deploy/samples, the
// monitoring overlay and the Slack approvals overlay; every object is applied with server-side apply (CRDs first, Established, then
// the rest) and read back field by field; broken objects are rejected; each component's service
// account is checked against the authorizer (can do its job, cannot do more); the node agent's
// pod-bound token may write only its own Node; base + components/slack-approvals applies on top of
// base (and its example Secret is a valid object); the stock kube-scheduler runs with the deployed config
// and service account and takes its own Lease. Static checks of the rendered files come first.
import { CoreV1Api, CoordinationV1Api, type KubernetesObject, type V1ConfigMap } from '@kubernetes/client-node';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parse, parseDocument } from 'yaml';
import { defaultBinDir, repoRoot, startCluster } from './cluster.js';
import { RawApi, kustomizeBuild, missingFields, objectKey, waitForCrdsEstablished } from './deploy-support.js';
import { staticChecks } from './deploy-static.js';
import { SLACK_COMPONENT, slackStaticChecks } from './deploy-slack.js';
import { rbacChecks } from './deploy-rbac.js';
import { createGpuNode } from './nodes.js';
import { freePort, startProcess, waitUntil } from './processes.js';

const NS = 'climatik-system';
const isCrd = (o: KubernetesObject): boolean => o.kind === 'CustomResourceDefinition';

void t.test('deploy/ installs into a real API server', async (t) => {
  const base = await kustomizeBuild('deploy/base');
  const samples = await kustomizeBuild('deploy/samples');
  const monitoring = await kustomizeBuild('deploy/overlays/monitoring');
  const slack = await kustomizeBuild('deploy/overlays/slack-approvals');

  await t.test('rendered manifests', (t) => staticChecks(t, { base, samples, monitoring }));
  await t.test('rendered Slack approvals (base + components/slack-approvals)', (t) => slackStaticChecks(t, { base, slack, monitoring }));

  const cluster = await startCluster({ defaultScheduler: false });
  t.teardown(() => cluster.stop());
  const kc = cluster.kubeConfig();
  const admin = new RawApi(kc, cluster.token);
  const core = kc.makeApiClient(CoreV1Api);

  await t.test('every object of deploy/base applies server-side and reads back as rendered', async (t) => {
    // CRDs, then Namespaces, then the rest in kustomize's order (it already sorts RBAC before workloads).
    const ordered = [...base.filter(isCrd), ...base.filter((o) => o.kind === 'Namespace'), ...base.filter((o) => !isCrd(o) && o.kind !== 'Namespace')];
    let applied = 0;
    for (const o of ordered) {
      const res = await admin.apply(o);
      if (res.status !== 200 && res.status !== 201) {
        t.fail(`${objectKey(o)} rejected: HTTP ${res.status} ${res.body}`);
        continue;
      }
      applied += 1;
      if (isCrd(o)) await waitForCrdsEstablished(kc, [o.metadata?.name ?? '']);
    }
    t.equal(applied, base.length, `all ${base.length} objects applied`);
    for (const o of base) {
      const res = await admin.get(o);
      t.equal(res.status, 200, `${objectKey(o)} exists`);
      if (res.status === 200) t.same(missingFields(o, JSON.parse(res.body)), [], `${objectKey(o)} holds every rendered field`);
    }
    t.comment(`applied ${applied} objects: ${[...new Set(base.map((o) => o.kind))].join(', ')}`);
  });

  await t.test('deploy/overlays/slack-approvals applies server-side over base and reads back as rendered', async (t) => {
    // What an operator does: create the Secret (here the example, placeholders), then apply the overlay.
    const secret = parse(await readFile(join(repoRoot, SLACK_COMPONENT, 'secret.example.yaml'), 'utf8')) as KubernetesObject;
    const created = await admin.apply(secret);
    // The body is printed only on failure: it would echo the Secret's data.
    t.equal(created.status, 201, `${objectKey(secret)}: the example is a valid Secret${created.status === 201 ? '' : ` (${created.body.slice(0, 300)})`}`);
    const rejected: string[] = [];
    for (const o of slack) {
      const res = await admin.apply(o);
      if (res.status !== 200 && res.status !== 201) rejected.push(`${objectKey(o)}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    }
    t.same(rejected, [], `all ${slack.length} objects applied`);
    for (const o of slack) {
      const res = await admin.get(o);
      t.equal(res.status, 200, `${objectKey(o)} exists`);
      if (res.status === 200) t.same(missingFields(o, JSON.parse(res.body)), [], `${objectKey(o)} holds every rendered field`);
    }
  });

  await t.test('the sample PowerCappingPolicy applies and stays in Observe mode', async (t) => {
    t.equal(samples.length, 1);
    for (const o of samples) {
      const res = await admin.apply(o);
      t.equal(res.status, 201, `${objectKey(o)} created: ${res.body.slice(0, 300)}`);
      const got = JSON.parse((await admin.get(o)).body) as { spec?: { mode?: string } };
      t.equal(got.spec?.mode, 'Observe');
    }
  });

  await t.test('broken objects are rejected and not stored', async (t) => {
    const deployment = base.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'climatik-extender');
    if (deployment === undefined) throw new Error('extender Deployment not rendered');
    const spec = (deployment as { spec: { template: object } }).spec;
    // Server-side apply answers a patch that does not fit the schema (wrong type, unknown field) with
    // 500 "failed to create typed patch object" naming the field; validation failures are 422.
    const cases: { name: string; object: object; status: (code: number) => boolean; message: RegExp }[] = [
      {
        name: 'a Deployment with replicas as a word',
        object: { ...deployment, metadata: { name: 'broken-replicas', namespace: NS }, spec: { ...spec, replicas: 'two' } },
        status: (code) => code >= 400,
        message: /\.spec\.replicas: expected numeric/,
      },
      {
        name: 'a Deployment with a misspelled field (replica)',
        object: { ...deployment, metadata: { name: 'broken-field', namespace: NS }, spec: { ...spec, replica: 2 } },
        status: (code) => code >= 400,
        message: /\.spec\.replica: field not declared in schema/,
      },
      {
        name: 'a Deployment whose selector does not match its pods',
        object: { ...deployment, metadata: { name: 'broken-selector', namespace: NS }, spec: { ...spec, selector: { matchLabels: { app: 'other' } } } },
        status: (code) => code === 422,
        message: /spec\.template\.metadata\.labels: Invalid value.*`selector` does not match template `labels`/,
      },
      {
        name: 'a PowerCappingPolicy in an unknown mode',
        object: { ...samples[0], metadata: { name: 'broken-mode', namespace: NS }, spec: { ...(samples[0] as { spec: object }).spec, mode: 'Yolo' } },
        status: (code) => code === 422,
        message: /spec\.mode: Unsupported value: "Yolo"/,
      },
    ];
    for (const c of cases) {
      const res = await admin.apply(c.object as KubernetesObject);
      t.ok(c.status(res.status), `${c.name}: rejected (HTTP ${res.status})`);
      t.match((JSON.parse(res.body) as { message?: string }).message ?? '', c.message, `${c.name}: the error names the field`);
      t.equal((await admin.get(c.object as KubernetesObject)).status, 404, `${c.name}: not stored`);
    }
  });

  await t.test('RBAC: each service account can do its job and nothing more', (t) => rbacChecks(t, kc));

  await t.test('node agent: its pod-bound token writes only its own Node, only its annotation', async (t) => {
    for (const [name, rack] of [['gpu-a01', 'r01'], ['gpu-b01', 'r02']] as const) await createGpuNode(core, { name, rack, gpus: 8, cpu: '64', memory: '512Gi' });
    // A pod of the DaemonSet's service account bound to gpu-a01: its token carries the node name
    // (authentication.kubernetes.io/node-name), exactly like the kubelet-mounted one in a cluster.
    const pod = await core.createNamespacedPod({
      namespace: NS,
      body: { metadata: { name: 'agent-on-gpu-a01' }, spec: { nodeName: 'gpu-a01', serviceAccountName: 'climatik-node-agent', containers: [{ name: 'agent', image: 'climatik' }] } },
    });
    const tokenFor = async (bound: boolean): Promise<string> => {
      const req = await core.createNamespacedServiceAccountToken({
        namespace: NS,
        name: 'climatik-node-agent',
        body: { spec: { audiences: [], expirationSeconds: 3600, ...(bound ? { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' } } : {}) } },
      });
      return req.status?.token ?? '';
    };
    const agent = new RawApi(kc, await tokenFor(true));
    const unbound = new RawApi(kc, await tokenFor(false));
    const who = JSON.parse((await agent.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' })).body) as {
      status?: { userInfo?: { username?: string; extra?: Record<string, string[]> } };
    };
    t.equal(who.status?.userInfo?.username, `system:serviceaccount:${NS}:climatik-node-agent`);
    t.same(who.status?.userInfo?.extra?.['authentication.kubernetes.io/node-name'], ['gpu-a01'], 'token names the pod\'s node');

    const annotate = (api: RawApi, node: string, metadata: object) => api.request('PATCH', `/api/v1/nodes/${node}`, { metadata }, 'application/merge-patch+json');
    const applied = { annotations: { 'climatik.io/gpu-power-limit-applied': '{"0":300}' } };
    // The policy is enforced once the API server has compiled it; wait for the first denial.
    await waitUntil('ValidatingAdmissionPolicy active', async () => (await annotate(agent, 'gpu-b01', applied)).status === 403, { timeoutMs: 30_000, intervalMs: 250 });

    const own = await annotate(agent, 'gpu-a01', applied);
    t.equal(own.status, 200, `own Node, own annotation: allowed (${own.body.slice(0, 200)})`);
    const node = await core.readNode({ name: 'gpu-a01' });
    t.equal(node.metadata?.annotations?.['climatik.io/gpu-power-limit-applied'], '{"0":300}', 'annotation written');
    const cases: { name: string; api: RawApi; node: string; metadata: object; message: RegExp }[] = [
      { name: 'another Node', api: agent, node: 'gpu-b01', metadata: applied, message: /only write its own Node, not gpu-b01/ },
      { name: 'a label on its own Node', api: agent, node: 'gpu-a01', metadata: { labels: { 'topology.climatik.io/rack': 'r04' } }, message: /only change the climatik.io\/gpu-power-limit-applied annotation/ },
      { name: 'the capper\'s annotation on its own Node', api: agent, node: 'gpu-a01', metadata: { annotations: { 'climatik.io/gpu-power-limit-watts': '100' } }, message: /only change/ },
      { name: 'a token not bound to a pod', api: unbound, node: 'gpu-a01', metadata: applied, message: /only write its own Node/ },
    ];
    for (const c of cases) {
      const res = await annotate(c.api, c.node, c.metadata);
      t.equal(res.status, 403, `${c.name}: denied`);
      t.match(res.body, c.message, `${c.name}: reason given`);
    }
    const capperToken = (await core.createNamespacedServiceAccountToken({ namespace: NS, name: 'climatik-capper', body: { spec: { audiences: [], expirationSeconds: 3600 } } })).status?.token ?? '';
    const byCapper = await annotate(new RawApi(kc, capperToken), 'gpu-b01', { annotations: { 'climatik.io/gpu-power-limit-watts': '250' } });
    t.equal(byCapper.status, 200, 'the policy does not touch other writers (the capper annotates any Node)');
  });

  await t.test('the stock kube-scheduler runs with the deployed config and service account and holds its Lease', async (t) => {
    const cm = base.find((o) => o.kind === 'ConfigMap' && o.metadata?.name?.startsWith('climatik-scheduler-config') === true) as V1ConfigMap | undefined;
    const configText = cm?.data?.['climatik-scheduler.yaml'];
    if (configText === undefined) throw new Error('scheduler ConfigMap not rendered');
    const dir = await mkdtemp(join(tmpdir(), 'climatik-deploy-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const token = (await core.createNamespacedServiceAccountToken({ namespace: NS, name: 'climatik-scheduler', body: { spec: { audiences: [], expirationSeconds: 3600 } } })).status?.token ?? '';
    const server = kc.getCurrentCluster();
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'sa',
      clusters: [{ name: 'e2e', cluster: { server: server?.server, 'certificate-authority': server?.caFile } }],
      users: [{ name: 'sa', user: { token } }],
      contexts: [{ name: 'sa', context: { cluster: 'e2e', user: 'sa' } }],
    }));
    const doc = parseDocument(configText);
    doc.setIn(['clientConnection', 'kubeconfig'], kubeconfig);
    writeFileSync(join(dir, 'config.yaml'), doc.toString());
    const port = await freePort();
    const scheduler = startProcess('kube-scheduler-deployed', join(defaultBinDir, 'kube-scheduler'), [
      `--config=${join(dir, 'config.yaml')}`, '--bind-address=127.0.0.1', `--secure-port=${port}`, `--cert-dir=${join(dir, 'certs')}`,
    ], join(dir, 'kube-scheduler.log'));
    t.teardown(() => scheduler.stop());
    const leases = kc.makeApiClient(CoordinationV1Api);
    let holder = '';
    await waitUntil('Lease kube-system/climatik-scheduler held', async () => {
      holder = (await leases.readNamespacedLease({ namespace: 'kube-system', name: 'climatik-scheduler' })).spec?.holderIdentity ?? '';
      return holder !== '';
    }, { timeoutMs: 60_000, process: scheduler, intervalMs: 500 });
    t.ok(holder.length > 0, `lease held by ${holder}`);
    const log = await readFile(scheduler.logPath, 'utf8');
    t.notMatch(log, /is forbidden/, 'no RBAC denial in the scheduler log');
    t.equal((parse(configText) as { profiles: { schedulerName: string }[] }).profiles[0]?.schedulerName, 'climatik-scheduler');
  });
});
