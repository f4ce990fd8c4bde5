// The room's air: inlet temperatures from the rack model's recirculation matrix (T_in = T_sup + D·P),
// a first-order lag because the room takes minutes to settle (the air and the racks' thermal mass),
// and a CRAC that raises its supply temperature as far as the hottest inlet allows. Cooling power
// comes from the rack model's CoP curve at that supply temperature.
import { coolingPowerW, recirculationRiseC } from '../rack-model/index.js';
import type { RackPowerW, Topology } from '../rack-model/types.js';

export interface RoomSpec {
  /** Time constant of the inlet response, s (0 = instant). ~4 time constants to settle. */
  readonly timeConstantS: number;
  /** The CRAC keeps the hottest inlet this far below the red line, °C. */
  readonly controlMarginC: number;
}

export interface RoomState {
  /** Recirculated rise per rack index (lagged), °C. */
  readonly riseC: readonly number[];
  /** Supply temperature the CRAC runs at, °C: never below the topology's design supply (its coldest). */
  readonly supplyC: number;
  /** Inlet per rack index at that supply, °C. */
  readonly inletC: readonly number[];
  /** Hottest inlet had the CRAC run at the design supply, °C: the measure of how hot the placement runs. */
  readonly peakInletAtDesignC: number;
  /** Even the coldest supply cannot hold the hottest inlet at the red line. */
  readonly redlineExceeded: boolean;
  readonly coolingPowerW: number;
}

export class Room {
  private riseC: number[] | undefined;

  constructor(
    private readonly topology: Topology,
    private readonly spec: RoomSpec,
  ) {}

  /** Advances the air by `dtS` under rack powers `rackPowerW` (held over the step). */
  step(rackPowerW: RackPowerW, itPowerW: number, dtS: number): RoomState {
    const target = recirculationRiseC(this.topology, rackPowerW);
    if (this.riseC === undefined || this.spec.timeConstantS <= 0) {
      // First step: the room starts settled at the initial load.
      this.riseC = target;
    } else {
      const a = 1 - Math.exp(-dtS / this.spec.timeConstantS);
      this.riseC = this.riseC.map((r, i) => r + a * ((target[i] ?? 0) - r));
    }
    const peakRiseC = Math.max(...this.riseC);
    const { supplyTemperatureC: designC, redlineInletC } = this.topology;
    const supplyC = Math.max(designC, redlineInletC - this.spec.controlMarginC - peakRiseC);
    return {
      riseC: this.riseC,
      supplyC,
      inletC: this.riseC.map((r) => supplyC + r),
      peakInletAtDesignC: designC + peakRiseC,
      redlineExceeded: designC + peakRiseC > redlineInletC,
      coolingPowerW: coolingPowerW(itPowerW, supplyC),
    };
  }
}
