// buildExtender(deps): the fastify app, without listening. main.ts listens; tests use inject().
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ExtenderContext, ExtenderDeps } from './context.js';
import { formatSchemaErrors, installErrorHandling } from './http-errors.js';
import { createMetrics } from './metrics.js';
import { placementView, type PlacementView } from './placement.js';
import { RecentPods } from './recent-pods.js';
import { bindRoute } from './routes/bind.js';
import { filterRoute } from './routes/filter.js';
import { healthRoutes } from './routes/health.js';
import { prioritizeRoute } from './routes/prioritize.js';
import { drainRequestsOnClose, SHUTDOWN_SERVER_OPTIONS } from './shutdown.js';
import { uiPlugin } from './ui/index.js';

export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024 * 1024;
/** Warm-up of a running pod without per-pod telemetry when the settings name none (config default). */
export const DEFAULT_WARMUP_MS = 10 * 60_000;

export interface BuiltExtender {
  readonly app: FastifyInstance;
  readonly context: ExtenderContext;
}

export async function buildExtender(deps: ExtenderDeps): Promise<BuiltExtender> {
  const { clock } = deps;
  const metrics = createMetrics(deps.registry, {
    planAgeSeconds: () => {
      const at = deps.plan()?.computedAtMs;
      return at === undefined ? undefined : (clock.nowMs() - at) / 1000;
    },
    telemetryAgeSeconds: () => {
      const at = deps.power.current()?.takenAtMs;
      return at === undefined ? undefined : (clock.nowMs() - at) / 1000;
    },
    ledgerEntries: () => deps.ledger.size,
  });
  let cached: { key: string; view: PlacementView } | undefined;
  const context: ExtenderContext = {
    deps,
    metrics,
    recentPods: new RecentPods(),
    view: () => {
      const view = placementView({
        topology: deps.topology,
        power: deps.power,
        ledger: deps.ledger,
        plan: deps.plan,
        clock,
        staleAfterMs: deps.settings.staleAfterMs,
        warmupMs: deps.settings.ledgerWarmupMs ?? DEFAULT_WARMUP_MS,
      });
      if (view === undefined) return undefined;
      // Same inputs → the same state object, so the decisions' projection memo is reused.
      const key = viewKey(view, deps.topology.version);
      if (cached?.key === key) return cached.view;
      cached = { key, view };
      return view;
    },
  };

  const logger: FastifyBaseLogger = deps.logger;
  const tls = deps.settings.tls;
  // With `https` fastify's raw server type becomes https.Server; routes, hooks and inject are the
  // same, so the instance is typed as the plain one.
  const app = Fastify({
    ...(tls === undefined ? {} : { https: { ...tls } }),
    loggerInstance: logger,
    // Per-request access logs at 100s of req/s drown the decisions; metrics carry latency instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.settings.bodyLimitBytes,
    // close() ends every connection after in-flight requests drain (shutdown.ts says why).
    ...SHUTDOWN_SERVER_OPTIONS,
    schemaErrorFormatter: formatSchemaErrors,
    ajv: {
      // Strict: no type coercion, no silent removal, every problem reported (capped in the handler).
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: true },
    },
  }) as unknown as FastifyInstance;
  drainRequestsOnClose(app);
  installErrorHandling(app, (verb, code) => metrics.badRequests.inc({ verb, code }));
  app.addHook('onResponse', async (request, reply) => {
    metrics.requestSeconds.observe({ verb: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  // First: its decision-log hook must exist before /filter and /bind.
  await app.register(uiPlugin, { ctx: context, policyStatusSource: deps.policyStatusSource });
  await app.register(filterRoute, { ctx: context });
  await app.register(prioritizeRoute, { ctx: context });
  await app.register(bindRoute, { ctx: context });
  await app.register(healthRoutes, { ctx: context });
  return { app, context };
}

/** Everything a decision reads from a view, as a string: power values, stale set, plan, topology. */
function viewKey(view: PlacementView, topologyVersion: number): string {
  const { state } = view;
  let key = `${topologyVersion}|${view.planComputedAtMs ?? '-'}|`;
  for (const rack of state.topology.racks) {
    key += `${state.rackPowerW[rack.id] ?? 0},${state.boundSinceSampleW?.[rack.id] ?? 0},${state.staleRacks.has(rack.id) ? 's' : ''};`;
  }
  return key;
}
