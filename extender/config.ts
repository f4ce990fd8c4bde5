// The extender's configuration: one TypeBox schema with defaults, validated once by
// common/buildConfig (every problem with its path), then frozen. YAML or JSON.
import Type, { type Static } from 'typebox';
import { ClimatikError, buildConfig, parseDurationMs, type FieldIssue } from '../common/index.js';
import { DEFAULT_GPU_MODEL_LABEL, DEFAULT_GPU_RESOURCES, type PodPowerConfig } from './decisions/index.js';

const Duration = (def: string, description: string) =>
  Type.String({ pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$', default: def, description: `${description} (e.g. 30s, 2m)` });

export const ExtenderConfigSchema = Type.Object(
  {
    listen: Type.Object(
      {
        address: Type.String({ minLength: 1, default: '0.0.0.0' }),
        port: Type.Integer({ minimum: 1, maximum: 65535, default: 8888 }),
      },
      { additionalProperties: false, default: {} },
    ),
    tls: Type.Optional(
      Type.Object(
        {
          certFile: Type.String({ minLength: 1, description: 'PEM server certificate' }),
          keyFile: Type.String({ minLength: 1, description: 'PEM server key' }),
          clientCAFile: Type.Optional(Type.String({ minLength: 1, description: 'PEM CA; when set, callers must present a client cert it signed' })),
        },
        { additionalProperties: false },
      ),
    ),
    topology: Type.Object(
      {
        configMapNamespace: Type.String({ minLength: 1, default: 'climatik-system' }),
        configMapName: Type.String({ minLength: 1, default: 'rack-topology' }),
        key: Type.String({ minLength: 1, default: 'topology.yaml' }),
        file: Type.Optional(Type.String({ minLength: 1, description: 'read the topology from this file instead (offline mode)' })),
      },
      { additionalProperties: false, default: {} },
    ),
    telemetry: Type.Object(
      {
        powerFile: Type.Optional(Type.String({ minLength: 1, description: '{"rackPowerW": {...}} file, always current (offline mode)' })),
        prometheusUrl: Type.Optional(Type.String({ minLength: 1, description: 'Prometheus base URL for live telemetry' })),
        staleAfter: Duration('2m', 'a rack sample older than this counts at the rack nameplate'),
        readyWithoutTelemetry: Type.Boolean({ default: false, description: 'report ready before the first snapshot' }),
      },
      { additionalProperties: false, default: {} },
    ),
    podPower: Type.Object(
      {
        wattsPerGpu: Type.Number({ exclusiveMinimum: 0, default: 700 }),
        wattsPerGpuByModel: Type.Record(Type.String(), Type.Number({ exclusiveMinimum: 0 }), { default: {} }),
        gpuModelLabel: Type.String({ minLength: 1, default: DEFAULT_GPU_MODEL_LABEL }),
        gpuResources: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: [...DEFAULT_GPU_RESOURCES] }),
        wattsPerCpuCore: Type.Number({ minimum: 0, default: 12 }),
        minPodPowerW: Type.Number({ minimum: 0, default: 50 }),
      },
      { additionalProperties: false, default: {} },
    ),
    unknownNodePolicy: Type.Union([Type.Literal('allow'), Type.Literal('deny')], { default: 'allow' }),
    plan: Type.Object(
      {
        planner: Type.Union([Type.Literal('lp'), Type.Literal('greedy')], { default: 'lp' }),
        refresh: Duration('30s', 'poll the plan inputs this often'),
        debounce: Duration('2s', 'wait this long after a change before re-planning'),
        minDemandW: Type.Number({ minimum: 0, default: 1400, description: 'plan for at least this much new power' }),
        worker: Type.Boolean({ default: true, description: 'solve in a worker thread, so a large LP never delays filter/prioritize' }),
        solveDeadline: Duration('2m', 'abandon a solve (and restart its worker) after this long; the previous plan stays'),
      },
      { additionalProperties: false, default: {} },
    ),
    schedulerName: Type.String({ minLength: 1, default: 'climatik-scheduler', description: 'pods of this scheduler feed the ledger and the pending demand' }),
    informerResync: Duration('10m', 'relist informers this often (stall protection)'),
    ledgerMaxAge: Duration('10m', "forget this replica's binds the Pod informer has not confirmed after this long"),
    ledgerWarmup: Duration('10m', 'keep counting a Running+Ready pod without per-pod telemetry this long (model load)'),
    bodyLimitBytes: Type.Integer({ minimum: 1024, default: 64 * 1024 * 1024 }),
    logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  },
  { additionalProperties: false },
);
export type ExtenderConfig = Static<typeof ExtenderConfigSchema>;

export function extenderConfig(raw: unknown, source: string): Readonly<ExtenderConfig> {
  const cfg = buildConfig(ExtenderConfigSchema, raw, source);
  const issues: FieldIssue[] = [];
  if (cfg.telemetry.powerFile !== undefined && cfg.telemetry.prometheusUrl !== undefined) {
    issues.push({ path: '/telemetry', message: 'set powerFile or prometheusUrl, not both', value: cfg.telemetry });
  }
  if (issues.length > 0) throw new ClimatikError('CLIMATIK_CONFIG_INVALID', `configuration ${source} is invalid`, { issues });
  return cfg;
}

/** Durations are validated by pattern, so parsing cannot fail here. */
export function ms(duration: string): number {
  return parseDurationMs(duration) ?? 0;
}

export function podPowerConfig(cfg: ExtenderConfig): PodPowerConfig {
  return { ...cfg.podPower };
}
