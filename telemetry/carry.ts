// Component-level carry-forward. When a component disappears for a node (its exporter is down and
// Prometheus marked the series stale) or a component sample was rejected, composing the node from
// the parts that remain would under-report it as a FRESH value (e.g. CPU only, without its GPUs).
// Instead the component's last good point is carried with its old sample time; the node's sample
// time is its oldest component's, so the node ages into staleness and consumers fall back.
import type { PointMap, Readings } from './readings.js';
import type { StalenessPolicy } from './snapshot.js';

export function carryComponents(current: Readings, previous: Readings | undefined, nowMs: number, policy: StalenessPolicy): Readings {
  if (previous === undefined) return current;
  const pairs: [string, PointMap, PointMap][] = [
    ['platform', current.node.platform, previous.node.platform],
    ['package', current.node.package, previous.node.package],
    ['dram', current.node.dram, previous.node.dram],
    ['kepler gpu', current.node.keplerGpu, previous.node.keplerGpu],
    ['dcgm gpu', current.node.dcgmGpu, previous.node.dcgmGpu],
    ['pod cpu', current.pod.cpu, previous.pod.cpu],
    ['pod kepler gpu', current.pod.keplerGpu, previous.pod.keplerGpu],
    ['pod dcgm gpu', current.pod.dcgmGpu, previous.pod.dcgmGpu],
  ];
  const carriedNodes = new Set<string>();
  const carriedPods = new Set<string>();
  for (const [label, now, before] of pairs) {
    const isPod = label.startsWith('pod');
    const carried: string[] = [];
    for (const [key, point] of before) {
      if (now.has(key) || nowMs - point.timeMs > policy.forgetAfterMs) continue;
      now.set(key, point);
      carried.push(key);
      (isPod ? carriedPods : carriedNodes).add(key);
    }
    if (carried.length > 0) {
      const names = carried.sort().slice(0, 5).join(', ') + (carried.length > 5 ? ', …' : '');
      current.problems.push(`${label}: ${carried.length} series missing from this refresh, last values kept: ${names}`);
    }
  }
  // A rejected component was replaced by its carried value: the node/pod can be composed again.
  for (const n of carriedNodes) current.rejectedNodes.delete(n);
  for (const p of carriedPods) current.rejectedPods.delete(p);
  return current;
}
