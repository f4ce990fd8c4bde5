// MinHR-style baseline (Moore et al., "Making Scheduling Cool", USENIX 2005; the greedy of Tang et
// al. 2008): each replica goes to the rack, among those where it fits, where its heat raises the
// peak inlet least, judged on the same telemetry Climatik sees (the rack model's D·P). Ties go to the
// rack whose exhaust recirculates least in total, then to the fullest node so other nodes stay idle.
// No budget filter and no capper: thermal awareness alone.
import { recirculationRiseC } from '../../rack-model/index.js';
import type { Topology } from '../../rack-model/types.js';
import type { SimNode } from '../cluster.js';
import type { Prng } from '../prng.js';
import { placementState } from './climatik.js';
import { selectHost } from './kube-scoring.js';
import { feasibleNodes, type PlacementPolicy } from './types.js';

/** Inlet rise a rack's exhaust causes across the room per kW: the column sum of D. */
export function heatRecirculationFactors(topology: Topology): number[] {
  return topology.racks.map((_, j) => topology.recirculationCPerKW.reduce((sum, row) => sum + (row[j] ?? 0), 0));
}

export function minHrPolicy(topology: Topology, prng: Prng): PlacementPolicy {
  const hrf = heatRecirculationFactors(topology);
  const D = topology.recirculationCPerKW;
  return {
    name: 'min-hr',
    place(view, request) {
      const nodes = feasibleNodes(view.cluster, request);
      if (nodes.length === 0) return undefined;
      const riseC = recirculationRiseC(view.topology, placementState(view.topology, view.telemetry, undefined).rackPowerW);
      const podKW = request.expectedPowerW / 1000;
      const peakIfPlacedC = new Map<number, number>();
      for (const n of nodes) {
        if (peakIfPlacedC.has(n.rackIndex)) continue;
        peakIfPlacedC.set(n.rackIndex, Math.max(...riseC.map((r, i) => r + (D[i]?.[n.rackIndex] ?? 0) * podKW)));
      }
      // Lexicographic: peak inlet (0.001 °C), then HRF, then fullest node.
      const score = (n: SimNode): number =>
        -Math.round((peakIfPlacedC.get(n.rackIndex) ?? 0) * 1000) * 1e6 - Math.round((hrf[n.rackIndex] ?? 0) * 1e3) * 100 + n.gpusUsed;
      return selectHost(nodes, score, prng);
    },
  };
}
