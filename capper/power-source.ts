// Where the capper gets rack power: live from Prometheus through telemetry/ (snapshot refreshed in
// the background, history with query_range), or from a power file re-read every tick (offline mode
// and tests: rewrite the file to push a rack over its cap). Both give the decisions plain data.
import { readFile } from 'node:fs/promises';
import { ClimatikError, parseDocument, type Clock, type Logger } from '../common/index.js';
import { parseRackPowerFile } from '../rack-model/index.js';
import type { Topology } from '../rack-model/types.js';
import {
  createPrometheusSnapshotSource,
  PrometheusApi,
  rackPowerHistory,
  telemetryConfig,
  type PrometheusSnapshotSource,
} from '../telemetry/index.js';
import type { PowerSample, PowerSnapshot, RackHistory } from './decisions/types.js';

export interface CapperPowerSource {
  snapshot(): Promise<PowerSnapshot | undefined>;
  history(windowMs: number): Promise<RackHistory>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Reads `{"rackPowerW": {...}, "podPowerW"?: {...}}` on every call; a read or validation failure
 * means no snapshot (the capper then holds every cap). History is what this process has read so far.
 */
export class FilePowerSource implements CapperPowerSource {
  private readonly samples = new Map<string, PowerSample[]>();

  constructor(
    private readonly file: string,
    private readonly topology: () => Topology,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly maxSamples = 2000,
  ) {}

  async snapshot(): Promise<PowerSnapshot | undefined> {
    const nowMs = this.clock.nowMs();
    let doc: unknown;
    try {
      doc = parseDocument(await readFile(this.file, 'utf8'), this.file);
    } catch (err) {
      this.logger.warn({ file: this.file, err: err instanceof Error ? err.message : String(err) }, 'power file unreadable');
      return undefined;
    }
    const podPowerW = isRecord(doc) && isRecord(doc.podPowerW) ? doc.podPowerW : {};
    const rackDoc = isRecord(doc) ? { rackPowerW: doc.rackPowerW } : doc;
    let rackPowerW: Readonly<Record<string, number>>;
    try {
      rackPowerW = parseRackPowerFile(rackDoc, this.topology(), this.file);
    } catch (err) {
      this.logger.warn({ file: this.file, err: err instanceof ClimatikError ? err.describe() : String(err) }, 'power file invalid');
      return undefined;
    }
    const sample = (value: number) => ({ value, sampleTimeMs: nowMs, stale: false });
    for (const [rack, powerW] of Object.entries(rackPowerW)) {
      const list = this.samples.get(rack) ?? [];
      list.push({ timeMs: nowMs, powerW });
      if (list.length > this.maxSamples) list.shift();
      this.samples.set(rack, list);
    }
    return {
      takenAtMs: nowMs,
      rackPowerW: Object.fromEntries(Object.entries(rackPowerW).map(([k, v]) => [k, sample(v)])),
      podPowerW: Object.fromEntries(Object.entries(podPowerW).filter(([, v]) => typeof v === 'number').map(([k, v]) => [k, sample(v as number)])),
    };
  }

  async history(windowMs: number): Promise<RackHistory> {
    const from = this.clock.nowMs() - windowMs;
    return Object.fromEntries([...this.samples].map(([rack, list]) => [rack, list.filter((s) => s.timeMs >= from)]));
  }

  start(): void {}

  async stop(): Promise<void> {}
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Prometheus' limit on points per series in one query_range (web/api/v1), with room for rounding. */
const MAX_RANGE_POINTS = 10_000;

export interface PrometheusPowerOptions {
  /** query_range step of the forecast history (default 1 min). */
  readonly historyStepMs?: number;
  /** How often the snapshot is re-queried (telemetry's default, 15 s, when absent). */
  readonly refreshIntervalMs?: number;
}

/** Live telemetry: the collector's snapshot, and query_range history at `historyStepMs`. */
export class PrometheusPowerSource implements CapperPowerSource {
  private readonly source: PrometheusSnapshotSource;
  private readonly api: PrometheusApi;
  private readonly config: ReturnType<typeof telemetryConfig>;
  private readonly historyStepMs: number;

  /** `rackOfNode` is called on every refresh, so a reloaded topology takes effect at the next one. */
  constructor(
    prometheusUrl: string,
    private readonly rackOfNode: (node: string) => string | undefined,
    private readonly clock: Clock,
    logger: Logger,
    opts: PrometheusPowerOptions = {},
  ) {
    const tuning = opts.refreshIntervalMs === undefined ? {} : { refreshIntervalMs: opts.refreshIntervalMs };
    this.config = telemetryConfig({ prometheusUrl, ...tuning }, 'capper telemetry');
    this.historyStepMs = opts.historyStepMs ?? 60_000;
    this.api = new PrometheusApi({ baseUrl: this.config.prometheusUrl, timeoutMs: this.config.requestTimeoutMs });
    this.source = createPrometheusSnapshotSource({ prometheusUrl, rackOfNode, clock, logger, config: tuning });
  }

  async snapshot(): Promise<PowerSnapshot | undefined> {
    return this.source.current();
  }

  async history(windowMs: number): Promise<RackHistory> {
    const endMs = this.clock.nowMs();
    // Prometheus refuses a query_range of more than 11,000 points per series: widen the step to fit.
    const stepMs = Math.max(this.historyStepMs, Math.ceil(windowMs / MAX_RANGE_POINTS / 1000) * 1000);
    const h = await rackPowerHistory(this.api, this.config, this.rackOfNode, { startMs: endMs - windowMs, endMs, stepMs });
    return h.racks;
  }

  start(): void {
    this.source.start();
  }

  async stop(): Promise<void> {
    await this.source.stop();
  }
}
