// reconcilePolicy with a recording ActuatorPort and literal cluster objects: the wiring between
// decisions, modes, finalizer, failures, Events and status. The real API server path is covered
// by test/e2e/capper.e2e.test.ts.
import type { V1Deployment, V1Node, V1Pod } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import t from 'tap';
import { ClimatikError, silentLogger } from '../common/index.js';
import type { ActuatorPort, PolicyRef } from './actuators/actuators.js';
import type { ScaledObject } from './cluster-view.js';
import { NOW_MS, topology } from './decisions/test-fixtures.js';
import type { Action, PowerSnapshot } from './decisions/types.js';
import { capperMetrics } from './metrics.js';
import { ANNOTATIONS, FINALIZER, type PolicyObject, type PolicyStatus } from './policy-schema.js';
import type { CapperPowerSource } from './power-source.js';
import { reconcilePolicy } from './reconcile.js';

class Recorder implements ActuatorPort {
  applied: Action[] = [];
  events: string[] = [];
  status: Record<string, unknown> | undefined;
  finalizers: readonly string[] | undefined;
  failKinds = new Set<string>();
  async apply(_p: PolicyRef, a: Action): Promise<void> {
    if (this.failKinds.has(a.kind)) throw new ClimatikError('CLIMATIK_KUBE_API', `patch failed for ${a.kind}`);
    this.applied.push(a);
  }
  async patchStatus(_p: PolicyRef, s: Record<string, unknown>): Promise<string> {
    this.status = s;
    return '2';
  }
  async setFinalizers(_p: PolicyRef, f: readonly string[]): Promise<void> {
    this.finalizers = f;
  }
  async event(_p: PolicyRef, type: string, reason: string): Promise<void> {
    this.events.push(`${type} ${reason}`);
  }
}

const power = (rackA: number | undefined): CapperPowerSource => ({
  snapshot: async (): Promise<PowerSnapshot | undefined> =>
    rackA === undefined ? undefined : { takenAtMs: NOW_MS, rackPowerW: { 'rack-a': { value: rackA, sampleTimeMs: NOW_MS, stale: false }, 'rack-b': { value: 5000, sampleTimeMs: NOW_MS, stale: false } }, podPowerW: {} },
  history: async () => ({}),
  start: () => undefined,
  stop: async () => undefined,
});

const report = JSON.stringify({ gpus: [0, 1, 2, 3].map((index) => ({ index, uuid: `g${index}`, enforcedW: 400, defaultW: 400, minW: 150, maxW: 400 })) });
const node = (name: string, annotations: Record<string, string> = {}): V1Node => ({ metadata: { name, annotations: { [ANNOTATIONS.gpuPowerLimitApplied]: report, ...annotations } } });
const so = (annotations: Record<string, string> = {}, max = 10): ScaledObject => ({ metadata: { name: 'llm', namespace: 'ml', resourceVersion: '7', annotations }, spec: { scaleTargetRef: { name: 'llm' }, minReplicaCount: 2, maxReplicaCount: max } });
const deployment: V1Deployment = { metadata: { name: 'llm', namespace: 'ml' }, spec: { selector: { matchLabels: { app: 'llm' } }, template: {} } };
const pod = (name: string, nodeName: string, annotations: Record<string, string> = {}): V1Pod => ({ metadata: { name, namespace: 'ml', labels: { app: 'llm' }, annotations }, spec: { nodeName, containers: [] } });

function policy(spec: Record<string, unknown>, extra: { finalizers?: string[]; deletionTimestamp?: string; status?: PolicyStatus } = {}): PolicyObject {
  return {
    metadata: { name: 'cap', namespace: 'ml', generation: 3, resourceVersion: '1', finalizers: extra.finalizers ?? [FINALIZER], ...(extra.deletionTimestamp ? { deletionTimestamp: extra.deletionTimestamp } : {}) },
    spec: { mode: 'Enforce', capPercentOfBudget: 90, targets: { scaledObjects: { names: ['llm'] }, gpuPowerLimits: { enabled: true, floorW: 150, stepW: 25 } }, forecast: { method: 'off', horizon: '5m' }, ...spec } as PolicyObject['spec'],
    ...(extra.status ? { status: extra.status } : {}),
  };
}

const objects = (soObj = so(), nodes = [node('a1'), node('a2'), node('b1')]) => ({
  nodes: nodes.map((n) => ({ ...n, metadata: { ...n.metadata, labels: { 'topology.climatik.io/rack': n.metadata?.name?.startsWith('a') ? 'rack-a' : 'rack-b' } } })),
  scaledObjects: [soObj],
  deployments: [deployment],
  pods: [pod('p1', 'a1'), pod('p2', 'a2'), pod('p3', 'b1')],
});

const deps = (actuators: Recorder, rackA: number | undefined) => ({ actuators, power: power(rackA), topology: () => topology, logger: silentLogger(), metrics: capperMetrics(new Registry()), nowMs: () => NOW_MS });

