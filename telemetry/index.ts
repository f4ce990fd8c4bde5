// Public surface of telemetry/: live power and inlet temperatures from Prometheus (Kepler ≤ 0.9 and
// ≥ 0.10, NVIDIA DCGM exporter, site inlet sensors) as an immutable Snapshot refreshed in the
// background; the staleness fallback; workload power profiles; history; the offline power file.
import type { Registry } from 'prom-client';
import { type Clock, type Logger } from '../common/index.js';
import { PrometheusSnapshotSource } from './collector.js';
import { telemetryConfig, type TelemetryConfig } from './config.js';
import { PrometheusApi } from './prometheus-api.js';
import type { RackOfNode, Snapshot } from './snapshot.js';

export * from './snapshot.js';
export { effectiveRackPowerW, type EffectiveRackPower, type FallbackPolicy } from './effective-power.js';
export { PrometheusApi, PrometheusError, parseSampleValue, type InstantSample, type RangeSeries, type PrometheusApiOptions } from './prometheus-api.js';
export { TelemetryConfigSchema, telemetryConfig, renderQuery, type TelemetryConfig } from './config.js';
export { PrometheusSnapshotSource, type CollectorOptions } from './collector.js';
export { StaticSnapshotSource, loadStaticSnapshotSource } from './static-source.js';
export { WorkloadPowerProfiles, workloadOfPod, type WorkloadProfile, type ProfileOptions } from './profiles.js';
export { rackPowerHistory, rangeReadings, type RackPowerHistory, type HistoryWindow, type PowerPoint, type RangeApi } from './history.js';
export { readAll, type QueryApi } from './read-all.js';
export { generationsFromDetection, type KeplerGeneration } from './kepler.js';

export interface PrometheusSnapshotSourceOptions {
  /** Prometheus base URL (the extender's `--prometheus URL`). */
  readonly prometheusUrl: string;
  /** Node → rack; bind rack-model's `rackOfNode(topology, name, labels)` (re-bind on topology change). */
  readonly rackOfNode: RackOfNode;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Everything else of TelemetryConfig (queries, intervals, staleness), validated with defaults. */
  readonly config?: Omit<Partial<TelemetryConfig>, 'prometheusUrl'> & Record<string, unknown>;
  readonly registry?: Registry;
  readonly onSnapshot?: (snapshot: Snapshot) => void;
  /** Injected for tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

/**
 * The live source: validates the config (CLIMATIK_CONFIG_INVALID naming each bad field), builds the
 * HTTP client and the collector. Call `start()`; read `current()`; `stop()` on shutdown.
 */
export function createPrometheusSnapshotSource(opts: PrometheusSnapshotSourceOptions): PrometheusSnapshotSource {
  const config = telemetryConfig({ ...opts.config, prometheusUrl: opts.prometheusUrl }, 'telemetry');
  const api = new PrometheusApi({ baseUrl: config.prometheusUrl, timeoutMs: config.requestTimeoutMs, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
  return new PrometheusSnapshotSource({
    api,
    config,
    rackOfNode: opts.rackOfNode,
    clock: opts.clock,
    logger: opts.logger,
    ...(opts.registry ? { registry: opts.registry } : {}),
    ...(opts.onSnapshot ? { onSnapshot: opts.onSnapshot } : {}),
  });
}
