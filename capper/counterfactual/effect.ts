// The model side of the counterfactual: what a recommendation's actions do to a rack's power and to
// the load it serves. Pure. Power estimates are the ones the decisions sized the actions with
// (decisions/gpu-plan.ts, decisions/replica-plan.ts), so the report judges the capper by its own
// arithmetic; the slowdown of capped GPUs is the simulator's model (rack-model/gpu-power.ts).
//
// Simplifications, and why:
// - A GPU limit saves (old − new limit) × GPUs, as gpu-plan assumes: GPUs near a hot rack's cap run
//   at their limit. It is an upper bound when they are not; the floor (GPUs idle) bounds the damage.
// - A replica removed saves the measured mean power of the service's pods in the rack, else the
//   rack's power shared over its replicas (replica-plan's estimate), and removes its load: served
//   share ≈ min(1, ceiling / replicas running) for the rack's share of that service. Running
//   replicas stand for "wanted" because the capper cannot see demand beyond the current ceiling.
// - Live telemetry does not show the prefill/decode mix, so a fixed share of busy GPU time is
//   assumed to be prefill (PREFILL_SHARE); a limit slows each phase as in the simulator.
// - The GPU spec of a live node is scaled from the simulator's H100 figures by its default limit.
import { decodeSlowdown, prefillSlowdown, type GpuPowerSpec } from '../../rack-model/gpu-power.js';
import { perReplicaW, soKey } from '../decisions/replica-plan.js';
import type { Action, CurrentTargets, NodeGpuInfo, NodeTarget, PowerSnapshot, ScaledObjectTarget } from '../decisions/types.js';

/** Assumed share of a busy GPU's time spent in prefill (compute-bound, slowed by a limit). */
export const PREFILL_SHARE = 0.3;

// H100 SXM, as in the simulator's defaults: 700 W limit (= prefill draw), 380 W decode, 75 W idle.
const H100 = { limitW: 700, decodeW: 380, idleW: 75, exponent: 0.74 };

/** A live node's GPUs as the simulator's spec, scaled from the H100 ratios by the default limit. */
export function gpuSpecOf(gpus: NodeGpuInfo): GpuPowerSpec {
  const defaultW = Math.min(gpus.defaultLimitW, gpus.maxLimitW);
  return {
    idleW: (defaultW * H100.idleW) / H100.limitW,
    prefillW: defaultW,
    decodeW: (defaultW * H100.decodeW) / H100.limitW,
    maxLimitW: defaultW,
    minLimitW: gpus.minLimitW,
    capSlowdownExponent: H100.exponent,
  };
}

/** Share (0..1) of a GPU's work done under `limitW`, relative to no limit at all. */
export function gpuServedShare(spec: GpuPowerSpec, limitW: number): number {
  return 1 / (PREFILL_SHARE * prefillSlowdown(spec, limitW) + (1 - PREFILL_SHARE) * decodeSlowdown(spec, limitW));
}

export interface EffectContext {
  readonly rackId: string;
  readonly targets: CurrentTargets;
  readonly snapshot: PowerSnapshot | undefined;
  /** Measured rack power when the recommendation was made (replica-plan's fallback per-replica estimate). */
  readonly rackMeasuredW: number;
}

export interface RackEffect {
  /** Change of rack power while the actions are in effect, W (≤ 0). */
  readonly effectW: number;
  /** Lowest power the model lets the rack reach: its GPUs idle, W. */
  readonly floorW: number;
  readonly servedWithPercent: number;
  readonly servedWithoutPercent: number;
}

const totalReplicas = (so: ScaledObjectTarget) => Object.values(so.replicasByRack).reduce((a, b) => a + b, 0);

function currentLimitW(node: NodeTarget): number | undefined {
  if (node.gpus === undefined) return undefined;
  return node.desiredLimitW ?? Math.min(node.gpus.defaultLimitW, node.gpus.maxLimitW);
}

