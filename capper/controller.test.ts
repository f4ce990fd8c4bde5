// Capper.applyApproved wired the way main.ts wires it: Slack's signed request → the actions
// endpoint → RecommendationNotifier → Capper (leader check, queue) → the approval checks → a
// recording API port. The API server itself is unreachable here (informers fail, which is fine:
// approvals read and write through the port); the real one is in test/e2e/capper-approval.
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import t, { type Test } from 'tap';
import { ManualClock, isClimatikError, silentLogger } from '../common/index.js';
import { FakeApprovalPort, recommendPolicy, scaledObject } from './actuators/fake-approval-port.js';
import { Capper } from './controller.js';
import { topology } from './decisions/test-fixtures.js';
import type { RackAssessment } from './decisions/types.js';
import { capperMetrics } from './metrics.js';
import { APPROVE_ACTION_ID, RecommendationNotifier, buildSlackActionsApp, slackSignature, type Recommendation } from './sinks/index.js';

const NOW_MS = Date.UTC(2026, 10, 29, 10, 30, 0);
const SECRET = 'test-signing-secret';
const hot: RackAssessment = { id: 'rack-a', state: 'OverCap', capW: 9000, measuredW: 9800, excessW: 800 };
const lower = { kind: 'SetMaxReplicas', namespace: 'ml', name: 'llm', rackId: 'rack-a', maxReplicaCount: 7, originalMaxReplicaCount: 10, reason: 'rack-a over cap' } as const;

function unreachableCluster(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  return kc;
}

async function setup(t: Test) {
  const port = new FakeApprovalPort();
  port.policy = recommendPolicy();
  port.scaledObjects.set('ml/llm', scaledObject(10));
  const clock = new ManualClock(NOW_MS);
  const published: Recommendation[] = [];
  const notifier: RecommendationNotifier = new RecommendationNotifier({
    publisher: { publish: (r) => published.push(r), resolve: () => undefined },
    // Bound late, as in main.ts: the capper is built after the notifier it reports to.
    onApprove: (rec, user): Promise<void> => capper.applyApproved(rec, user),
    onReject: (rec, user): Promise<void> => capper.recordRejected(rec, user),
  });
  const capper: Capper = new Capper({
    kubeConfig: unreachableCluster(),
    topology: () => topology,
    power: { snapshot: async () => undefined, history: async () => ({}), start: () => undefined, stop: async () => undefined },
    logger: silentLogger(),
    clock,
    metrics: capperMetrics(new Registry()),
    intervalMs: 3_600_000,
    notifier,
    actuators: port,
  });
  const app = await buildSlackActionsApp({ signingSecret: SECRET, handler: notifier, clock, logger: silentLogger() });
  t.teardown(async () => {
    await app.close();
    await capper.stop();
  });
  const click = async (id: string, actionId = APPROVE_ACTION_ID) => {
    const raw = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U123', username: 'ops-alice' }, actions: [{ action_id: actionId, value: id }] }))}`;
    const ts = String(Math.floor(NOW_MS / 1000));
    const res = await app.inject({ method: 'POST', url: '/slack/actions', payload: raw, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': slackSignature(SECRET, ts, raw) } });
    return { status: res.statusCode, body: res.json<{ message?: string }>() };
  };
  notifier.observe({ namespace: 'ml', name: 'cap' }, [hot], [lower], NOW_MS - 5000);
  const id = published[0]?.id ?? '';
  return { port, capper, notifier, click, id };
}

void t.test('standby replica: the approval is refused with a clear error, and can be retried on the leader', async (t) => {
  const { port, capper, click, id } = await setup(t);
  const refused = await click(id);
  t.equal(refused.status, 400);
  t.match(refused.body.message, /not the leader/);
  t.same(port.applied, [], 'nothing applied');
  await capper.start(); // no lease configured: this replica leads
  t.ok(capper.isLeader());
  const ok = await click(id);
  t.equal(ok.status, 200, 'the same button works once this replica leads');
  t.match(port.applied[0]?.action, { kind: 'SetMaxReplicas', maxReplicaCount: 7, originalMaxReplicaCount: 10 });
  t.match(port.events[0], { reason: 'RecommendationApproved', message: /ops-alice \(U123\)/ });
});

void t.test('leader: a second click on the same id is refused as already decided', async (t) => {
  const { port, capper, click, id } = await setup(t);
  await capper.start();
  t.equal((await click(id)).status, 200);
  const again = await click(id);
  t.equal(again.status, 400);
  t.match(again.body.message, /already decided/);
  t.equal(port.applied.length, 1);
});

void t.test('leader: a superseded (stale) id is refused; the newest one applies', async (t) => {
  const { port, capper, notifier, click, id } = await setup(t);
  await capper.start();
  notifier.observe({ namespace: 'ml', name: 'cap' }, [hot], [{ ...lower, maxReplicaCount: 6 }], NOW_MS);
  const stale = await click(id);
  t.equal(stale.status, 400);
  t.same(port.applied, []);
  t.equal((await click(`ml/cap/rack-a/${NOW_MS}`)).status, 200);
  t.match(port.applied[0]?.action, { maxReplicaCount: 6 });
});

void t.test('leader: policy switched to Enforce after the recommendation → 400 naming the mode, nothing applied', async (t) => {
  const { port, capper, click, id } = await setup(t);
  await capper.start();
  port.policy = recommendPolicy('Enforce');
  const res = await click(id);
  t.equal(res.status, 400);
  t.match(res.body.message, /in Enforce mode/);
  t.same(port.applied, []);
});

void t.test('leader: target gone → 400, nothing applied', async (t) => {
  const { port, capper, click, id } = await setup(t);
  await capper.start();
  port.scaledObjects.clear();
  const res = await click(id);
  t.equal(res.status, 400);
  t.match(res.body.message, /ScaledObject ml\/llm no longer exists/);
  t.same([port.applied, port.statusPatches], [[], []]);
});

void t.test('reject: an Event naming the user, nothing applied, the id is spent', async (t) => {
  const { port, click, id } = await setup(t);
  t.equal((await click(id, 'climatik_reject')).status, 200, 'rejecting needs no lease: it writes no target');
  t.same(port.events.map((e) => e.reason), ['RecommendationRejected']);
  t.same(port.applied, []);
  t.equal((await click(id)).status, 400);
});

void t.test('API failure while applying → 503, and the button can be tried again', async (t) => {
  const { port, capper, click, id } = await setup(t);
  await capper.start();
  port.failKinds.add('SetMaxReplicas');
  const failed = await click(id);
  t.equal(failed.status, 503);
  port.failKinds.clear();
  t.equal((await click(id)).status, 200);
  t.ok(isClimatikError(await capper.applyApproved({ id: 'x', policy: { namespace: 'ml', name: 'cap' }, rack: hot, actions: [], expectedEffect: '', createdAtMs: 0 }, { id: 'U1', name: 'U1' }).catch((e: unknown) => e), 'CLIMATIK_REQUEST_INVALID'), 'empty recommendation refused');
});