void t.test('Enforce on a hot rack: actions applied, one Event each, status and rate-limit memory written', async (t) => {
  const r = new Recorder();
  await reconcilePolicy(deps(r, 9800), policy({}), objects());
  t.same(r.applied.map((a) => a.kind).sort(), ['SetGpuPowerLimit', 'SetGpuPowerLimit', 'SetPodDeletionCost', 'SetPodDeletionCost']);
  t.equal(r.events.filter((e) => e === 'Normal GpuPowerLimitSet').length, 2);
  const status = r.status as PolicyStatus;
  t.equal(status.racksOverCap, 1);
  t.equal(status.activeActions, 4);
  t.equal(status.observedGeneration, 3);
  t.same(Object.keys(status.lastActionTime ?? {}).sort(), ['node/a1', 'node/a2', 'pod/ml/p1', 'pod/ml/p2']);
  t.equal(status.conditions?.find((c) => c.type === 'Capping')?.status, 'True');
});

void t.test('Recommend: nothing applied, actions published with an Event; no rate-limit memory', async (t) => {
  const r = new Recorder();
  await reconcilePolicy(deps(r, 9800), policy({ mode: 'Recommend' }), objects());
  t.same(r.applied, []);
  t.ok(r.events.includes('Normal ActionsRecommended'));
  const status = r.status as PolicyStatus;
  t.ok((status.recommendedActions ?? []).length > 0);
  t.same(status.lastActionTime, {});
  t.equal(status.conditions?.find((c) => c.type === 'Capping')?.reason, 'OverCapNotEnforced');
});

void t.test('a failed action: Warning Event, Degraded condition, and it does not hold the rate limit', async (t) => {
  const r = new Recorder();
  r.failKinds.add('SetGpuPowerLimit');
  await reconcilePolicy(deps(r, 9800), policy({}), objects());
  t.ok(r.events.includes('Warning ActionFailed'));
  const status = r.status as PolicyStatus;
  t.equal(status.conditions?.find((c) => c.type === 'Degraded')?.reason, 'ActionsFailed');
  t.notOk('node/a1' in (status.lastActionTime ?? {}), 'retried next tick');
});

void t.test('no telemetry: Ready False, nothing done', async (t) => {
  const r = new Recorder();
  await reconcilePolicy(deps(r, undefined), policy({}), objects());
  t.same(r.applied, []);
  t.equal((r.status as PolicyStatus).conditions?.find((c) => c.type === 'Ready')?.reason, 'NoTelemetry');
});

void t.test('invalid spec: Ready False InvalidSpec with the field path, Warning Event once', async (t) => {
  const r = new Recorder();
  await reconcilePolicy(deps(r, 9800), policy({ capWatts: 9000 }), objects());
  const ready = (r.status as PolicyStatus).conditions?.[0];
  t.match(ready, { type: 'Ready', status: 'False', reason: 'InvalidSpec', message: /\/spec\/capPercentOfBudget/ });
  t.same(r.events, ['Warning InvalidSpec']);
  const again = new Recorder();
  await reconcilePolicy(deps(again, 9800), policy({ capWatts: 9000 }, { status: r.status as PolicyStatus }), objects());
  t.same(again.events, [], 'no repeated Event for the same problem');
});

void t.test('finalizer: added when missing; on delete every cap of this policy is restored, then released', async (t) => {
  const r = new Recorder();
  await reconcilePolicy(deps(r, 5000), policy({}, { finalizers: ['other'] }), objects());
  t.same(r.finalizers, ['other', FINALIZER]);
  const del = new Recorder();
  const capped = so({ [ANNOTATIONS.originalMaxReplicaCount]: '10', [ANNOTATIONS.cappedMaxReplicaCount]: '6', [ANNOTATIONS.cappedBy]: 'ml/cap' }, 6);
  const nodes = [node('a1', { [ANNOTATIONS.gpuPowerLimitW]: '200', [ANNOTATIONS.gpuPowerLimitBy]: 'ml/cap' }), node('a2', { [ANNOTATIONS.gpuPowerLimitW]: '200', [ANNOTATIONS.gpuPowerLimitBy]: 'ml/other' })];
  await reconcilePolicy(deps(del, 9800), policy({}, { finalizers: [FINALIZER, 'other'], deletionTimestamp: '2026-01-01T00:00:00Z' }), objects(capped, nodes));
  t.same(del.applied.map((a) => `${a.kind} ${'node' in a ? a.node : a.name}${a.kind === 'RestoreMaxReplicas' ? ` ${a.maxReplicaCount}` : ''}`), ['ClearGpuPowerLimit a1', 'RestoreMaxReplicas llm 10'], 'only what this policy capped');
  t.same(del.finalizers, ['other']);
  t.ok(del.events.includes('Normal CapsReleased'));
});