/** Power change of one action, W (≤ 0): the estimate the decisions sized it with. */
export function actionEffectW(action: Action, ctx: EffectContext): number {
  if (action.kind === 'SetGpuPowerLimit') {
    const node = ctx.targets.nodes.find((n) => n.name === action.node);
    const current = node === undefined ? undefined : currentLimitW(node);
    if (node?.gpus === undefined || current === undefined) return 0;
    return -Math.max(0, current - action.limitW) * node.gpus.gpuCount;
  }
  if (action.kind === 'SetMaxReplicas') {
    const so = ctx.targets.scaledObjects.find((s) => s.namespace === action.namespace && s.name === action.name);
    if (so === undefined) return 0;
    const removed = Math.max(0, Math.min(so.maxReplicaCount, totalReplicas(so)) - action.maxReplicaCount);
    return -removed * replicaPowerW(ctx);
  }
  return 0;
}

/** replica-plan's per-replica estimate for the rack: measured pods, else rack power over its replicas. */
function replicaPowerW(ctx: EffectContext): number {
  const inRack = ctx.targets.scaledObjects.filter((so) => (so.replicasByRack[ctx.rackId] ?? 0) > 0);
  const replicas = inRack.reduce((sum, so) => sum + (so.replicasByRack[ctx.rackId] ?? 0), 0);
  const measured = perReplicaW(ctx.targets.pods, ctx.snapshot, new Set(inRack.map(soKey)), ctx.rackId);
  return measured ?? (replicas === 0 ? 0 : ctx.rackMeasuredW / replicas);
}

/** The rack's served share with the GPU limits and replica ceilings given (maps override current ones). */
function servedShare(ctx: EffectContext, limits: ReadonlyMap<string, number>, ceilings: ReadonlyMap<string, number>): number {
  let gpus = 0;
  let gpuWork = 0;
  for (const node of ctx.targets.nodes) {
    if (node.rackId !== ctx.rackId || node.gpus === undefined) continue;
    const limit = limits.get(node.name) ?? currentLimitW(node) ?? node.gpus.defaultLimitW;
    gpus += node.gpus.gpuCount;
    gpuWork += node.gpus.gpuCount * gpuServedShare(gpuSpecOf(node.gpus), limit);
  }
  let replicas = 0;
  let replicaWork = 0;
  for (const so of ctx.targets.scaledObjects) {
    const here = so.replicasByRack[ctx.rackId] ?? 0;
    const wanted = totalReplicas(so);
    if (here === 0 || wanted === 0) continue;
    const ceiling = ceilings.get(soKey(so)) ?? so.maxReplicaCount;
    replicas += here;
    replicaWork += here * Math.min(1, ceiling / wanted);
  }
  return (gpus === 0 ? 1 : gpuWork / gpus) * (replicas === 0 ? 1 : replicaWork / replicas);
}

/** The modelled effect of one rack's recommended actions. */
export function rackEffect(actions: readonly Action[], ctx: EffectContext): RackEffect {
  const effectW = actions.reduce((sum, a) => sum + actionEffectW(a, ctx), 0);
  const floorW = ctx.targets.nodes
    .filter((n) => n.rackId === ctx.rackId && n.gpus !== undefined)
    .reduce((sum, n) => sum + (n.gpus === undefined ? 0 : n.gpus.gpuCount * gpuSpecOf(n.gpus).idleW), 0);
  const limits = new Map<string, number>();
  const ceilings = new Map<string, number>();
  for (const a of actions) {
    if (a.kind === 'SetGpuPowerLimit') limits.set(a.node, a.limitW);
    if (a.kind === 'SetMaxReplicas') ceilings.set(soKey(a), a.maxReplicaCount);
  }
  const pct = (share: number) => Math.round(share * 1000) / 10;
  return {
    effectW: Math.round(effectW),
    floorW: Math.round(floorW),
    servedWithPercent: pct(servedShare(ctx, limits, ceilings)),
    servedWithoutPercent: pct(servedShare(ctx, new Map(), new Map())),
  };
}
