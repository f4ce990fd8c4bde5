import t from 'tap';
import { isClimatikError } from '../../common/index.js';
import type { Action } from '../decisions/types.js';
import { ANNOTATIONS } from '../policy-schema.js';
import type { Recommendation } from '../sinks/types.js';
import { applyApproval, recordRejection } from './approval.js';
import { FakeApprovalPort, cappedBy, recommendPolicy, scaledObject } from './fake-approval-port.js';

const NOW_MS = Date.UTC(2026, 10, 29, 10, 30, 0);
const alice = { id: 'U123', name: 'ops-alice' };

const lower: Action = { kind: 'SetMaxReplicas', namespace: 'ml', name: 'llm', rackId: 'rack-a', maxReplicaCount: 7, originalMaxReplicaCount: 10, reason: 'rack-a over cap' };
const gpu: Action = { kind: 'SetGpuPowerLimit', node: 'gpu-a1', rackId: 'rack-a', limitW: 275, reason: 'rack-a over cap' };
const cost: Action = { kind: 'SetPodDeletionCost', namespace: 'ml', name: 'llm-0', rackId: 'rack-a', cost: -100, reason: 'scale in here first' };

function rec(actions: readonly Action[], state: 'OverCap' | 'UnderCap' = 'OverCap'): Recommendation {
  return {
    id: `ml/cap/rack-a/${NOW_MS - 10_000}`,
    policy: { namespace: 'ml', name: 'cap' },
    rack: { id: 'rack-a', state, capW: 9000, measuredW: state === 'OverCap' ? 9800 : 6000, excessW: state === 'OverCap' ? 800 : -3000 },
    actions,
    expectedEffect: 'test',
    createdAtMs: NOW_MS - 10_000,
  };
}

/** A hot rack in Recommend mode: the ScaledObject at the owner's 10, a node and a pod present. */
function cluster(): FakeApprovalPort {
  const port = new FakeApprovalPort();
  port.policy = recommendPolicy();
  port.scaledObjects.set('ml/llm', scaledObject(10));
  port.nodes.set('gpu-a1', { metadata: { name: 'gpu-a1' } });
  port.pods.add('ml/llm-0');
  return port;
}

void t.test('hot rack, Recommend: an approval applies every action, saves the owner\'s value, names the user', async (t) => {
  const port = cluster();
  const outcome = await applyApproval(port, rec([gpu, lower, cost]), alice, NOW_MS);
  t.same(port.applied.map((a) => a.action.kind), ['SetGpuPowerLimit', 'SetMaxReplicas', 'SetPodDeletionCost']);
  const so = port.applied[1];
  t.match(so, { action: { maxReplicaCount: 7, originalMaxReplicaCount: 10 }, resourceVersion: '42' }, 'ScaledObject patch guarded by the version just read');
  t.same(port.events.map((e) => [e.type, e.reason]), [['Normal', 'RecommendationApproved']]);
  t.match(port.events[0]?.message, /approved in Slack by ops-alice \(U123\): GPU power limit 275 W on node gpu-a1; maxReplicaCount 7 on ScaledObject ml\/llm/);
  const status = port.statusPatches[0] as { appliedActions: { kind: string; target: string; approvedBy?: string }[]; lastActionTime: Record<string, string> };
  t.same(status.appliedActions.map((a) => [a.kind, a.target, a.approvedBy]), [
    ['SetGpuPowerLimit', 'gpu-a1', undefined],
    ['SetGpuPowerLimit', 'gpu-a1', 'ops-alice (U123)'],
    ['SetMaxReplicas', 'ml/llm', 'ops-alice (U123)'],
    ['SetPodDeletionCost', 'ml/llm-0', 'ops-alice (U123)'],
  ], 'earlier records kept, approved ones appended');
  t.same(Object.keys(status.lastActionTime).sort(), ['node/gpu-a1', 'pod/ml/llm-0', 'scaledobject/ml/llm'], 'rate limits start now, as after an Enforce action');
  t.equal(outcome.resourceVersion, '11');
});

