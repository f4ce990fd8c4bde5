import t from 'tap';
import { isClimatikError } from '../../common/index.js';
import type { RackAssessment } from '../decisions/types.js';
import { RecommendationNotifier } from './notifier.js';
import { hotRackRecommendation } from './testing/fixtures.js';
import type { Recommendation } from './types.js';

const policy = { namespace: 'llm', name: 'rack-a-cap' };
const hot: RackAssessment = { id: 'rack-a', state: 'OverCap', capW: 9000, measuredW: 9600, forecastW: 9850, excessW: 850 };
const cool: RackAssessment = { id: 'rack-a', state: 'UnderCap', capW: 9000, measuredW: 7000, forecastW: 7100, excessW: -1900 };
const stale: RackAssessment = { id: 'rack-a', state: 'Unknown', capW: 9000, excessW: 0 };
const actions = hotRackRecommendation().actions;

function setup() {
  const events: string[] = [];
  const approved: Recommendation[] = [];
  const rejected: Recommendation[] = [];
  const notifier = new RecommendationNotifier({
    publisher: { publish: (r) => events.push(`publish ${r.id} ${r.actions.length}`), resolve: (k) => events.push(`resolve ${k}`) },
    onApprove: async (r) => {
      approved.push(r);
    },
    onReject: async (r) => {
      rejected.push(r);
    },
  });
  return { notifier, events, approved, rejected };
}

t.test('hot rack: published once while unchanged, again when actions change, resolved when cool', async (t) => {
  const { notifier, events } = setup();
  notifier.observe(policy, [hot], actions, 1000);
  notifier.observe(policy, [hot], actions.map((a) => ({ ...a, reason: 'reworded' })), 2000);
  notifier.observe(policy, [hot], actions.slice(0, 1), 3000);
  notifier.observe(policy, [stale], [], 4000);
  notifier.observe(policy, [cool], [], 5000);
  notifier.observe(policy, [cool], [], 6000);
  t.same(events, ['publish llm/rack-a-cap/rack-a/1000 2', 'publish llm/rack-a-cap/rack-a/3000 1', 'resolve llm/rack-a-cap/rack-a']);
});

t.test('approval: only the newest open recommendation, only once', async (t) => {
  const { notifier, approved, rejected } = setup();
  notifier.observe(policy, [hot], actions, 1000);
  notifier.observe(policy, [hot], actions.slice(0, 1), 2000);
  await t.rejects(notifier.approve('llm/rack-a-cap/rack-a/1000', { id: 'U1', name: 'alice' }), { code: 'CLIMATIK_REQUEST_INVALID' }, 'superseded');
  await notifier.approve('llm/rack-a-cap/rack-a/2000', { id: 'U1', name: 'alice' });
  t.same(approved.map((r) => r.actions.length), [1]);
  const again = await notifier.reject('llm/rack-a-cap/rack-a/2000', { id: 'U2', name: 'bob' }).catch((e: unknown) => e);
  t.ok(isClimatikError(again, 'CLIMATIK_REQUEST_INVALID'), 'already decided');
  notifier.observe(policy, [hot], actions, 3000);
  await notifier.reject('llm/rack-a-cap/rack-a/3000', { id: 'U2', name: 'bob' });
  t.equal(rejected.length, 1);
  notifier.observe(policy, [cool], [], 4000);
  await t.rejects(notifier.approve('llm/rack-a-cap/rack-a/3000', { id: 'U1', name: 'alice' }), 'recovered rack: nothing to approve');
});

const restore = [{ kind: 'RestoreMaxReplicas', namespace: 'llm', name: 'llama-70b', rackId: 'rack-a', maxReplicaCount: 8, reason: 'back under' }] as const;

t.test('cooled rack still capped: the alert resolves, then a give-back recommendation; once done, silence', async (t) => {
  const { notifier, events } = setup();
  notifier.observe(policy, [hot], actions, 1000);
  notifier.observe(policy, [{ ...cool, state: 'Recovering' }], [], 2000); // hysteresis: caps held, nothing proposed
  notifier.observe(policy, [cool], restore, 3000);
  notifier.observe(policy, [cool], restore, 4000);
  notifier.observe(policy, [cool], [], 5000); // approved and applied (or the owner restored it)
  t.same(events, ['publish llm/rack-a-cap/rack-a/1000 2', 'resolve llm/rack-a-cap/rack-a', 'publish llm/rack-a-cap/rack-a/3000 1']);

  const direct = setup(); // straight from hot to a give-back (no Recovering tick in between)
  direct.notifier.observe(policy, [hot], actions, 1000);
  direct.notifier.observe(policy, [cool], restore, 2000);
  t.same(direct.events, ['publish llm/rack-a-cap/rack-a/1000 2', 'resolve llm/rack-a-cap/rack-a', 'publish llm/rack-a-cap/rack-a/2000 1']);
  await direct.notifier.approve('llm/rack-a-cap/rack-a/2000', { id: 'U1', name: 'alice' });
  t.same(direct.approved.map((r) => r.actions[0]?.kind), ['RestoreMaxReplicas'], 'the give-back is approvable like a cap');
});

t.test('a failed approval can be retried, unless a newer recommendation superseded it meanwhile', async (t) => {
  let fail = true;
  const approved: string[] = [];
  const notifier = new RecommendationNotifier({
    publisher: { publish: () => undefined, resolve: () => undefined },
    onApprove: async (r) => {
      if (fail) throw new Error('not the leader');
      approved.push(r.id);
    },
  });
  notifier.observe(policy, [hot], actions, 1000);
  await t.rejects(notifier.approve('llm/rack-a-cap/rack-a/1000', { id: 'U1', name: 'alice' }), /not the leader/);
  fail = false;
  await notifier.approve('llm/rack-a-cap/rack-a/1000', { id: 'U1', name: 'alice' });
  t.same(approved, ['llm/rack-a-cap/rack-a/1000']);

  fail = true;
  notifier.observe(policy, [hot], actions.slice(0, 1), 2000);
  const pending = notifier.approve('llm/rack-a-cap/rack-a/2000', { id: 'U1', name: 'alice' });
  notifier.observe(policy, [hot], actions, 3000); // superseded while the approval was failing
  await t.rejects(pending);
  fail = false;
  await t.rejects(notifier.approve('llm/rack-a-cap/rack-a/2000', { id: 'U1', name: 'alice' }), { code: 'CLIMATIK_REQUEST_INVALID' }, 'stale id stays refused');
});

t.test('Enforce: recommendations are published but cannot be approved (the capper applies them itself)', async (t) => {
  const { notifier, events, approved } = setup();
  notifier.observe(policy, [hot], actions, 1000, 'Enforce');
  t.same(events, ['publish llm/rack-a-cap/rack-a/1000 2']);
  await t.rejects(notifier.approve('llm/rack-a-cap/rack-a/1000', { id: 'U1', name: 'alice' }), { code: 'CLIMATIK_REQUEST_INVALID' });
  t.same(approved, []);
  notifier.observe(policy, [cool], [], 2000, 'Enforce');
  t.same(events.at(-1), 'resolve llm/rack-a-cap/rack-a', 'still resolved when the rack cools');
});
