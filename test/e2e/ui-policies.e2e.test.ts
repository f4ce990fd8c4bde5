// The status page's capper section against a real API server: the real `climatik extender` process
// in cluster mode lists PowerCappingPolicies (kubePolicyStatusSource). Before the CRD exists the page
// says so and still shows the racks; once a policy and its status (written through the status
// subresource, as the capper does) exist, /ui/status.json and the page in headless Chromium show its
// mode, racks (measured / forecast / cap), actions and conditions; an edit shows after the cache
// period. Also: a token without RBAC gets the 403 explanation, the extender's deployed RBAC reads.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import t from 'tap';
import { parse, parseAllDocuments } from 'yaml';
import { ManualClock } from '../../common/index.js';
import { kubePolicyStatusSource, type PolicyStatusSource } from '../../extender/ui/index.js';
import type { PolicyView, Status } from '../../extender/ui/status-schema.js';
import { launchChromium, PNG_SIGNATURE } from '../ui/chromium.js';
import { startClimatikStack, TOPOLOGY_NAMESPACE } from './climatik-stack.js';
import { repoRoot } from './cluster.js';
import { RawApi, waitForCrdsEstablished, type RawResponse } from './deploy-support.js';
import { waitUntil } from './processes.js';

const NS = TOPOLOGY_NAMESPACE; // climatik-system
const POLICY = 'row-a-cap';
const POLICY_PATH = `/apis/climatik.io/v1alpha1/namespaces/${NS}/powercappingpolicies/${POLICY}`;
const MERGE_PATCH = 'application/merge-patch+json';

/** What the capper would write: two racks, one over its cap, a recommendation, two applied actions. */
const STATUS = {
  observedGeneration: 1,
  racksOverCap: 1,
  activeActions: 1,
  racks: [
    { id: 'r1', state: 'OverCap', capW: 9000, measuredW: 9400, forecastW: 9650 },
    { id: 'r2', state: 'UnderCap', capW: 9000, measuredW: 4000, forecastW: 4100 },
  ],
  recommendedActions: [{ kind: 'gpu-power-limit', target: 'r1-n1', value: 550, rack: 'r1', reason: 'r1 9400 W over cap 9000 W', time: '2026-11-29T10:00:00Z' }],
  appliedActions: [
    { kind: 'scaledobject-max-replicas', target: 'llm/llama', value: 4, rack: 'r1', reason: 'r1 forecast 9300 W over cap', time: '2026-11-29T09:30:00Z' },
    { kind: 'scaledobject-max-replicas', target: 'llm/llama', value: 3, rack: 'r1', reason: 'r1 forecast 9650 W over cap', time: '2026-11-29T09:45:00Z' },
  ],
  conditions: [{ type: 'Ready', status: 'True', reason: 'Reconciled', message: '2 racks measured', lastTransitionTime: '2026-11-29T09:00:00Z' }],
};

