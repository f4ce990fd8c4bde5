// POST /bind: ExtenderBindingArgs → ExtenderBindingResult. The only mutating verb. Idempotent: a
// retried bind for a pod already on that node is success, and the ledger counts the pod once.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { expectedPodPowerW } from '../decisions/index.js';
import { OFFLINE_BIND_ERROR } from '../binder.js';
import type { ExtenderContext } from '../context.js';
import { podKey } from '../ledger.js';
import { candidateOf } from '../placement.js';
import { BadRequestSchema, ExtenderBindingArgsSchema, ExtenderBindingResultSchema } from '../wire.js';

export const bindRoute: FastifyPluginAsyncTypebox<{ ctx: ExtenderContext }> = async (app, { ctx }) => {
  app.post(
    '/bind',
    { schema: { body: ExtenderBindingArgsSchema, response: { 200: ExtenderBindingResultSchema, 400: BadRequestSchema } } },
    async (request) => {
      const { PodName: name, PodNamespace: namespace, PodUID: uid, Node: node } = request.body;
      const binder = ctx.deps.binder;
      if (binder === undefined) {
        ctx.metrics.binds.inc({ outcome: 'offline' });
        return { Error: OFFLINE_BIND_ERROR };
      }
      // Charge the rack before the API call: kube-scheduler runs binding cycles asynchronously, so
      // the next pod's filter can arrive while this Binding is in flight. Undone if the bind fails.
      const key = podKey({ name, namespace, uid });
      const charged = ctx.deps.ledger.get(key) === undefined && chargeLedger(ctx, { name, namespace, uid, node });
      try {
        const outcome = await binder.bind({ name, namespace, uid, node });
        ctx.metrics.binds.inc({ outcome });
        request.log.info({ pod: `${namespace}/${name}`, node, outcome }, 'pod bound');
        return { Error: '' };
      } catch (err) {
        if (charged && ctx.deps.ledger.get(key)?.confirmed === false) ctx.deps.ledger.remove(key);
        const message = err instanceof Error ? err.message : String(err);
        ctx.metrics.binds.inc({ outcome: 'error' });
        request.log.warn({ pod: `${namespace}/${name}`, node, err: message }, 'bind failed');
        return { Error: `bind ${namespace}/${name} to ${node}: ${message}` };
      }
    },
  );
};

/** Counts the pod against its rack right away, so the next filter sees it before telemetry does. */
function chargeLedger(ctx: ExtenderContext, p: { name: string; namespace: string; uid: string; node: string }): boolean {
  const topology = ctx.deps.topology.current();
  if (topology === undefined) return false;
  const labels = ctx.deps.nodeLabels?.labelsOf(p.node);
  const { rackId } = candidateOf(topology, p.node, labels);
  if (rackId === undefined || !topology.rackIndex.has(rackId)) return false;
  const key = podKey(p);
  const pod = ctx.recentPods.get(key);
  const settings = ctx.deps.settings.podPower;
  // A pod we never saw in filter (another replica served it): assume one GPU's worth, not zero.
  const powerW = pod === undefined ? settings.wattsPerGpu : expectedPodPowerW(pod, settings, labels);
  // Unconfirmed: the Pod informer's view of the same pod (confirmed, with its running state) replaces it.
  ctx.deps.ledger.record({ key, rackId, powerW, boundAtMs: ctx.deps.clock.nowMs(), podRef: `${p.namespace}/${p.name}`, confirmed: false });
  return true;
}
