// The seam between the extender and whatever knows rack power now: telemetry's SnapshotSource
// (Prometheus in cluster mode, StaticSnapshotSource from a power file offline, the simulator's
// physics). This file only adapts telemetry's fallback rule to what the placement state needs.
import { effectiveRackPowerW, type Snapshot, type SnapshotSource } from '../telemetry/index.js';
import type { Topology } from '../rack-model/types.js';

export type PowerSource = SnapshotSource;

export interface EffectivePower {
  readonly rackPowerW: Readonly<Record<string, number>>;
  /** Sample time per rack with a usable sample; absent for racks on the fallback estimate. */
  readonly sampleTimeMs: Readonly<Record<string, number>>;
  /** Racks whose power is the conservative fallback (nameplate) because the sample is stale or missing. */
  readonly staleRacks: ReadonlySet<string>;
  /** Why each stale rack was replaced, in telemetry's words. */
  readonly staleReasons: Readonly<Record<string, string>>;
}

/** telemetry's `effectiveRackPowerW` (stale or missing racks at their nameplate) plus per-rack sample times. */
export function effectivePower(snapshot: Snapshot | undefined, topology: Topology, nowMs: number, staleAfterMs: number): EffectivePower {
  // telemetry treats a listed node without node power as a partial (under-counted) rack sum. A
  // rack-level source (the offline power file) reports no node power at all, so for it that rule
  // would turn every listed rack into a fallback: check racks only against their own samples.
  const rackLevel = snapshot !== undefined && Object.keys(snapshot.nodePowerW).length === 0;
  const checked = rackLevel ? { ...topology, racks: topology.racks.map((r) => ({ ...r, nodes: [] })) } : topology;
  const eff = effectiveRackPowerW(snapshot, checked, nowMs, { maxAgeMs: staleAfterMs });
  const sampleTimeMs: Record<string, number> = {};
  for (const rack of topology.racks) {
    const s = snapshot?.rackPowerW[rack.id];
    if (s !== undefined && !eff.replaced.has(rack.id)) sampleTimeMs[rack.id] = s.sampleTimeMs;
  }
  return { rackPowerW: eff.rackPowerW, sampleTimeMs, staleRacks: eff.replaced, staleReasons: eff.reasons };
}
