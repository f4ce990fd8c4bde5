// Burst: 200 one-GPU pods for climatik-scheduler across 20 racks whose budgets leave room for only
// 100 of them. The real kube-scheduler asks the real extender and binds through it; the test keeps
// its own account of committed power from a Pod watch (baseline telemetry + 700 W per bound pod) and
// checks it after every bind and at the end.
//
// The burst is paced over about 40 s, longer than the extender's telemetry refresh (15 s), while the
// exporter keeps reporting the baseline: bound pods draw nothing yet, as model servers that are
// still loading do. So a pod bound before a refresh is NOT in the next sample either, and an
// extender that forgets bound pods once a newer sample arrives lets racks overshoot here.
import { type V1Pod } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { describeOvershoots, watchBoundPower } from './bound-power-watch.js';
import { startClimatikStack, type RackSpec } from './climatik-stack.js';
import { createPod, gpuPod, podVerdict } from './pods.js';
import { waitUntil } from './processes.js';

const POD_W = 700;
const PODS = 200;
const NAMESPACE = 'burst';
const PACE_MS = 200;
/** Pods each rack has room for: 3..7, 100 in total. The budget leaves 350 W spare: less than a pod. */
const roomFor = (i: number): number => 3 + (i % 5);
const RACKS: RackSpec[] = Array.from({ length: 20 }, (_, i) => ({
  id: `r${String(i + 1).padStart(2, '0')}`,
  nodes: 2,
  nodeW: 1000,
  powerBudgetW: 2 * 1000 + roomFor(i) * POD_W + 350,
}));
const CAPACITY = RACKS.reduce((sum, _, i) => sum + roomFor(i), 0);
const podPowerW = (pod: V1Pod): number => POD_W * Number(pod.spec?.containers[0]?.resources?.limits?.['nvidia.com/gpu'] ?? 0);

void t.test('a 200-pod burst across 20 racks with tight budgets', async (t) => {
  const stack = await startClimatikStack({ racks: RACKS, extenderConfig: { podPower: { wattsPerGpu: POD_W } } });
  t.teardown(() => stack.stop());
  const { core } = stack;
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  const budgetOf = new Map(RACKS.map((r) => [r.id, r.powerBudgetW]));
  const watch = watchBoundPower(stack.cluster.kubeConfig(), {
    namespace: NAMESPACE,
    rackOf: stack.rackOf,
    baselineW: stack.baselineW,
    budgetW: (rackId) => budgetOf.get(rackId) ?? 0,
    podPowerW,
  });
  t.teardown(() => watch.stop());
  await watch.ready;

  const startMs = Date.now();
  // The telemetry age drops whenever the extender takes a new snapshot: count those during the burst.
  const telemetryAgeS = (): Promise<number> => stack.extender.counter('climatik_extender_telemetry_age_seconds');
  let lastAgeS = await telemetryAgeS();
  let refreshes = 0;
  for (let i = 0; i < PODS; i++) {
    await createPod(core, gpuPod({ name: `llm-${String(i).padStart(3, '0')}`, namespace: NAMESPACE, gpus: 1, schedulerName: 'climatik-scheduler' }));
    await sleep(PACE_MS);
    if (i % 5 === 4) {
      const ageS = await telemetryAgeS();
      if (ageS < lastAgeS) refreshes++;
      lastAgeS = ageS;
    }
  }
  const createdMs = Date.now();
  t.comment(`created ${PODS} pods in ${((createdMs - startMs) / 1000).toFixed(1)} s; the extender refreshed telemetry ${refreshes} time(s) meanwhile`);
  // Guards the scenario itself: without a refresh inside the burst the ledger's hand-over to
  // telemetry would not be exercised (the refresh interval is the telemetry default, 15 s).
  t.ok(refreshes >= 2, `the burst spans telemetry refreshes (${refreshes})`);

  // Settled: every pod has a verdict, and no bind for 20 s (long enough for a telemetry refresh and
  // the retries of unschedulable pods it could trigger). The bound guards a hang only.
  let pods: V1Pod[] = [];
  await waitUntil(
    'every burst pod decided and binds quiet for 20 s',
    async () => {
      pods = (await core.listNamespacedPod({ namespace: NAMESPACE })).items;
      const decided = pods.filter((p) => podVerdict(p) !== undefined).length;
      return decided === PODS && Date.now() - (watch.lastBindAtMs() ?? createdMs) > 20_000;
    },
    { timeoutMs: 240_000, intervalMs: 1000 },
  );
  const bound = pods.filter((p) => (p.spec?.nodeName ?? '') !== '');
  t.comment(`bound ${bound.length} of ${PODS} (room for ${CAPACITY}) in ${((Date.now() - startMs) / 1000).toFixed(1)} s`);

  t.same(describeOvershoots(watch.overshoots, startMs), [], 'no rack ever exceeded its budget, checked after every bind');
  t.equal(watch.bound.size, bound.length, 'the watch saw every bind the final list shows');

  await t.test('at the end every rack is within budget, and the burst filled the room there was', async (t) => {
    const perRack = new Map<string, number>();
    for (const p of bound) {
      const rack = stack.rackOf(p.spec?.nodeName ?? '');
      if (rack !== undefined) perRack.set(rack, (perRack.get(rack) ?? 0) + podPowerW(p));
    }
    const over = RACKS.filter((r) => stack.baselineW(r.id) + (perRack.get(r.id) ?? 0) > r.powerBudgetW).map(
      (r) => `rack ${r.id}: ${stack.baselineW(r.id) + (perRack.get(r.id) ?? 0)} W > ${r.powerBudgetW} W`,
    );
    t.same(over, [], 'no rack over budget in the final state');
    t.equal(bound.length, CAPACITY, `exactly the ${CAPACITY} pods the budgets have room for are bound`);
  });

  await t.test('pods that do not fit stay Pending with the budget reason in their events', async (t) => {
    const pending = pods.filter((p) => (p.spec?.nodeName ?? '') === '');
    t.equal(pending.length, PODS - bound.length, 'the rest are unbound');
    const events = (await core.listNamespacedEvent({ namespace: NAMESPACE })).items.filter((e) => e.reason === 'FailedScheduling');
    const budgetReason = /rack r\d\d: power .* exceeds budget \d+ W/;
    const missing = pending
      .map((p) => p.metadata?.name ?? '')
      .filter((name) => !events.some((e) => e.involvedObject.name === name && budgetReason.test(e.message ?? '')));
    t.same(missing, [], 'every pending pod has a FailedScheduling event naming a rack and its budget');
    const sample = events.find((e) => budgetReason.test(e.message ?? ''));
    if (sample !== undefined) t.comment(`example: ${(sample.message ?? '').slice(0, 300)}`);
    const notUnschedulable = pending.filter((p) => {
      const verdict = podVerdict(p);
      return verdict === undefined || verdict.bound || verdict.reason !== 'Unschedulable';
    });
    t.same(notUnschedulable.map((p) => p.metadata?.name), [], 'every pending pod carries PodScheduled=False, reason Unschedulable');
  });
});
