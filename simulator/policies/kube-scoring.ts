// kube-scheduler's default scoring, as far as it decides GPU pod placement: NodeResourcesFit
// (LeastAllocated by default, MostAllocated for bin packing) and NodeResourcesBalancedAllocation,
// both weight 1 over cpu and memory (the default scored resources), integer 0..100 each. The winner
// is drawn at random among the top scores, as selectHost does.
// Upstream: pkg/scheduler/framework/plugins/noderesources/{least_allocated,most_allocated,balanced_allocation}.go
import type { PodRequest, SimNode } from '../cluster.js';
import type { Prng } from '../prng.js';

export type FitStrategy = 'LeastAllocated' | 'MostAllocated';

const MAX_NODE_SCORE = 100;

function fractions(node: SimNode, pod: PodRequest): [number, number] {
  return [(node.cpuUsed + pod.cpuMillicores) / node.hw.cpuMillicores, (node.memoryUsed + pod.memoryMiB) / node.hw.memoryMiB];
}

export function fitScore(node: SimNode, pod: PodRequest, strategy: FitStrategy): number {
  const requested: [number, number] = [node.cpuUsed + pod.cpuMillicores, node.memoryUsed + pod.memoryMiB];
  const capacity: [number, number] = [node.hw.cpuMillicores, node.hw.memoryMiB];
  let sum = 0;
  for (let i = 0; i < 2; i += 1) {
    const cap = capacity[i] as number;
    const req = Math.min(requested[i] as number, cap);
    const s = strategy === 'LeastAllocated' ? ((cap - req) * MAX_NODE_SCORE) / cap : (req * MAX_NODE_SCORE) / cap;
    sum += Math.floor(s);
  }
  return Math.floor(sum / 2);
}

export function balancedScore(node: SimNode, pod: PodRequest): number {
  const [cpu, mem] = fractions(node, pod).map((f) => Math.min(1, f)) as [number, number];
  // Two resources: the standard deviation is half the difference.
  const std = Math.abs(cpu - mem) / 2;
  return Math.floor((1 - std) * MAX_NODE_SCORE);
}

export function defaultPluginScore(node: SimNode, pod: PodRequest, strategy: FitStrategy): number {
  return fitScore(node, pod, strategy) + balancedScore(node, pod);
}

/** selectHost: the highest total, ties broken uniformly at random (reservoir sampling). */
export function selectHost<T>(items: readonly T[], score: (item: T) => number, prng: Prng): T | undefined {
  let best: T | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  let ties = 0;
  for (const item of items) {
    const s = score(item);
    if (s > bestScore) {
      best = item;
      bestScore = s;
      ties = 1;
    } else if (s === bestScore) {
      ties += 1;
      if (prng.int(ties) === 0) best = item;
    }
  }
  return best;
}
