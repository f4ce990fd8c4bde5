// Topology edits while everything runs: lowering a rack's budget in the ConfigMap changes the next
// placements without restarting the extender; an invalid edit is rejected (a Warning Event on the
// ConfigMap and the rejection counter on /metrics) and the last good topology stays in force.
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import t from 'tap';
import { DEFAULT_RACK_LABEL } from '../../rack-model/topology-schema.js';
import { TOPOLOGY_NAME, TOPOLOGY_NAMESPACE, startClimatikStack, topologyYaml, type RackSpec } from './climatik-stack.js';
import { createPod, gpuPod, waitForVerdict } from './pods.js';
import { waitUntil } from './processes.js';

const POD_W = 700;
const RACKS: RackSpec[] = ['r1', 'r2'].map((id) => ({ id, nodes: 2, nodeW: 1000, powerBudgetW: 10_000 }));
/**
 * r1 lowered below its baseline + one pod: no new pod fits whatever the extender counts for the
 * pod already there (the burst and extender-down suites test that count; this one tests the edit).
 */
const LOWERED_W = 2000 + POD_W - 350;

/** A climatik pod, optionally held to one rack by a nodeSelector on the rack label. */
function pod(name: string, rack?: string): V1Pod {
  const p = gpuPod({ name, gpus: 1, schedulerName: 'climatik-scheduler' });
  if (rack !== undefined) p.spec = { ...p.spec, containers: p.spec?.containers ?? [], nodeSelector: { [DEFAULT_RACK_LABEL]: rack } };
  return p;
}

void t.test('editing the topology ConfigMap under a running extender', async (t) => {
  const stack = await startClimatikStack({ racks: RACKS, extenderConfig: { podPower: { wattsPerGpu: POD_W } } });
  t.teardown(() => stack.stop());
  const { core, extender } = stack;
  const pid = extender.process.child.pid;
  const reloads = (result: string): Promise<number> => extender.counter('climatik_extender_topology_reloads_total', { result });
  /** Creates the pod and answers the rack it was bound in (undefined: not bound). */
  const place = async (p: V1Pod): Promise<string | undefined> => {
    const name = p.metadata?.name ?? '';
    await createPod(core, p);
    const verdict = await waitForVerdict(core, 'default', name);
    return verdict.bound ? stack.rackOf(verdict.nodeName) : undefined;
  };

  t.equal(await place(pod('first-on-r1', 'r1')), 'r1', 'with a 10 kW budget r1 takes a pod');

  await t.test('a lowered budget changes the next placements, no restart', async (t) => {
    const accepted = await reloads('accepted');
    await stack.writeTopology(topologyYaml([{ id: 'r1', powerBudgetW: LOWERED_W }, { id: 'r2', powerBudgetW: 10_000 }]));
    await waitUntil('the extender to accept the edit', async () => (await reloads('accepted')) > accepted, { timeoutMs: 30_000 });

    await createPod(core, pod('pinned-after-lower', 'r1'));
    const verdict = await waitForVerdict(core, 'default', 'pinned-after-lower');
    t.equal(verdict.bound, false, 'a pod held to r1 is no longer placed there');
    if (!verdict.bound) t.match(verdict.message, new RegExp(`rack r1: .* exceeds budget ${LOWERED_W} W`), `reason names the new budget: ${verdict.message}`);
    t.equal(await place(pod('free-after-lower')), 'r2', 'a pod free to go anywhere goes to r2');
    t.equal(extender.process.alive() && extender.process.child.pid === pid, true, 'the same extender process (no restart)');
  });

  await t.test('an invalid edit is rejected and the old topology stays in force', async (t) => {
    const rejected = await reloads('rejected');
    // Would give r1 room again, but the red line below the supply temperature makes it invalid.
    const invalid = topologyYaml([{ id: 'r1', powerBudgetW: 20_000 }, { id: 'r2', powerBudgetW: 10_000 }]).replace(/^redlineInletC: .*$/m, 'redlineInletC: 10');
    t.not(invalid, topologyYaml([{ id: 'r1', powerBudgetW: 20_000 }, { id: 'r2', powerBudgetW: 10_000 }]), 'the edit really changes the red line');
    await stack.writeTopology(invalid);
    await waitUntil('the extender to reject the edit', async () => (await reloads('rejected')) > rejected, { timeoutMs: 30_000 });

    // The counter moves first; the Event is written right after, by a separate API call.
    let warning: CoreV1Event | undefined;
    await waitUntil(
      'a TopologyRejected Event on the ConfigMap',
      async () => {
        const events = await core.listNamespacedEvent({
          namespace: TOPOLOGY_NAMESPACE,
          fieldSelector: `involvedObject.kind=ConfigMap,involvedObject.name=${TOPOLOGY_NAME}`,
        });
        warning = events.items.find((e) => e.reason === 'TopologyRejected');
        return warning !== undefined;
      },
      { timeoutMs: 30_000 },
    );
    t.equal(warning?.type, 'Warning', 'a Warning Event on the ConfigMap');
    t.match(warning?.message ?? '', /redlineInletC/, `the Event names the bad field: ${warning?.message ?? '(none)'}`);

    await createPod(core, pod('pinned-after-invalid', 'r1'));
    const verdict = await waitForVerdict(core, 'default', 'pinned-after-invalid');
    t.equal(verdict.bound, false, 'r1 still refuses: the 20 kW of the invalid edit did not take');
    if (!verdict.bound) t.match(verdict.message, new RegExp(`exceeds budget ${LOWERED_W} W`), `still the lowered budget: ${verdict.message}`);
    t.equal(extender.process.alive(), true, 'the extender keeps running');
  });
});
