// kubePolicyStatusSource through the real client-node against a stand-in API server on loopback that
// answers the list the way kube-apiserver does: the items, "404 page not found" when the CRD is not
// installed, a Status body for 403/500. (The real apiserver: test/e2e/ui-policies.e2e.test.ts.)
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import Fastify from 'fastify';
import t from 'tap';
import { ManualClock } from '../../common/index.js';
import { T0_MS, testExtender } from '../testing/fixtures.js';
import { kubePolicyStatusSource, type ListedPolicy } from './policy-source.js';
import type { Status } from './status-schema.js';
import { uiPlugin } from './ui-plugin.js';

const LIST_PATH = '/apis/climatik.io/v1alpha1/powercappingpolicies';

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly type?: string;
}

/** A loopback server answering the policy list with whatever `answer()` says, counting requests. */
async function fakeApiServer(answer: () => Answer): Promise<{ server: Server; kc: KubeConfig; requests: () => number }> {
  let count = 0;
  const server = createServer((req, res) => {
    if (req.url?.split('?')[0] !== LIST_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    count += 1;
    const a = answer();
    res.writeHead(a.status, { 'content-type': a.type ?? 'application/json' }).end(a.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    // client-node accepts plain http only with skipTLSVerify.
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'secret' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'u' }],
    currentContext: 'fake',
  });
  return { server, kc, requests: () => count };
}

const policyList = (items: readonly ListedPolicy[]): Answer => ({
  status: 200,
  body: JSON.stringify({ apiVersion: 'climatik.io/v1alpha1', kind: 'PowerCappingPolicyList', metadata: { resourceVersion: '7' }, items }),
});
const statusBody = (code: number, reason: string, message: string): Answer => ({
  status: code,
  body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }),
});
const FORBIDDEN =
  'powercappingpolicies.climatik.io is forbidden: User "system:serviceaccount:climatik-system:climatik-extender" cannot list resource "powercappingpolicies" in API group "climatik.io" at the cluster scope';

const failures = [
  { scenario: 'CRD not installed', answer: { status: 404, body: '404 page not found\n', type: 'text/plain' }, message: /^PowerCappingPolicy CRD not installed: the API server has no powercappingpolicies\.climatik\.io\/v1alpha1/ },
  { scenario: 'RBAC forbids the list', answer: statusBody(403, 'Forbidden', FORBIDDEN), message: /^capper policies unavailable: 403 powercappingpolicies\.climatik\.io is forbidden: User "system:serviceaccount:climatik-system:climatik-extender" cannot list/ },
  { scenario: 'API server error', answer: statusBody(500, 'InternalError', 'etcdserver: request timed out'), message: /^capper policies unavailable: HTTP 500 etcdserver: request timed out$/ },
];

for (const f of failures) {
  void t.test(`${f.scenario}: the page's status says so and still shows the racks`, async (t) => {
    const api = await fakeApiServer(() => f.answer);
    t.teardown(() => api.server.close());
    const source = kubePolicyStatusSource(api.kc, new ManualClock(T0_MS));
    await t.rejects(source.list(), { message: f.message });

    const { context } = await testExtender();
    const app = Fastify();
    await app.register(uiPlugin, { ctx: context, policyStatusSource: source });
    t.teardown(() => app.close());
    const res = await app.inject({ method: 'GET', url: '/ui/status.json' });
    t.equal(res.statusCode, 200, 'status.json still answers');
    const s = res.json<Status>();
    t.match(s.capper, { source: 'cluster', error: f.message, policies: [] });
    t.equal(s.rows[0]?.racks.length, 4, 'racks rendered regardless');
  });
}

void t.test('API server unreachable: the connection error is shown', async (t) => {
  const api = await fakeApiServer(() => policyList([]));
  await new Promise((resolve) => api.server.close(resolve));
  const source = kubePolicyStatusSource(api.kc, new ManualClock(T0_MS));
  await t.rejects(source.list(), { message: /^capper policies unavailable: .*ECONNREFUSED/ });
});

void t.test('cache: one list per cache period, shared by concurrent pages; failures cached too', async (t) => {
  let answer = policyList([{ metadata: { name: 'row-a', namespace: 'ops' }, spec: { mode: 'Observe' } }]);
  const api = await fakeApiServer(() => answer);
  t.teardown(() => api.server.close());
  const clock = new ManualClock(T0_MS);
  const source = kubePolicyStatusSource(api.kc, clock, 5_000);

  const [a, b] = await Promise.all([source.list(), source.list()]);
  t.same(a.map((p) => p.metadata.name), ['row-a']);
  t.equal(b, a, 'concurrent callers get the same answer');
  t.equal(api.requests(), 1, 'one request for both');

  answer = policyList([{ metadata: { name: 'row-b', namespace: 'ops' }, spec: { mode: 'Enforce' } }]);
  clock.advance(4_999);
  t.same((await source.list()).map((p) => p.metadata.name), ['row-a'], 'within the cache period: the cached list');
  clock.advance(1);
  t.same((await source.list()).map((p) => p.metadata.name), ['row-b'], 'after it: listed again');
  t.equal(api.requests(), 2);

  answer = statusBody(403, 'Forbidden', FORBIDDEN);
  clock.advance(5_000);
  await t.rejects(source.list(), { message: /403/ });
  await t.rejects(source.list(), { message: /403/ });
  t.equal(api.requests(), 3, 'a failure is not retried on every poll');
  answer = policyList([]);
  clock.advance(5_000);
  t.same(await source.list(), [], 'recovers after the cache period');
});
