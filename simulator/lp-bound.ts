// The physical limit to read the policies against: at every telemetry sample, take the reference
// run's total IT power, keep every rack's idle floor where it is (idle nodes cannot move), and let
// the rack model's LP planner place the rest fractionally to minimise the peak inlet rise within the
// budgets. The same room model then gives inlets, supply and cooling. No placement can beat this
// fractional optimum at the same IT power (the lag aside), so its peak inlet is a lower bound.
import { lpPlanner } from '../rack-model/index.js';
import { energyKWh } from '../common/index.js';
import { buildCluster, gpuSpecOf, idleRackPowerW, round } from './engine.js';
import type { PolicyRun } from './results.js';
import { Room } from './room.js';
import type { ResolvedScenario } from './scenario.js';
import { SeriesRecorder } from './series.js';

export function runLpBound(scenario: ResolvedScenario, reference: PolicyRun): PolicyRun {
  const { topology, doc } = scenario;
  const floorW = idleRackPowerW(buildCluster(scenario), gpuSpecOf(scenario));
  const floorTotalW = Object.values(floorW).reduce((a, b) => a + b, 0);
  const room = new Room(topology, doc.room);
  const series = new SeriesRecorder(topology.racks.length, doc.sampleIntervalS);
  const rackW = new Float64Array(topology.racks.length);
  let cooling = 0;
  let it = 0;
  let peak = Number.NEGATIVE_INFINITY;
  let redlineS = 0;
  let budgetS = 0;
  let infeasible = 0;
  let supplySum = 0;
  let previousS = 0;
  reference.sampleTimesS.forEach((timeS, k) => {
    const dt = timeS - previousS;
    previousS = timeS;
    const totalW = reference.itPowerAtSampleW[k] ?? floorTotalW;
    const plan = lpPlanner.plan({ topology, rackPowerW: floorW, demandW: Math.max(0, totalW - floorTotalW) });
    const rackPowerW: Record<string, number> = {};
    topology.racks.forEach((rack, i) => {
      // Infeasible (more power than the budgets allow): spread the excess in proportion to budget.
      const extraW = plan.feasible ? (plan.allocationW[rack.id] ?? 0) : ((totalW - floorTotalW) * rack.powerBudgetW) / totalBudgetW(scenario);
      const w = (floorW[rack.id] ?? 0) + extraW;
      rackPowerW[rack.id] = w;
      rackW[i] = w;
    });
    if (!plan.feasible) {
      infeasible += 1;
      budgetS += dt;
    }
    const air = room.step(rackPowerW, totalW, dt);
    it += energyKWh(totalW, dt * 1000);
    cooling += energyKWh(air.coolingPowerW, dt * 1000);
    peak = Math.max(peak, air.peakInletAtDesignC);
    if (air.redlineExceeded) redlineS += dt;
    supplySum += air.supplyC * dt;
    series.add(timeS - dt, dt, air, rackW, totalW, 0);
  });
  const durationS = Math.max(previousS, 1e-9);
  return {
    name: 'lp-bound',
    metrics: {
      ...reference.metrics,
      peakInletC: round(peak, 3),
      coolingEnergyKWh: round(cooling, 3),
      itEnergyKWh: round(it, 3),
      budgetViolationSeconds: round(budgetS, 3),
      redlineViolationSeconds: round(redlineS, 3),
    },
    extras: {
      ...reference.extras,
      meanSupplyC: round(supplySum / durationS, 3),
      meanItPowerW: round((it * 3.6e6) / durationS, 1),
      placementRejections: 0,
      gpuLimitChanges: 0,
      replicaCeilingChanges: 0,
      worstBudgetExcessW: 0,
      note: `fractional LP optimum at ${reference.name}'s IT power, every ${doc.telemetry.scrapeIntervalS} s; tokens and latency are ${reference.name}'s${infeasible > 0 ? `; ${infeasible} samples over total budget` : ''}`,
    },
    series: { ...series.result(), tokensPerS: reference.series.tokensPerS },
    itPowerAtSampleW: reference.itPowerAtSampleW,
    sampleTimesS: reference.sampleTimesS,
  };
}

function totalBudgetW(scenario: ResolvedScenario): number {
  return scenario.topology.racks.reduce((s, r) => s + r.powerBudgetW, 0);
}
