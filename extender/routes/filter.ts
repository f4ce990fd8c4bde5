// POST /filter: ExtenderArgs → ExtenderFilterResult. Answers in the form it was asked in
// (NodeNames or Nodes); a missing answer field would filter out every node on the scheduler side.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { filterCandidates } from '../decisions/index.js';
import type { ExtenderContext } from '../context.js';
import { syncProblems } from '../sync.js';
import { BadRequestSchema, ExtenderArgsSchema, ExtenderFilterResultSchema, type ExtenderFilterResult } from '../wire.js';
import { NEITHER_FORM, candidatesOf, countUnknown, resolveArgs } from './candidates.js';

export const filterRoute: FastifyPluginAsyncTypebox<{ ctx: ExtenderContext }> = async (app, { ctx }) => {
  app.post(
    '/filter',
    { schema: { body: ExtenderArgsSchema, response: { 200: ExtenderFilterResultSchema, 400: BadRequestSchema } } },
    async (request, reply) => {
      const args = resolveArgs(ctx, request.body);
      if (args === undefined) {
        ctx.metrics.badRequests.inc({ verb: '/filter', code: 'NO_NODES' });
        return reply.status(400).send(NEITHER_FORM);
      }
      const view = ctx.view();
      if (view === undefined) {
        // No topology yet: failing the attempt lets the scheduler retry, rather than placing blind.
        return answer(args, [], {}, {}, 'climatik extender has no rack topology loaded yet');
      }
      const unsynced = syncProblems(ctx);
      if (unsynced.length > 0) return answer(args, [], {}, {}, `climatik extender is not ready to decide: ${unsynced.join('; ')}`);
      const candidates = candidatesOf(ctx, view.state.topology, args);
      const unknown = countUnknown(view.state.topology, candidates);
      if (unknown > 0) ctx.metrics.unknownNodes.inc({ verb: 'filter' }, unknown);
      const result = filterCandidates(view.state, candidates, args.podPower.powerW, { unknownNode: ctx.deps.settings.unknownNodePolicy });
      countDecisions(ctx, result.passed.length, result.rejectedBy, result.unresolvable);
      const passed = new Set(result.passed);
      return answer(
        args,
        args.withNodes ? args.nodes.filter((n) => passed.has(n.metadata.name)) : [],
        result.failed,
        result.unresolvable,
        '',
        result.passed,
      );

      function answer(
        a: NonNullable<typeof args>,
        nodes: readonly unknown[],
        failed: Record<string, string>,
        unresolvable: Record<string, string>,
        error: string,
        names: string[] = [],
      ): ExtenderFilterResult {
        const out: ExtenderFilterResult = { FailedNodes: failed, FailedAndUnresolvableNodes: unresolvable, Error: error };
        if (a.withNodes) out.Nodes = { items: [...nodes] };
        if (a.withNames) out.NodeNames = a.withNodes ? nodes.map((n) => (n as { metadata: { name: string } }).metadata.name) : names;
        return out;
      }
    },
  );
};

function countDecisions(ctx: ExtenderContext, passed: number, rejectedBy: Readonly<Record<string, string>>, unresolvable: Readonly<Record<string, string>>): void {
  // One counter update per (outcome, reason), not per node: 5,000 label lookups per request add up.
  if (passed > 0) ctx.metrics.decisions.inc({ verb: 'filter', outcome: 'pass', reason: 'none' }, passed);
  const fail = new Map<string, number>();
  const unres = new Map<string, number>();
  for (const node in rejectedBy) {
    const into = node in unresolvable ? unres : fail;
    const reason = rejectedBy[node] ?? 'unknown';
    into.set(reason, (into.get(reason) ?? 0) + 1);
  }
  for (const [reason, n] of fail) ctx.metrics.decisions.inc({ verb: 'filter', outcome: 'fail', reason }, n);
  for (const [reason, n] of unres) ctx.metrics.decisions.inc({ verb: 'filter', outcome: 'unresolvable', reason }, n);
}
