// GET /healthz (the process answers), /readyz (topology loaded; in cluster mode the Node informer
// synced; telemetry present and built after that sync — an earlier snapshot maps no node to a rack
// by label, so every rack would fall back to nameplate — unless the settings allow serving on
// nameplate fallbacks), /metrics (Prometheus text).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { ExtenderContext } from '../context.js';

const Status = Type.Object({ status: Type.String(), problems: Type.Array(Type.String()) });

export const healthRoutes: FastifyPluginAsyncTypebox<{ ctx: ExtenderContext }> = async (app, { ctx }) => {
  app.get('/healthz', { schema: { response: { 200: Status } } }, async () => ({ status: 'ok', problems: [] }));

  app.get('/readyz', { schema: { response: { 200: Status, 503: Status } } }, async (_request, reply) => {
    const problems: string[] = [];
    if (ctx.deps.topology.current() === undefined) problems.push('no rack topology loaded');
    const snapshot = ctx.deps.power.current();
    const syncedAtMs = ctx.deps.nodesSyncedAtMs === undefined ? Number.NEGATIVE_INFINITY : ctx.deps.nodesSyncedAtMs();
    if (syncedAtMs === undefined) problems.push('node informer not synced yet (node → rack mapping incomplete)');
    if (snapshot === undefined && !ctx.deps.settings.readyWithoutTelemetry) problems.push('no telemetry snapshot yet');
    if (snapshot !== undefined && syncedAtMs !== undefined && snapshot.takenAtMs < syncedAtMs) {
      problems.push('telemetry snapshot predates the node informer sync (nodes not yet mapped to racks)');
    }
    return reply.status(problems.length === 0 ? 200 : 503).send({ status: problems.length === 0 ? 'ready' : 'not ready', problems });
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await ctx.deps.registry.metrics();
    return reply.type(ctx.deps.registry.contentType).send(text);
  });
};
