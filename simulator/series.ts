// Downsamples the per-step state into report series: one point per sample interval, powers and
// throughput averaged over the interval, inlet and supply temperatures taken at its end. A last,
// shorter interval is closed by `result()` so the series covers the whole run.
import type { PolicySeries } from './results.js';
import type { RoomState } from './room.js';

export class SeriesRecorder {
  private readonly out: PolicySeries = { timeS: [], rackInletC: [], rackPowerW: [], coolingW: [], itW: [], supplyC: [], tokensPerS: [] };
  private readonly powerSum: Float64Array;
  private coolingSum = 0;
  private itSum = 0;
  private tokens = 0;
  private spanS = 0;
  private lastEndS = 0;
  private lastAir: RoomState | undefined;

  constructor(
    private readonly racks: number,
    private readonly intervalS: number,
  ) {
    this.powerSum = new Float64Array(racks);
  }

  add(t: number, dt: number, air: RoomState, rackW: Float64Array, itW: number, tokens: number): void {
    for (let i = 0; i < this.racks; i += 1) this.powerSum[i] = (this.powerSum[i] as number) + (rackW[i] as number) * dt;
    this.coolingSum += air.coolingPowerW * dt;
    this.itSum += itW * dt;
    this.tokens += tokens;
    this.spanS += dt;
    this.lastEndS = t + dt;
    this.lastAir = air;
    if (this.spanS + 1e-9 >= this.intervalS) this.emit();
  }

  result(): PolicySeries {
    if (this.spanS > 1e-9) this.emit();
    return this.out;
  }

  private emit(): void {
    const air = this.lastAir;
    if (air === undefined) return;
    const s = this.spanS;
    const peakRiseC = Math.max(...air.riseC);
    const designSupplyC = air.peakInletAtDesignC - peakRiseC;
    this.out.timeS.push(this.lastEndS);
    this.out.rackInletC.push(air.riseC.map((r) => designSupplyC + r));
    this.out.rackPowerW.push(Array.from(this.powerSum, (w) => w / s));
    this.out.coolingW.push(this.coolingSum / s);
    this.out.itW.push(this.itSum / s);
    this.out.supplyC.push(air.supplyC);
    this.out.tokensPerS.push(this.tokens / s);
    this.powerSum.fill(0);
    this.coolingSum = 0;
    this.itSum = 0;
    this.tokens = 0;
    this.spanS = 0;
  }
}
