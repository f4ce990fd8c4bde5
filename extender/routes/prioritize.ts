// POST /prioritize: ExtenderArgs → HostPriorityList, integer scores 0..10. Never an error: with no
// topology every node scores 0 (kube-scheduler ignores prioritize errors anyway).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scoreCandidates } from '../decisions/index.js';
import type { ExtenderContext } from '../context.js';
import { BadRequestSchema, ExtenderArgsSchema, HostPriorityListSchema, type HostPriorityList } from '../wire.js';
import { NEITHER_FORM, candidatesOf, countUnknown, resolveArgs } from './candidates.js';

export const prioritizeRoute: FastifyPluginAsyncTypebox<{ ctx: ExtenderContext }> = async (app, { ctx }) => {
  app.post(
    '/prioritize',
    { schema: { body: ExtenderArgsSchema, response: { 200: HostPriorityListSchema, 400: BadRequestSchema } } },
    async (request, reply) => {
      const args = resolveArgs(ctx, request.body);
      if (args === undefined) {
        ctx.metrics.badRequests.inc({ verb: '/prioritize', code: 'NO_NODES' });
        return reply.status(400).send(NEITHER_FORM);
      }
      const view = ctx.view();
      if (view === undefined) {
        ctx.metrics.decisions.inc({ verb: 'prioritize', outcome: 'scored', reason: 'no-topology' }, args.names.length);
        return args.names.map((name) => ({ Host: name, Score: 0 }));
      }
      const candidates = candidatesOf(ctx, view.state.topology, args);
      const unknown = countUnknown(view.state.topology, candidates);
      if (unknown > 0) ctx.metrics.unknownNodes.inc({ verb: 'prioritize' }, unknown);
      const scores = scoreCandidates(view.state, candidates, args.podPower.powerW, {
        unknownNode: ctx.deps.settings.unknownNodePolicy,
        ...(ctx.deps.settings.scoreWeights === undefined ? {} : { weights: ctx.deps.settings.scoreWeights }),
      });
      ctx.metrics.decisions.inc({ verb: 'prioritize', outcome: 'scored', reason: view.state.plan?.feasible === true ? 'plan' : 'no-plan' }, scores.length);
      const list: HostPriorityList = scores.map((s) => ({ Host: s.host, Score: s.score }));
      return list;
    },
  );
};