void t.test('notification sinks: Recommend and Enforce reach the notifier with the published actions, Observe does not', async (t) => {
  for (const [mode, wantCalls] of [['Observe', 0], ['Recommend', 1], ['Enforce', 1]] as const) {
    const r = new Recorder();
    const calls: { racks: number; actions: number }[] = [];
    const notifier = { observe: (_p: unknown, racks: readonly unknown[], published: readonly unknown[]) => void calls.push({ racks: racks.length, actions: published.length }) };
    await reconcilePolicy({ ...deps(r, 9800), notifier }, policy({ mode }), objects());
    t.equal(calls.length, wantCalls, `${mode}: notifier calls`);
    if (wantCalls > 0) t.ok((calls[0]?.actions ?? 0) > 0, `${mode}: the hot rack's actions are published`);
  }
});

void t.test('counterfactual report: Recommend opens an outcome record, follows the rack, and an approval makes it taken', async (t) => {
  const MIN = 60_000;
  // rack-a stays at 9800 W (cap 9000 W) for ten minutes; the first reconcile recommends 300 W GPU limits.
  const history = Array.from({ length: 11 }, (_, i) => ({ timeMs: NOW_MS + i * MIN, powerW: 9800 }));
  const at = (r: Recorder, nowMs: number, mode = 'Recommend', status?: PolicyStatus) =>
    reconcilePolicy(
      { ...deps(r, 9800), nowMs: () => nowMs, power: { ...power(9800), history: async () => ({ 'rack-a': history.filter((s) => s.timeMs <= nowMs) }) } },
      policy({ mode }, status === undefined ? {} : { status }),
      objects(),
    );
  const asStatus = (r: Recorder) => JSON.parse(JSON.stringify(r.status)) as PolicyStatus;

  const first = new Recorder();
  await at(first, NOW_MS);
  const opened = asStatus(first);
  t.equal(opened.outcomes?.length, 1);
  t.match(opened.outcomes?.[0], { rack: 'rack-a', capW: 9000, effectW: -800, taken: false, actions: ['SetGpuPowerLimit a1 300', 'SetGpuPowerLimit a2 300'] });
  t.match(opened.counterfactual, { recommendations: 1, taken: 0, withActions: { basis: 'estimated' }, withoutActions: { basis: 'measured' } });

  const later = new Recorder();
  await at(later, NOW_MS + 5 * MIN, 'Recommend', opened);
  const followed = asStatus(later);
  t.equal(followed.outcomes?.length, 1, 'the same recommendation again is not a new record');
  t.match(followed.outcomes?.[0]?.withoutActions, { seconds: 300, measuredSeconds: 300, capBreachSeconds: 300 });
  t.match(followed.outcomes?.[0]?.withActions, { seconds: 300, measuredSeconds: 0, capBreachSeconds: 0 });
  t.match(followed.counterfactual, { withActions: { capBreachSeconds: 0, meanPowerW: 9000 }, withoutActions: { capBreachSeconds: 300, meanPowerW: 9800 } });

  // A Slack approval (another component) appends the applied actions to status.appliedActions.
  const approvedAt = new Date(NOW_MS + 5 * MIN).toISOString();
  const approval = ['a1', 'a2'].map((n) => ({ kind: 'SetGpuPowerLimit', target: n, value: 300, rack: 'rack-a', reason: 'approved', time: approvedAt, approvedBy: 'ops' }));
  const afterApproval = new Recorder();
  await at(afterApproval, NOW_MS + 10 * MIN, 'Recommend', { ...followed, appliedActions: approval });
  const taken = asStatus(afterApproval);
  t.match(taken.outcomes?.[0], { taken: true, takenTime: approvedAt, withActions: { seconds: 600, measuredSeconds: 300 } });
  t.match(taken.counterfactual, { recommendations: 1, taken: 1, withActions: { basis: 'mixed' }, withoutActions: { basis: 'mixed' } });
});

void t.test('counterfactual report: Enforce is taken in the same tick; Observe opens nothing', async (t) => {
  const enforce = new Recorder();
  await reconcilePolicy(deps(enforce, 9800), policy({}), objects());
  const s = enforce.status as PolicyStatus;
  t.match(s.outcomes?.[0], { taken: true, takenTime: new Date(NOW_MS).toISOString() });
  t.match(s.counterfactual, { recommendations: 1, taken: 1, withActions: { basis: 'measured' }, withoutActions: { basis: 'estimated' } });
  const failed = new Recorder();
  failed.failKinds.add('SetGpuPowerLimit');
  await reconcilePolicy(deps(failed, 9800), policy({}), objects());
  t.match((failed.status as PolicyStatus).outcomes?.[0], { taken: false }, 'an action that failed was not taken');
  const observe = new Recorder();
  await reconcilePolicy(deps(observe, 9800), policy({ mode: 'Observe' }), objects());
  t.equal((observe.status as PolicyStatus).outcomes, undefined);
  t.equal((observe.status as PolicyStatus).counterfactual, undefined);
});
