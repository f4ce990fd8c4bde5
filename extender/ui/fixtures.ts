// Test fixtures for the status page: a snapshot source with rack power and inlet temperatures, and a
// topology with two rows whose list order differs from the row/position order.
import type { Clock } from '../../common/index.js';
import { emptySnapshot, type Sampled, type Snapshot, type SnapshotSource } from '../../telemetry/index.js';
import type { Topology } from '../../rack-model/types.js';
import { topologyFrom } from '../testing/fixtures.js';

export interface RackReading {
  readonly powerW: number;
  readonly inletC?: number;
}

/** Every reading sampled `ageMs` before the clock's now (0 = fresh). */
export function readingsSource(readings: Readonly<Record<string, RackReading>>, clock: Clock, ageMs = 0): SnapshotSource {
  return {
    current(): Snapshot {
      const t = clock.nowMs() - ageMs;
      const sample = (value: number): Sampled => ({ value, sampleTimeMs: t, stale: false, source: 'fixture' });
      const rackPowerW: Record<string, Sampled> = {};
      const inletC: Record<string, Sampled> = {};
      for (const [id, r] of Object.entries(readings)) {
        rackPowerW[id] = sample(r.powerW);
        if (r.inletC !== undefined) inletC[id] = sample(r.inletC);
      }
      return emptySnapshot(t, { rackPowerW, inletC });
    },
    start() {},
    async stop() {},
  };
}

/** Rows A and B; listed B-1, A-2, A-1, B-0 so ordering by row/position is visible. */
export function twoRowTopology(): Topology {
  return topologyFrom({
    apiVersion: 'climatik.io/v1alpha1',
    kind: 'RackTopology',
    supplyTemperatureC: 18,
    redlineInletC: 27,
    heatRecirculation: { generated: { model: 'row-layout' } },
    racks: [
      { id: 'b2', row: 'B', position: 1, powerBudgetW: 12000, nameplateW: 14000, nodes: ['gpu-b2'] },
      { id: 'a3', row: 'A', position: 2, powerBudgetW: 10000, nameplateW: 12000, nodes: ['gpu-a3'] },
      { id: 'a2', row: 'A', position: 1, powerBudgetW: 10000, nameplateW: 12000, nodes: ['gpu-a2a', 'gpu-a2b'] },
      { id: 'b1', row: 'B', position: 0, powerBudgetW: 12000, nameplateW: 14000, nodes: ['gpu-b1'] },
    ],
  });
}
