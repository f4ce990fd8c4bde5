// GET /ui (the status page) and GET /ui/status.json (its data), plus the decision log's feed: a
// preSerialization hook that reads /filter and /bind results as the routes return them. The plugin
// is not encapsulated (skip-override) so that hook sees the sibling routes; register it BEFORE the
// filter and bind routes, since fastify gives a route the hooks that exist when the route is added.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ExtenderContext } from '../context.js';
import { DecisionLog, filterDecision, podRefOf } from './decision-log.js';
import { STATUS_PAGE_HTML } from './page.js';
import type { PolicyStatusSource } from './policy-source.js';
import { buildStatus } from './status.js';
import { StatusSchema } from './status-schema.js';

export interface UiPluginOptions {
  readonly ctx: ExtenderContext;
  /** The capper's PowerCappingPolicy objects; absent offline (the page says so). */
  readonly policyStatusSource?: PolicyStatusSource | undefined;
  /** Where decisions are kept; a fresh 50-entry log by default. */
  readonly decisions?: DecisionLog;
}

// No external loads at all; inline script and style are the page itself.
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:";

const uiPluginImpl: FastifyPluginAsyncTypebox<UiPluginOptions> = async (app, opts) => {
  const { ctx } = opts;
  const decisions = opts.decisions ?? new DecisionLog();

  app.addHook('preSerialization', async (request, reply, payload) => {
    if (reply.statusCode !== 200 || typeof payload !== 'object' || payload === null) return payload;
    const url = request.routeOptions.url;
    const atMs = ctx.deps.clock.nowMs();
    if (url === '/filter') {
      decisions.record(filterDecision(atMs, podRefOf((request.body as { Pod?: unknown } | undefined)?.Pod), payload));
    } else if (url === '/bind') {
      const b = (request.body ?? {}) as { PodName?: string; PodNamespace?: string; Node?: string };
      const error = (payload as { Error?: unknown }).Error;
      decisions.record({ verb: 'bind', atMs, pod: `${b.PodNamespace ?? 'default'}/${b.PodName ?? '?'}`, node: b.Node ?? '', error: typeof error === 'string' ? error : '' });
    }
    return payload;
  });

  app.get('/ui', async (_request, reply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').header('content-security-policy', CSP).send(STATUS_PAGE_HTML),
  );
  app.get('/ui/status.json', { schema: { response: { 200: StatusSchema } } }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return buildStatus(ctx.deps, decisions, opts.policyStatusSource);
  });
};

// fastify-plugin's marker, without the dependency: share the parent's scope so the hook applies app-wide.
Object.defineProperty(uiPluginImpl, Symbol.for('skip-override'), { value: true });
Object.defineProperty(uiPluginImpl, Symbol.for('fastify.display-name'), { value: 'climatik-ui' });

export const uiPlugin = uiPluginImpl;
