// GET /healthz (the process answers), /readyz (topology loaded; telemetry present unless the
// settings allow serving on nameplate fallbacks; in cluster mode the Node and Pod informers synced
// and the snapshot built after the Node sync — sync.ts), /metrics (Prometheus text).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { ExtenderContext } from '../context.js';
import { syncProblems } from '../sync.js';

const Status = Type.Object({ status: Type.String(), problems: Type.Array(Type.String()) });

export const healthRoutes: FastifyPluginAsyncTypebox<{ ctx: ExtenderContext }> = async (app, { ctx }) => {
  app.get('/healthz', { schema: { response: { 200: Status } } }, async () => ({ status: 'ok', problems: [] }));

  app.get('/readyz', { schema: { response: { 200: Status, 503: Status } } }, async (_request, reply) => {
    const problems: string[] = [];
    if (ctx.deps.topology.current() === undefined) problems.push('no rack topology loaded');
    if (ctx.deps.power.current() === undefined && !ctx.deps.settings.readyWithoutTelemetry) problems.push('no telemetry snapshot yet');
    problems.push(...syncProblems(ctx));
    return reply.status(problems.length === 0 ? 200 : 503).send({ status: problems.length === 0 ? 'ready' : 'not ready', problems });
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await ctx.deps.registry.metrics();
    return reply.type(ctx.deps.registry.contentType).send(text);
  });
};
