// Thermal and cooling model. Inlet temperatures follow the abstract heat-flow model of Tang, Gupta
// and Varsamopoulos (IEEE TPDS 2008): T_in = T_sup + D·P, P in kW. Cooling power uses the HP Labs
// CRAC coefficient of performance (Moore et al., USENIX 2005): CoP(T) = 0.0068 T² + 0.0008 T + 0.458.
import { wattsToKilowatts, type Celsius, type Watts } from '../common/index.js';
import type { RackPowerW, ThermalSummary, Topology } from './types.js';

/** Rack powers as a vector in rack index order; racks absent from the map count as 0 W. */
export function powerVectorW(topology: Topology, rackPowerW: RackPowerW): number[] {
  return topology.racks.map((r) => rackPowerW[r.id] ?? 0);
}

/** (D·P)_i in °C for a power vector in W. */
export function riseFromVectorC(matrixCPerKW: readonly (readonly number[])[], powerW: readonly number[]): number[] {
  return matrixCPerKW.map((row) => row.reduce((sum, d, j) => sum + d * wattsToKilowatts(powerW[j] ?? 0), 0));
}

/** Inlet temperature rise from recirculated exhaust, D·P, per rack index (°C). */
export function recirculationRiseC(topology: Topology, rackPowerW: RackPowerW): number[] {
  return riseFromVectorC(topology.recirculationCPerKW, powerVectorW(topology, rackPowerW));
}

/** T_sup + D·P per rack index (°C). */
export function inletTemperaturesC(topology: Topology, rackPowerW: RackPowerW): number[] {
  return recirculationRiseC(topology, rackPowerW).map((rise) => topology.supplyTemperatureC + rise);
}

/** CRAC coefficient of performance at supply temperature T (°C): heat removed per unit of work. */
export function coefficientOfPerformance(supplyC: Celsius): number {
  return 0.0068 * supplyC * supplyC + 0.0008 * supplyC + 0.458;
}

/** CRAC power needed to remove `itPowerW` of heat at the given supply temperature. */
export function coolingPowerW(itPowerW: Watts, supplyC: Celsius): Watts {
  return itPowerW / coefficientOfPerformance(supplyC);
}

export interface ThermalDetail extends ThermalSummary {
  /** Per rack index, °C. */
  readonly inletC: readonly number[];
  readonly riseC: readonly number[];
  /** Rack whose inlet is hottest (first one on ties). */
  readonly hottestRackId: string;
  readonly itPowerW: Watts;
  /** CRAC power at the configured supply temperature, for comparison with `coolingPowerW`. */
  readonly coolingPowerAtSupplyW: Watts;
}

export function thermalDetailFromVector(topology: Topology, powerW: readonly number[]): ThermalDetail {
  const riseC = riseFromVectorC(topology.recirculationCPerKW, powerW);
  let hottest = 0;
  riseC.forEach((r, i) => {
    if (r > (riseC[hottest] ?? Number.NEGATIVE_INFINITY)) hottest = i;
  });
  const peakRiseC = riseC[hottest] ?? 0;
  const itPowerW = powerW.reduce((a, b) => a + b, 0);
  // Recirculation forces the supply down: the hottest inlet must stay at or below the red line.
  const maxSupplyTemperatureC = topology.redlineInletC - peakRiseC;
  return {
    peakInletC: topology.supplyTemperatureC + peakRiseC,
    maxSupplyTemperatureC,
    coolingPowerW: coolingPowerW(itPowerW, maxSupplyTemperatureC),
    inletC: riseC.map((r) => topology.supplyTemperatureC + r),
    riseC,
    hottestRackId: topology.racks[hottest]?.id ?? '',
    itPowerW,
    coolingPowerAtSupplyW: coolingPowerW(itPowerW, topology.supplyTemperatureC),
  };
}

export function thermalDetail(topology: Topology, rackPowerW: RackPowerW): ThermalDetail {
  return thermalDetailFromVector(topology, powerVectorW(topology, rackPowerW));
}

/** Peak inlet at the configured supply, highest usable supply temperature, cooling power there. */
export function thermalSummary(topology: Topology, rackPowerW: RackPowerW): ThermalSummary {
  const d = thermalDetail(topology, rackPowerW);
  return { peakInletC: d.peakInletC, maxSupplyTemperatureC: d.maxSupplyTemperatureC, coolingPowerW: d.coolingPowerW };
}
