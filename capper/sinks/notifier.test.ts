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