const refusals: { name: string; setup: (p: FakeApprovalPort) => void; actions?: Action[]; message: RegExp; path: string }[] = [
  { name: 'policy switched to Enforce', setup: (p) => (p.policy = recommendPolicy('Enforce')), message: /in Enforce mode \(in Enforce mode the capper applies its actions itself\)/, path: '/policy/spec/mode' },
  { name: 'policy switched to Observe', setup: (p) => (p.policy = recommendPolicy('Observe')), message: /in Observe mode \(in Observe mode nothing may be applied\)/, path: '/policy/spec/mode' },
  { name: 'policy deleted', setup: (p) => (p.policy = undefined), message: /policy ml\/cap no longer exists/, path: '/policy' },
  { name: 'policy being deleted', setup: (p) => (p.policy = recommendPolicy('Recommend', { deletionTimestamp: '2026-11-29T10:29:00Z' })), message: /being deleted/, path: '/policy/metadata/deletionTimestamp' },
  { name: 'ScaledObject gone', setup: (p) => p.scaledObjects.clear(), message: /ScaledObject ml\/llm no longer exists/, path: '/recommendation/actions/1' },
  { name: 'Node gone', setup: (p) => p.nodes.clear(), message: /Node gpu-a1 no longer exists/, path: '/recommendation/actions/0' },
  { name: 'minReplicaCount raised above the recommended ceiling', setup: (p) => p.scaledObjects.set('ml/llm', scaledObject(10, {}, 8)), message: /maxReplicaCount 7 would be below minReplicaCount 8/, path: '/recommendation/actions/1' },
  { name: 'owner lowered their ceiling below the recommendation', setup: (p) => p.scaledObjects.set('ml/llm', scaledObject(6)), message: /above the owner's 6/, path: '/recommendation/actions/1' },
  { name: 'ScaledObject capped by another policy', setup: (p) => p.scaledObjects.set('ml/llm', scaledObject(8, cappedBy('ml/other', 10, 8))), message: /capped by policy ml\/other/, path: '/recommendation/actions/1' },
  { name: 'Node limited by another policy', setup: (p) => p.nodes.set('gpu-a1', { metadata: { name: 'gpu-a1', annotations: { [ANNOTATIONS.gpuPowerLimitBy]: 'ml/other' } } }), message: /GPU limit set by policy ml\/other/, path: '/recommendation/actions/0' },
  { name: 'ScaledObject no longer targeted by the policy', setup: (p) => p.scaledObjects.set('ml/llm', { ...scaledObject(10), metadata: { ...scaledObject(10).metadata, name: 'llm', namespace: 'other' } }), message: /no longer a target/, path: '/recommendation/actions/1' },
  { name: 'nothing to approve', setup: () => undefined, actions: [], message: /has no actions/, path: '/recommendation/actions' },
];

void t.test('refused approvals: a 400-style error naming why, nothing applied', async (t) => {
  for (const c of refusals) {
    const port = cluster();
    c.setup(port);
    // "no longer a target": the object now lives in another namespace under the same key.
    const err = await applyApproval(port, rec(c.actions ?? [gpu, lower, cost]), alice, NOW_MS).catch((e: unknown) => e);
    t.ok(isClimatikError(err, 'CLIMATIK_REQUEST_INVALID'), `${c.name}: CLIMATIK_REQUEST_INVALID`);
    if (!isClimatikError(err)) continue;
    t.match(err.message, c.message, `${c.name}: message`);
    t.ok(err.issues.some((i) => i.path === c.path), `${c.name}: issue at ${c.path} (${JSON.stringify(err.issues)})`);
    t.same([port.applied, port.statusPatches, port.events], [[], [], []], `${c.name}: nothing written`);
  }
});

void t.test('owner edited the ScaledObject since the recommendation: their new value is the one saved', async (t) => {
  const port = cluster();
  port.scaledObjects.set('ml/llm', scaledObject(12));
  await applyApproval(port, rec([lower]), alice, NOW_MS);
  t.match(port.applied[0]?.action, { kind: 'SetMaxReplicas', maxReplicaCount: 7, originalMaxReplicaCount: 12 });
});

void t.test('already capped by this policy: the saved original stays the owner\'s', async (t) => {
  const port = cluster();
  port.scaledObjects.set('ml/llm', scaledObject(8, cappedBy('ml/cap', 10, 8)));
  await applyApproval(port, rec([lower]), alice, NOW_MS);
  t.match(port.applied[0]?.action, { maxReplicaCount: 7, originalMaxReplicaCount: 10 });
});

void t.test('pod gone and target already at the value: skipped and said so, the rest applied', async (t) => {
  const port = cluster();
  port.pods.clear();
  port.scaledObjects.set('ml/llm', scaledObject(7, cappedBy('ml/cap', 10, 7)));
  const outcome = await applyApproval(port, rec([gpu, lower, cost]), alice, NOW_MS);
  t.same(outcome.applied.map((a) => a.kind), ['SetGpuPowerLimit']);
  t.same(outcome.skipped.map((s) => s.why), ['already at 7', 'pod no longer exists']);
  t.match(port.events[0]?.message, /pod-deletion-cost -100 on pod ml\/llm-0 \(skipped: pod no longer exists\)/);
});

void t.test('everything already in effect: an Event, no status write', async (t) => {
  const port = cluster();
  port.scaledObjects.set('ml/llm', scaledObject(7, cappedBy('ml/cap', 10, 7)));
  const outcome = await applyApproval(port, rec([lower]), alice, NOW_MS);
  t.same([outcome.applied, port.statusPatches, outcome.resourceVersion], [[], [], undefined]);
  t.match(port.events[0]?.message, /already at 7/);
});

void t.test('give-back approved on a cooled rack: the owner\'s value restored, GPU limit cleared', async (t) => {
  const port = cluster();
  port.scaledObjects.set('ml/llm', scaledObject(7, cappedBy('ml/cap', 10, 7)));
  port.nodes.set('gpu-a1', { metadata: { name: 'gpu-a1', annotations: { [ANNOTATIONS.gpuPowerLimitBy]: 'ml/cap', [ANNOTATIONS.gpuPowerLimitW]: '275' } } });
  const restore: Action = { kind: 'RestoreMaxReplicas', namespace: 'ml', name: 'llm', rackId: 'rack-a', maxReplicaCount: 10, reason: 'back under' };
  const clear: Action = { kind: 'ClearGpuPowerLimit', node: 'gpu-a1', rackId: 'rack-a', reason: 'back under' };
  await applyApproval(port, rec([restore, clear], 'UnderCap'), alice, NOW_MS);
  t.same(port.applied.map((a) => a.action.kind), ['RestoreMaxReplicas', 'ClearGpuPowerLimit']);
  t.match(port.applied[0]?.action, { maxReplicaCount: 10 });

  const done = cluster(); // the owner (or the finalizer) already gave everything back
  const outcome = await applyApproval(done, rec([restore, clear], 'UnderCap'), alice, NOW_MS);
  t.same(outcome.skipped.map((s) => s.why), ['not capped by this policy: nothing to restore', 'no GPU limit of this policy on the node']);
});

void t.test('API failure part-way: what was applied is recorded, then the error surfaces', async (t) => {
  const port = cluster();
  port.failKinds.add('SetMaxReplicas');
  const err = await applyApproval(port, rec([gpu, lower, cost]), alice, NOW_MS).catch((e: unknown) => e);
  t.ok(isClimatikError(err, 'CLIMATIK_KUBE_API'));
  t.same(port.applied.map((a) => a.action.kind), ['SetGpuPowerLimit'], 'stopped at the failure');
  t.match(port.events[0], { type: 'Warning', reason: 'RecommendationApproved', message: /failed part-way/ });
  t.equal((port.statusPatches[0] as { appliedActions: unknown[] }).appliedActions.length, 2);
});

void t.test('rejection: an Event naming the user, nothing applied', async (t) => {
  const port = cluster();
  await recordRejection(port, rec([lower]), { id: 'U9', name: 'U9' }, NOW_MS);
  t.same(port.events.map((e) => [e.reason, e.message]), [['RecommendationRejected', 'rejected in Slack by U9, nothing applied: maxReplicaCount 7 on ScaledObject ml/llm (owner\'s 10)']]);
  t.same([port.applied, port.statusPatches], [[], []]);
  port.policy = undefined;
  await recordRejection(port, rec([lower]), alice, NOW_MS);
  t.equal(port.events.length, 1, 'policy gone: nothing to attach an Event to');
});
