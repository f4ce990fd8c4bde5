// Baseline policies the product is measured against: kube-scheduler's default spread, bin packing
// and seeded random (MinHR lives in min-hr.ts).
import type { Prng } from '../prng.js';
import { defaultPluginScore, selectHost, type FitStrategy } from './kube-scoring.js';
import { feasibleNodes, type PlacementPolicy } from './types.js';

export function kubeDefaultPolicy(name: string, strategy: FitStrategy, prng: Prng): PlacementPolicy {
  return {
    name,
    place(view, request) {
      return selectHost(feasibleNodes(view.cluster, request), (n) => defaultPluginScore(n, request.pod, strategy), prng);
    },
  };
}

export function randomPolicy(prng: Prng): PlacementPolicy {
  return {
    name: 'random',
    place(view, request) {
      const nodes = feasibleNodes(view.cluster, request);
      return nodes.length === 0 ? undefined : nodes[prng.int(nodes.length)];
    },
  };
}
