// Offline mode: a power file (`{"rackPowerW": {"r1": 8200, ...}}`, the same file `climatik plan`
// reads, validated by rack-model's parser) as a SnapshotSource. The file is the truth for as long as
// the process runs, so every read is a fresh, non-stale sample stamped with the clock's now.
import { deepFreeze, readDocument, type Clock } from '../common/index.js';
import { parseRackPowerFile } from '../rack-model/index.js';
import type { RackPowerW, Topology } from '../rack-model/types.js';
import { emptySnapshot, type Sampled, type Snapshot, type SnapshotSource } from './snapshot.js';

export class StaticSnapshotSource implements SnapshotSource {
  constructor(
    private readonly rackPowerW: RackPowerW,
    private readonly clock: Clock,
    private readonly source = 'power file',
  ) {}

  current(): Snapshot {
    const nowMs = this.clock.nowMs();
    const racks: Record<string, Sampled> = {};
    for (const [id, value] of Object.entries(this.rackPowerW)) racks[id] = { value, sampleTimeMs: nowMs, stale: false, source: this.source };
    return deepFreeze(emptySnapshot(nowMs, { rackPowerW: racks }));
  }

  start(): void {}

  async stop(): Promise<void> {}
}

/** Reads and validates the power file against the topology (unknown racks, negative or non-finite watts are errors). */
export async function loadStaticSnapshotSource(file: string, topology: Topology, clock: Clock): Promise<StaticSnapshotSource> {
  return new StaticSnapshotSource(parseRackPowerFile(await readDocument(file), topology, file), clock, `power file ${file}`);
}
