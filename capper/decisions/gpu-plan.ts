// Per-GPU power limits for the nodes of one rack: the gentlest action, so it comes first when
// tightening and last when giving back. Limits move in multiples of stepW, never below
// max(floorW, the GPU's own minimum), and are cleared (default restored) once back at the default.
import type { ResolvedPolicy } from '../policy-validate.js';
import type { Action, NodeTarget } from './types.js';

export interface GpuTightenResult {
  readonly actions: Action[];
  /** Estimated saving, W, assuming GPUs draw at their limit (an upper bound; re-measured next tick). */
  readonly savedW: number;
  /** True while some node of the rack can still go lower (now or after its rate limit expires). */
  readonly moreAvailable: boolean;
}

interface Limits {
  readonly node: NodeTarget;
  readonly gpuCount: number;
  readonly currentW: number;
  readonly floorW: number;
  readonly defaultW: number;
}

function limitsOf(policy: ResolvedPolicy, node: NodeTarget): Limits | undefined {
  if (node.gpus === undefined || node.gpus.gpuCount === 0) return undefined;
  const g = node.gpus;
  const defaultW = Math.min(g.defaultLimitW, g.maxLimitW);
  return {
    node,
    gpuCount: g.gpuCount,
    currentW: node.desiredLimitW ?? defaultW,
    floorW: Math.max(policy.gpuPowerLimits.floorW, g.minLimitW),
    defaultW,
  };
}

export function tightenGpus(
  policy: ResolvedPolicy,
  rackId: string,
  nodes: readonly NodeTarget[],
  excessW: number,
  canAct: (key: string) => boolean,
): GpuTightenResult {
  const cfg = policy.gpuPowerLimits;
  if (!cfg.enabled) return { actions: [], savedW: 0, moreAvailable: false };
  const limits = nodes.map((n) => limitsOf(policy, n)).filter((l): l is Limits => l !== undefined && l.currentW > l.floorW);
  const totalGpus = limits.reduce((sum, l) => sum + l.gpuCount, 0);
  if (totalGpus === 0) return { actions: [], savedW: 0, moreAvailable: false };
  // Spread the excess evenly over the rack's GPUs, in whole steps, at least one step.
  const perGpuW = Math.max(1, Math.ceil(excessW / totalGpus / cfg.stepW)) * cfg.stepW;
  const actions: Action[] = [];
  let savedW = 0;
  let moreAvailable = false;
  for (const l of limits) {
    if (!canAct(`node/${l.node.name}`)) {
      moreAvailable = true;
      continue;
    }
    let target = l.currentW - perGpuW;
    if (policy.strategy === 'PerformancePerWatt') {
      // Throughput per watt still improves down to the knee, so go there in one move.
      target = Math.min(target, (l.defaultW * cfg.kneePercentOfDefault) / 100);
    }
    target = Math.max(l.floorW, Math.floor(target));
    if (target >= l.currentW) continue;
    savedW += (l.currentW - target) * l.gpuCount;
    if (target > l.floorW) moreAvailable = true;
    actions.push({
      kind: 'SetGpuPowerLimit',
      node: l.node.name,
      rackId,
      limitW: target,
      reason: `rack ${rackId} ${Math.round(excessW)} W over its cap: per-GPU limit ${l.currentW} → ${target} W`,
    });
  }
  return { actions, savedW, moreAvailable };
}

export function relaxGpus(
  policy: ResolvedPolicy,
  rackId: string,
  nodes: readonly NodeTarget[],
  headroomW: number,
  canAct: (key: string) => boolean,
): Action[] {
  const actions: Action[] = [];
  const capped = nodes.filter((n) => n.desiredLimitW !== undefined);
  const limits = capped.map((n) => limitsOf(policy, n));
  const totalGpus = limits.reduce((sum, l) => sum + (l?.gpuCount ?? 0), 0);
  const stepW = policy.gpuPowerLimits.stepW;
  const perGpuW = Math.max(1, Math.floor(headroomW / Math.max(1, totalGpus) / stepW)) * stepW;
  for (const [i, node] of capped.entries()) {
    if (!canAct(`node/${node.name}`)) continue;
    const l = limits[i];
    const raised = l === undefined ? undefined : l.currentW + perGpuW;
    if (l === undefined || raised === undefined || raised >= l.defaultW) {
      actions.push({ kind: 'ClearGpuPowerLimit', node: node.name, rackId, reason: `rack ${rackId} back under its restore level: default GPU limit` });
    } else {
      actions.push({
        kind: 'SetGpuPowerLimit',
        node: node.name,
        rackId,
        limitW: raised,
        reason: `rack ${rackId} back under its restore level: per-GPU limit ${l.currentW} → ${raised} W`,
      });
    }
  }
  return actions;
}
