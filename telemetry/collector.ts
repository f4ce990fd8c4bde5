// The background collector: refreshes on an interval (never two refreshes at once), builds an
// immutable Snapshot and swaps it in. Readers call `current()` and never wait on the network. When
// Prometheus fails, the last snapshot is kept, its values age into staleness, and the error is
// listed in the snapshot's problems, logged and counted; nothing is thrown at readers.
import { performance } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import { isClimatikError, type Clock, type Logger } from '../common/index.js';
import type { TelemetryConfig } from './config.js';
import { createTelemetryMetrics, type TelemetryMetrics } from './metrics.js';
import { readAll, type QueryApi } from './read-all.js';
import { carryComponents } from './carry.js';
import { emptyReadings, type Readings } from './readings.js';
import { buildSnapshot, type RackOfNode, type Snapshot, type SnapshotSource } from './snapshot.js';

export interface CollectorOptions {
  readonly api: QueryApi;
  readonly config: TelemetryConfig;
  readonly rackOfNode: RackOfNode;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Metrics are registered here when given. */
  readonly registry?: Registry;
  /** Called after each swap, e.g. to feed workload power profiles. Errors are logged, not thrown. */
  readonly onSnapshot?: (snapshot: Snapshot) => void;
}

export class PrometheusSnapshotSource implements SnapshotSource {
  private snapshot: Snapshot | undefined;
  /** Component readings behind the snapshot, for component-level carry-forward. */
  private lastReadings: Readings | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<Snapshot> | undefined;
  private running = false;
  private readonly metrics: TelemetryMetrics | undefined;

  constructor(private readonly opts: CollectorOptions) {
    this.metrics = opts.registry === undefined ? undefined : createTelemetryMetrics(opts.registry, opts.clock, () => this.snapshot);
  }

  current(): Snapshot | undefined {
    return this.snapshot;
  }

  /** Refreshes now, then every `refreshIntervalMs` after each refresh ends. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** One refresh; concurrent callers share it. Never rejects. */
  refresh(): Promise<Snapshot> {
    this.inFlight ??= this.doRefresh().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private loop(): void {
    void this.refresh().then(() => {
      if (this.running) this.timer = setTimeout(() => this.loop(), this.opts.config.refreshIntervalMs);
    });
  }

  private async doRefresh(): Promise<Snapshot> {
    const { api, config, clock, logger, rackOfNode } = this.opts;
    const policy = { maxAgeMs: config.maxAgeMs, forgetAfterMs: config.forgetAfterMs };
    const started = performance.now();
    const nowMs = clock.nowMs();
    let next: Snapshot;
    try {
      const readings = carryComponents(await readAll(api, config, nowMs), this.lastReadings, nowMs, policy);
      next = buildSnapshot({ readings, previous: this.snapshot, nowMs, rackOfNode, policy });
      this.lastReadings = readings;
      for (const [family, count] of readings.rejected) this.metrics?.rejected(family, count);
      this.metrics?.observe(next, performance.now() - started);
      logger.debug({ nodes: Object.keys(next.nodePowerW).length, problems: next.problems.length }, 'telemetry refreshed');
    } catch (err) {
      const code = isClimatikError(err) ? err.code : 'UNEXPECTED';
      const message = err instanceof Error ? err.message : String(err);
      this.metrics?.refreshError(code);
      logger.warn({ err, code }, 'telemetry refresh failed; keeping the last snapshot (values age into staleness)');
      next = this.degraded(`refresh failed (${code}): ${message}`);
      this.metrics?.observe(next, -1);
    }
    this.snapshot = next;
    try {
      this.opts.onSnapshot?.(next);
    } catch (err) {
      logger.warn({ err }, 'onSnapshot callback failed');
    }
    return next;
  }

  /** The previous values re-aged at now, or an empty snapshot, with the failure listed first. */
  private degraded(problem: string): Snapshot {
    const { config, clock, rackOfNode } = this.opts;
    const policy = { maxAgeMs: config.maxAgeMs, forgetAfterMs: config.forgetAfterMs };
    const input = { readings: emptyReadings(), previous: this.snapshot, nowMs: clock.nowMs(), policy, problems: [problem] };
    try {
      return buildSnapshot({ ...input, rackOfNode });
    } catch (err) {
      // A throwing rackOfNode must not take the readers down either.
      const why = err instanceof Error ? err.message : String(err);
      return buildSnapshot({ ...input, previous: undefined, rackOfNode: () => undefined, problems: [problem, `rack mapping failed: ${why}`] });
    }
  }
}
