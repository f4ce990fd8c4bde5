// Shared pieces for tests that run the collector against the real Prometheus: a small topology,
// a telemetry config tuned for a 1 s scrape interval, and an "eventually" helper that refreshes the
// collector until the snapshot matches (Prometheus needs a few scrapes before rate() settles).
import { setTimeout as sleep } from 'node:timers/promises';
import { parseTopology, rackOfNode } from '../../rack-model/index.js';
import type { Topology } from '../../rack-model/types.js';
import { telemetryConfig, type TelemetryConfig } from '../../telemetry/config.js';
import type { Snapshot } from '../../telemetry/snapshot.js';

export function testTopology(racks: { id: string; nodes: string[]; nameplateW?: number; powerBudgetW?: number }[]): Topology {
  const n = racks.length;
  return parseTopology(
    {
      apiVersion: 'climatik.io/v1alpha1',
      kind: 'RackTopology',
      supplyTemperatureC: 20,
      redlineInletC: 32,
      racks: racks.map((r) => ({ id: r.id, powerBudgetW: r.powerBudgetW ?? 20_000, nameplateW: r.nameplateW ?? 15_000, nodes: r.nodes })),
      heatRecirculation: { matrixCPerKW: Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0.2 : 0.05))) },
    },
    'test topology',
  );
}

export function rackLookup(topology: Topology): (nodeName: string) => string | undefined {
  return (nodeName) => rackOfNode(topology, nodeName);
}

export function liveConfig(prometheusUrl: string, extra: Record<string, unknown> = {}): Readonly<TelemetryConfig> {
  return telemetryConfig({ prometheusUrl, rateWindow: '5s', maxAgeMs: 3000, forgetAfterMs: 60_000, requestTimeoutMs: 2000, ...extra }, 'test');
}

/** Refreshes until `accept(snapshot)` or the timeout; returns the last snapshot either way (the test asserts on it). */
export async function refreshUntil(
  refresh: () => Promise<Snapshot>,
  accept: (s: Snapshot) => boolean,
  timeoutMs = 25_000,
): Promise<Snapshot> {
  const deadline = Date.now() + timeoutMs;
  let last = await refresh();
  while (!accept(last) && Date.now() < deadline) {
    await sleep(250);
    last = await refresh();
  }
  return last;
}

export function near(actual: number | undefined, expected: number, relTolerance: number): boolean {
  return actual !== undefined && Math.abs(actual - expected) <= Math.abs(expected) * relTolerance;
}