async function statusJson(url: string): Promise<Status> {
  const res = await fetch(`${url}/ui/status.json`);
  if (res.status !== 200) throw new Error(`GET /ui/status.json: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as Status;
}

/** The API server's answer in an assertion message, only when it is not a success. */
const failure = (res: RawResponse): string => (res.status < 300 ? '' : `: HTTP ${res.status} ${res.body.slice(0, 300)}`);

/** The same API server as `admin`, authenticated as a bearer token (a service account's). */
function kubeConfigFor(admin: KubeConfig, token: string): KubeConfig {
  const cluster = admin.getCurrentCluster();
  if (cluster === null) throw new Error('admin kubeconfig has no cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'e2e', server: cluster.server, ...(cluster.caFile === undefined ? {} : { caFile: cluster.caFile }) }],
    users: [{ name: 'sa', token }],
    contexts: [{ name: 'sa', cluster: 'e2e', user: 'sa' }],
    currentContext: 'sa',
  });
  return kc;
}

void t.test('status page shows the capper policies from the real API server', async (t) => {
  const stack = await startClimatikStack({
    racks: [
      { id: 'r1', powerBudgetW: 10_000, nodes: 2, nodeW: 4700 },
      { id: 'r2', powerBudgetW: 10_000, nodes: 2, nodeW: 2000 },
    ],
    scheduler: false,
    defaultScheduler: false,
  });
  t.teardown(() => stack.stop());
  const { cluster } = stack;
  const url = stack.extender.url;
  const kc = cluster.kubeConfig();
  const raw = new RawApi(kc, cluster.token);
  const chromium = await launchChromium();
  t.teardown(() => chromium.close());
  const page = await chromium.browser.newPage();

  await t.test('no CRD yet: the page says so and still shows the racks', async (t) => {
    const s = await statusJson(url);
    t.match(s.capper, { source: 'cluster', error: /^PowerCappingPolicy CRD not installed: the API server has no powercappingpolicies\.climatik\.io\/v1alpha1/, policies: [] });
    t.same(s.rows.flatMap((r) => r.racks.map((x) => [x.id, x.powerW, x.nodes])), [['r1', 9400, 2], ['r2', 4000, 2]], 'racks at their telemetry power, nodes by label');
    await page.goto(`${url}/ui`);
    await page.locator('[data-rack="r2"]').waitFor();
    t.match(await page.locator('#capper-error').textContent(), /PowerCappingPolicy CRD not installed/);
  });

  await t.test('a policy with its status: served and rendered with the values written', async (t) => {
    const crd = parse(await readFile(join(repoRoot, 'deploy', 'crds', 'powercappingpolicies.yaml'), 'utf8')) as KubernetesObject;
    t.equal((await raw.apply(crd)).status, 201, 'CRD created');
    await waitForCrdsEstablished(kc, ['powercappingpolicies.climatik.io']);
    const sample = parseAllDocuments(await readFile(join(repoRoot, 'deploy', 'samples', 'powercappingpolicy-observe.yaml'), 'utf8'))[0]?.toJS() as {
      spec: Record<string, unknown>;
    };
    await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: 'climatik.io',
      version: 'v1alpha1',
      namespace: NS,
      plural: 'powercappingpolicies',
      body: { apiVersion: 'climatik.io/v1alpha1', kind: 'PowerCappingPolicy', metadata: { name: POLICY }, spec: { ...sample.spec, mode: 'Recommend' } },
    });
    const written = await raw.request('PATCH', `${POLICY_PATH}/status`, { status: STATUS }, MERGE_PATCH);
    t.equal(written.status, 200, `status subresource accepted the status${failure(written)}`);

    let policy: PolicyView | undefined;
    await waitUntil(
      'the extender to serve the policy (after its cached "CRD not installed")',
      async () => {
        policy = (await statusJson(url)).capper.policies.find((p) => p.name === POLICY);
        return policy !== undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    t.same(policy, {
      namespace: NS,
      name: POLICY,
      mode: 'Recommend',
      problem: '',
      racksOverCap: 1,
      activeActions: 1,
      racks: STATUS.racks,
      recommendedActions: STATUS.recommendedActions,
      appliedActions: [...STATUS.appliedActions].reverse(),
      conditions: STATUS.conditions,
    });

    const card = page.locator(`[data-policy="${NS}/${POLICY}"]`);
    await card.waitFor({ timeout: 30_000 });
    t.equal(await card.locator('.row-name').textContent(), `${NS}/${POLICY} · Recommend · racks over cap: 1 · active actions: 1`);
    t.same(await card.locator('.policy-rack').evaluateAll((els) => els.map((e) => e.textContent)), [
      'r1 OverCap (cap 9,000 W, measured 9,400 W, forecast 9,650 W)',
      'r2 UnderCap (cap 9,000 W, measured 4,000 W, forecast 4,100 W)',
    ]);
    t.equal(await card.locator('.condition').textContent(), 'Ready=True (Reconciled)');
    const cells = await card.locator('tr.action').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-list'), ...[...r.querySelectorAll('td')].map((c) => c.textContent)]));
    t.same(cells, [
      ['recommended', '2026-11-29T10:00:00Z', 'gpu-power-limit', 'r1-n1', '550', 'r1', 'r1 9400 W over cap 9000 W'],
      ['applied', '2026-11-29T09:45:00Z', 'scaledobject-max-replicas', 'llm/llama', '3', 'r1', 'r1 forecast 9650 W over cap'],
      ['applied', '2026-11-29T09:30:00Z', 'scaledobject-max-replicas', 'llm/llama', '4', 'r1', 'r1 forecast 9300 W over cap'],
    ]);
    t.match(await page.locator('[data-rack="r1"] .power-w').textContent(), '9,400 W', 'the racks are still there');

    const dir = await mkdtemp(join(tmpdir(), 'climatik-ui-policies-'));
    const shot = join(dir, 'ui-policies.png');
    await page.screenshot({ path: shot, fullPage: true });
    const png = await readFile(shot);
    t.same([...png.subarray(0, 8)], PNG_SIGNATURE, 'screenshot is a PNG');
    t.comment(`screenshot: ${shot} (${png.length} bytes, kept)`);
  });

  await t.test('the policy edited: new mode and values after the cache period', async (t) => {
    const spec = await raw.request('PATCH', POLICY_PATH, { spec: { mode: 'Enforce' } }, MERGE_PATCH);
    t.equal(spec.status, 200, `spec.mode patched${failure(spec)}`);
    const racks = [
      { id: 'r1', state: 'Recovering', capW: 9000, measuredW: 8800, forecastW: 8700 },
      { id: 'r2', state: 'UnderCap', capW: 9000, measuredW: 4200, forecastW: 4300 },
    ];
    const status = await raw.request('PATCH', `${POLICY_PATH}/status`, { status: { racksOverCap: 0, racks } }, MERGE_PATCH);
    t.equal(status.status, 200, `status patched${failure(status)}`);

    await waitUntil('status.json to show the edit', async () => (await statusJson(url)).capper.policies[0]?.mode === 'Enforce', { timeoutMs: 30_000, intervalMs: 500 });
    t.match((await statusJson(url)).capper.policies[0], { mode: 'Enforce', racksOverCap: 0, activeActions: 1, racks });
    const header = page.locator(`[data-policy="${NS}/${POLICY}"] .row-name`);
    await waitUntil('the page to show the edit', async () => ((await header.textContent()) ?? '').includes('Enforce'), { timeoutMs: 30_000, intervalMs: 500 });
    t.equal(await header.textContent(), `${NS}/${POLICY} · Enforce · racks over cap: 0 · active actions: 1`);
    t.equal(await page.locator('.policy-rack[data-policy-rack="r1"]').textContent(), 'r1 Recovering (cap 9,000 W, measured 8,800 W, forecast 8,700 W)');
  });

  await t.test('RBAC on the real authorizer: no grant → the 403 explanation; the deployed extender role reads', async (t) => {
    const token = async (name: string): Promise<string> =>
      (await stack.core.createNamespacedServiceAccountToken({ namespace: NS, name, body: { spec: { audiences: [], expirationSeconds: 600 } } })).status?.token ?? '';
    const list = (source: PolicyStatusSource) => source.list();
    await stack.core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: 'no-grants' } } });
    const denied = kubePolicyStatusSource(kubeConfigFor(kc, await token('no-grants')), new ManualClock(0));
    await t.rejects(list(denied), { message: /^capper policies unavailable: 403 powercappingpolicies\.climatik\.io is forbidden: User "system:serviceaccount:climatik-system:no-grants" cannot list/ });

    const rbac = parseAllDocuments(await readFile(join(repoRoot, 'deploy', 'base', 'rbac', 'extender.yaml'), 'utf8')).map((d) => d.toJS() as KubernetesObject);
    for (const o of rbac) t.ok([200, 201].includes((await raw.apply(o)).status), `applied ${o.kind ?? '?'} ${o.metadata?.name ?? '?'}`);
    const extender = kubePolicyStatusSource(kubeConfigFor(kc, await token('climatik-extender')), new ManualClock(0));
    t.same((await list(extender)).map((p) => p.metadata.name), [POLICY], "the extender's ServiceAccount lists the policy");
  });
});
