// Measures, step by step, what the counterfactual report compares: the racks the capping policy
// guards, against the caps the capper itself computes (its `guardedRacks` and `capW`, so a rack list
// or a capWatts in the policy means here exactly what it means to `decide`).
import { capW, guardedRacks } from '../capper/decisions/index.js';
import type { ResolvedPolicy } from '../capper/policy-validate.js';
import type { CounterfactualSide } from '../capper/counterfactual/types.js';
import { energyKWh } from '../common/index.js';
import type { Topology } from '../rack-model/types.js';

export class CapMeter {
  /** Topology indices of the guarded racks, and each one's cap, W. */
  private readonly indices: number[] = [];
  private readonly capsW: number[] = [];
  private energyKWh = 0;
  private breachS = 0;
  private peakW = 0;
  private spanS = 0;

  constructor(policy: ResolvedPolicy, topology: Topology) {
    for (const rack of guardedRacks(policy, topology).racks) {
      const index = topology.rackIndex.get(rack.id);
      if (index === undefined) continue;
      this.indices.push(index);
      this.capsW.push(capW(policy, rack));
    }
  }

  get guardedRackCount(): number {
    return this.indices.length;
  }

  /** One step of `dtS` seconds with rack powers by topology index, W. */
  add(rackW: Float64Array, dtS: number): void {
    let sumW = 0;
    let over = false;
    for (let k = 0; k < this.indices.length; k += 1) {
      const w = rackW[this.indices[k] as number] as number;
      sumW += w;
      if (w > this.peakW) this.peakW = w;
      if (w > (this.capsW[k] as number)) over = true;
    }
    this.energyKWh += energyKWh(sumW, dtS * 1000);
    if (over) this.breachS += dtS;
    this.spanS += dtS;
  }

  /** The side's figures; `servedPercent` comes from the whole run (tokens are not per rack). */
  side(servedPercent: number): CounterfactualSide {
    return {
      meanPowerW: round(this.spanS > 0 ? (this.energyKWh * 3.6e6) / this.spanS : 0, 1),
      peakPowerW: round(this.peakW, 1),
      capBreachSeconds: round(this.breachS, 3),
      servedPercent: round(servedPercent, 3),
      energyKWh: round(this.energyKWh, 3),
    };
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
