// Telemetry configuration: one schema, one defaults table (the defaults ARE the documented queries),
// validated once with every problem reported by path, then frozen. `$window` in a query is replaced
// by `rateWindow` (the range of rate() over Kepler ≤ 0.9 joule counters).
import Type, { type Static } from 'typebox';
import { buildConfig, parseDurationMs, ClimatikError } from '../common/index.js';

const Query = (def: string, description: string) => Type.String({ minLength: 1, default: def, description });

export const KeplerLegacyQueriesSchema = Type.Object(
  {
    nodeLabel: Type.String({ minLength: 1, default: 'instance' }),
    podLabel: Type.String({ minLength: 1, default: 'pod_name' }),
    namespaceLabel: Type.String({ minLength: 1, default: 'container_namespace' }),
    platform: Query('sum by (instance) (rate(kepler_node_platform_joules_total[$window]))', 'node platform (ACPI/IPMI) power, W'),
    package: Query('sum by (instance) (rate(kepler_node_package_joules_total[$window]))', 'CPU package power, W'),
    dram: Query('sum by (instance) (rate(kepler_node_dram_joules_total[$window]))', 'DRAM power, W'),
    gpu: Query('sum by (instance) (rate(kepler_node_gpu_joules_total[$window]))', 'GPU power per node, W'),
    podTotal: Query(
      'sum by (pod_name, container_namespace) (rate(kepler_container_joules_total{mode="dynamic"}[$window]))',
      'pod power incl. GPU (dynamic share), W',
    ),
    podGpu: Query(
      'sum by (pod_name, container_namespace) (rate(kepler_container_gpu_joules_total{mode="dynamic"}[$window]))',
      'pod GPU power, W (subtracted from podTotal when DCGM supplies the GPU part)',
    ),
  },
  { additionalProperties: false, default: {} },
);

export const KeplerCurrentQueriesSchema = Type.Object(
  {
    nodeLabel: Type.String({ minLength: 1, default: 'node_name' }),
    podLabel: Type.String({ minLength: 1, default: 'pod_name' }),
    namespaceLabel: Type.String({ minLength: 1, default: 'pod_namespace' }),
    platform: Query('sum by (node_name) (kepler_platform_watts)', 'platform (Redfish BMC) power, W'),
    // Zones overlap (package ⊇ core, uncore): never sum them; package and dram are disjoint.
    package: Query('sum by (node_name) (kepler_node_cpu_watts{zone="package"})', 'CPU package power (all sockets), W'),
    dram: Query('sum by (node_name) (kepler_node_cpu_watts{zone="dram"})', 'DRAM power, W'),
    gpu: Query('sum by (node_name) (kepler_node_gpu_watts)', 'GPU power per node, W'),
    podCpu: Query(
      'sum by (pod_name, pod_namespace) (kepler_pod_cpu_watts{zone=~"package|dram", state!="terminated"})',
      'pod CPU + DRAM power, W',
    ),
    podGpu: Query('sum by (pod_name, pod_namespace) (kepler_pod_gpu_watts{state!="terminated"})', 'pod GPU power, W'),
  },
  { additionalProperties: false, default: {} },
);

export const TelemetryConfigSchema = Type.Object(
  {
    prometheusUrl: Type.String({ pattern: '^https?://', description: 'Prometheus base URL' }),
    refreshIntervalMs: Type.Integer({ minimum: 100, default: 15_000 }),
    requestTimeoutMs: Type.Integer({ minimum: 10, default: 5_000 }),
    /** A value older than this is stale: consumers use the rack's conservative fallback instead. */
    maxAgeMs: Type.Integer({ minimum: 1, default: 60_000 }),
    /** A series that vanished is carried (aging, then stale) for this long, then dropped. */
    forgetAfterMs: Type.Integer({ minimum: 1, default: 600_000 }),
    rateWindow: Type.String({ pattern: '^[0-9]+(ms|s|m|h)$', default: '1m' }),
    kepler: Type.Object(
      {
        generation: Type.Union([Type.Literal('auto'), Type.Literal('legacy'), Type.Literal('current'), Type.Literal('off')], {
          default: 'auto',
        }),
        /** Which generations exist, by metric name (both may, during a rolling upgrade). */
        detectQuery: Query(
          'group by (__name__) ({__name__=~"kepler_node_cpu_watts|kepler_node_package_joules_total|kepler_node_platform_joules_total"})',
          'Kepler generation detection',
        ),
        legacy: KeplerLegacyQueriesSchema,
        current: KeplerCurrentQueriesSchema,
      },
      { additionalProperties: false, default: {} },
    ),
    dcgm: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        power: Query('DCGM_FI_DEV_POWER_USAGE', 'GPU power per device, W'),
        temperature: Query('DCGM_FI_DEV_GPU_TEMP', 'GPU temperature, °C'),
        /** Not in dcgm-exporter's default counter list; empty results are fine. */
        powerLimit: Query('DCGM_FI_DEV_ENFORCED_POWER_LIMIT', 'enforced GPU power limit, W'),
        hostLabels: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ['Hostname', 'hostname'] }),
        /** First label present wins; exported_* appear when Prometheus scrapes with honor_labels: false. */
        podLabels: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ['exported_pod', 'pod'] }),
        namespaceLabels: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ['exported_namespace', 'namespace'] }),
        gpuLabels: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ['gpu', 'UUID'] }),
      },
      { additionalProperties: false, default: {} },
    ),
    inlet: Type.Optional(
      Type.Object(
        {
          query: Type.String({ minLength: 1, description: 'inlet temperature, °C, one series per sensor' }),
          /** Label holding the rack id; otherwise `nodeLabel` is mapped to a rack through the topology. */
          rackLabel: Type.Optional(Type.String({ minLength: 1 })),
          nodeLabel: Type.Optional(Type.String({ minLength: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type TelemetryConfig = Static<typeof TelemetryConfigSchema>;
export type KeplerLegacyQueries = Static<typeof KeplerLegacyQueriesSchema>;
export type KeplerCurrentQueries = Static<typeof KeplerCurrentQueriesSchema>;

/** Validates and freezes; `source` names the document in errors. Also checks cross-field rules. */
export function telemetryConfig(raw: unknown, source = 'telemetry config'): Readonly<TelemetryConfig> {
  const cfg = buildConfig(TelemetryConfigSchema, raw, source);
  const issues = [];
  if (cfg.inlet !== undefined && (cfg.inlet.rackLabel === undefined) === (cfg.inlet.nodeLabel === undefined)) {
    issues.push({ path: '/inlet', message: 'set exactly one of rackLabel or nodeLabel', value: cfg.inlet });
  }
  if (cfg.forgetAfterMs < cfg.maxAgeMs) {
    issues.push({ path: '/forgetAfterMs', message: `must be >= maxAgeMs (${cfg.maxAgeMs})`, value: cfg.forgetAfterMs });
  }
  if (parseDurationMs(cfg.rateWindow) === undefined) issues.push({ path: '/rateWindow', message: 'not a duration', value: cfg.rateWindow });
  if (issues.length > 0) throw new ClimatikError('CLIMATIK_CONFIG_INVALID', `${source} is invalid: ${issues.length} problem(s)`, { issues });
  return cfg;
}

/** Substitutes `$window` in a configured query. */
export function renderQuery(query: string, cfg: Pick<TelemetryConfig, 'rateWindow'>): string {
  return query.replaceAll('$window', cfg.rateWindow);
}
