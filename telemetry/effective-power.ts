// What consumers (extender, capper, planner) use as rack power: the snapshot's value where it is
// fresh and complete, otherwise a conservative estimate (the rack's nameplate, or its budget), and
// the set of racks that were replaced, with the reason, so the replacement is visible.
import type { Topology, RackPowerW } from '../rack-model/types.js';
import { ageOf, type Snapshot } from './snapshot.js';

export interface FallbackPolicy {
  /** Values older than this (at `nowMs`) are replaced. */
  readonly maxAgeMs: number;
  /** The conservative estimate: nameplate (default) or the whole budget. */
  readonly fallback?: 'nameplate' | 'budget';
}

export interface EffectiveRackPower {
  readonly rackPowerW: RackPowerW;
  /** Racks whose power is the conservative estimate. */
  readonly replaced: ReadonlySet<string>;
  /** rack id → why it was replaced. */
  readonly reasons: Readonly<Record<string, string>>;
}

export function effectiveRackPowerW(
  snapshot: Snapshot | undefined,
  topology: Topology,
  nowMs: number,
  policy: FallbackPolicy,
): EffectiveRackPower {
  const power: Record<string, number> = {};
  const replaced = new Set<string>();
  const reasons: Record<string, string> = {};
  for (const rack of topology.racks) {
    const estimateW = policy.fallback === 'budget' ? rack.powerBudgetW : rack.nameplateW;
    const why = replacementReason(snapshot, rack.id, rack.nodes, nowMs, policy.maxAgeMs);
    const sample = snapshot?.rackPowerW[rack.id];
    if (why === undefined && sample !== undefined) {
      power[rack.id] = sample.value;
      continue;
    }
    // Never below what was last measured: a stale reading above nameplate still counts.
    power[rack.id] = Math.max(estimateW, sample?.value ?? 0);
    replaced.add(rack.id);
    reasons[rack.id] = why ?? 'no telemetry';
  }
  return { rackPowerW: Object.freeze(power), replaced, reasons: Object.freeze(reasons) };
}

function replacementReason(
  snapshot: Snapshot | undefined,
  rackId: string,
  listedNodes: readonly string[],
  nowMs: number,
  maxAgeMs: number,
): string | undefined {
  if (snapshot === undefined) return 'no telemetry snapshot yet';
  const sample = snapshot.rackPowerW[rackId];
  if (sample === undefined) return 'no telemetry for any of its nodes';
  const { ageMs, stale } = ageOf(sample, nowMs, maxAgeMs);
  if (stale) return `stale: oldest node sample is ${Math.round(ageMs / 1000)} s old (max ${Math.round(maxAgeMs / 1000)} s)`;
  // With an explicit node list, a listed node without power would make the sum an underestimate.
  const missing = listedNodes.filter((n) => snapshot.nodePowerW[n] === undefined);
  if (missing.length > 0) return `partial: no power for listed node(s) ${missing.slice(0, 5).join(', ')}`;
  return undefined;
}
