// prom-client metrics for the collector: how old the telemetry is, how many series are stale,
// refresh errors and rejected samples. Registered on the registry the caller passes (no globals).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock } from '../common/index.js';
import type { Snapshot } from './snapshot.js';

export interface TelemetryMetrics {
  observe(snapshot: Snapshot, refreshMs: number): void;
  refreshError(code: string): void;
  rejected(family: string, count: number): void;
}

export function createTelemetryMetrics(registry: Registry, clock: Clock, current: () => Snapshot | undefined): TelemetryMetrics {
  const registers = [registry];
  new Gauge({
    name: 'climatik_telemetry_snapshot_age_seconds',
    help: 'Seconds since the oldest rack power sample in the current snapshot was taken',
    registers,
    collect() {
      const s = current();
      const times = s === undefined ? [] : Object.values(s.rackPowerW).map((v) => v.sampleTimeMs);
      this.set(times.length === 0 ? Number.NaN : (clock.nowMs() - Math.min(...times)) / 1000);
    },
  });
  const stale = new Gauge({ name: 'climatik_telemetry_stale_series', help: 'Stale values in the current snapshot, by kind', labelNames: ['kind'], registers });
  const series = new Gauge({ name: 'climatik_telemetry_series', help: 'Values in the current snapshot, by kind', labelNames: ['kind'], registers });
  const refresh = new Gauge({ name: 'climatik_telemetry_refresh_duration_seconds', help: 'Duration of the last successful refresh', registers });
  const problems = new Gauge({ name: 'climatik_telemetry_problems', help: 'Problems listed in the current snapshot', registers });
  const errors = new Counter({ name: 'climatik_telemetry_refresh_errors_total', help: 'Failed refreshes, by error code', labelNames: ['code'], registers });
  const rejected = new Counter({
    name: 'climatik_telemetry_rejected_samples_total',
    help: 'Samples rejected as NaN, infinite, negative or out of range, by family',
    labelNames: ['family'],
    registers,
  });
  return {
    observe(snapshot, refreshMs) {
      const kinds = { rack: snapshot.rackPowerW, node: snapshot.nodePowerW, pod: snapshot.podPowerW, inlet: snapshot.inletC, gpu: snapshot.gpuPowerW };
      for (const [kind, values] of Object.entries(kinds)) {
        const all = Object.values(values);
        series.set({ kind }, all.length);
        stale.set({ kind }, all.filter((v) => v.stale).length);
      }
      problems.set(snapshot.problems.length);
      if (refreshMs >= 0) refresh.set(refreshMs / 1000);
    },
    refreshError(code) {
      errors.inc({ code });
    },
    rejected(family, count) {
      rejected.inc({ family }, count);
    },
  };
}
