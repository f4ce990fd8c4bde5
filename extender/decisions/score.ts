// Prioritize in two steps: raw scores in physical units (W of headroom, °C of inlet margin, W the
// plan wants on the rack), then a separate normalisation to the integer 0..10 kube-scheduler takes.
// Stale or missing data scores low; nothing here throws.
import { cachedProjector } from './projection.js';
import type { Candidate, DecisionOptions, HostScore, PlacementState } from './types.js';

export const MAX_SCORE = 10;
export const NEUTRAL_SCORE = 5;

export interface RawScore {
  readonly host: string;
  /** `unknown`: no rack; `stale`: the rack's power is a fallback estimate. */
  readonly status: 'ok' | 'stale' | 'unknown';
  readonly headroomW: number;
  readonly budgetW: number;
  readonly inletMarginC: number;
  /** W the background plan allocates to this node's rack; undefined without a feasible plan. */
  readonly planTargetW: number | undefined;
}

export interface ScoreWeights {
  readonly plan: number;
  readonly headroom: number;
  readonly inlet: number;
}

export const DEFAULT_SCORE_WEIGHTS: ScoreWeights = Object.freeze({ plan: 2, headroom: 1, inlet: 1 });

export interface ScoreOptions extends DecisionOptions {
  readonly weights?: ScoreWeights;
}

export function rawScores(state: PlacementState, candidates: readonly Candidate[], podPowerW: number): RawScore[] {
  const project = cachedProjector(state, podPowerW);
  const allocation = state.plan?.feasible === true ? state.plan.allocationW : undefined;
  return candidates.map((c) => {
    const p = c.rackId === undefined ? undefined : project(c.rackId);
    if (p === undefined) {
      return { host: c.nodeName, status: 'unknown', headroomW: 0, budgetW: 0, inletMarginC: 0, planTargetW: undefined };
    }
    return {
      host: c.nodeName,
      status: p.stale ? 'stale' : 'ok',
      headroomW: p.headroomW,
      budgetW: p.rack.powerBudgetW,
      inletMarginC: p.inletMarginC,
      planTargetW: allocation === undefined ? undefined : (allocation[p.rack.id] ?? 0),
    };
  });
}

/**
 * Physical units → 0..10. Headroom is a share of the rack budget, inlet margin a share of the
 * red-line-to-supply span, the plan target a share of the largest target; a weighted mean, rounded.
 * Unknown nodes get the neutral score (policy allow) or 0 (deny); stale racks get 0.
 */
export function normaliseScores(raw: readonly RawScore[], state: PlacementState, options: ScoreOptions = {}): HostScore[] {
  const weights = options.weights ?? DEFAULT_SCORE_WEIGHTS;
  const spanC = Math.max(state.topology.redlineInletC - state.topology.supplyTemperatureC, Number.EPSILON);
  const maxTargetW = planMaxTargetW(state);
  return raw.map((r) => {
    if (r.status === 'unknown') return { host: r.host, score: (options.unknownNode ?? 'allow') === 'allow' ? NEUTRAL_SCORE : 0 };
    if (r.status === 'stale') return { host: r.host, score: 0 };
    const parts: [number, number][] = [
      [weights.headroom, unit(r.headroomW / r.budgetW)],
      [weights.inlet, unit(r.inletMarginC / spanC)],
    ];
    if (r.planTargetW !== undefined && maxTargetW > 0) parts.push([weights.plan, unit(r.planTargetW / maxTargetW)]);
    const totalWeight = parts.reduce((acc, [w]) => acc + w, 0);
    const mean = totalWeight > 0 ? parts.reduce((acc, [w, v]) => acc + w * v, 0) / totalWeight : 0;
    return { host: r.host, score: clampScore(Math.round(mean * MAX_SCORE)) };
  });
}

export function scoreCandidates(
  state: PlacementState,
  candidates: readonly Candidate[],
  podPowerW: number,
  options: ScoreOptions = {},
): HostScore[] {
  return normaliseScores(rawScores(state, candidates, podPowerW), state, options);
}

function planMaxTargetW(state: PlacementState): number {
  if (state.plan?.feasible !== true) return 0;
  let max = 0;
  for (const w of Object.values(state.plan.allocationW)) if (Number.isFinite(w) && w > max) max = w;
  return max;
}

/** Into [0, 1]; NaN (0/0 from a degenerate topology) counts as no information, so 0. */
function unit(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

function clampScore(n: number): number {
  return Number.isFinite(n) ? Math.min(MAX_SCORE, Math.max(0, n)) : 0;
}
