// Filter: ordered, named predicates over a rack projection, each returning a Rejection or null.
// The first rejection's reason goes straight into FailedNodes (or FailedAndUnresolvableNodes).
import type { RackProjection } from './projection.js';
import { cachedProjector } from './projection.js';
import type { Candidate, DecisionOptions, FilterResult, PlacementState, PredicateName, Rejection } from './types.js';

export interface Predicate {
  readonly name: PredicateName;
  check(p: RackProjection, podPowerW: number, state: PlacementState): Rejection | null;
}

const fmtW = (w: number): string => `${Math.round(w)} W`;
const fmtC = (c: number): string => `${c.toFixed(2)} °C`;

/** Rack power + bound pods telemetry does not show yet + this pod must stay within the rack's budget. */
export const powerBudget: Predicate = {
  name: 'power-budget',
  check(p, podPowerW, state) {
    if (p.projectedW <= p.rack.powerBudgetW) return null;
    const why = state.staleReasons?.[p.rack.id] ?? 'telemetry stale';
    const measuredW = p.currentW - p.boundSinceSampleW;
    const parts = p.boundSinceSampleW > 0
      ? `${fmtW(measuredW)} measured + ${fmtW(p.boundSinceSampleW)} bound, not yet drawing + ${fmtW(podPowerW)} pod`
      : `${fmtW(p.currentW)} current + ${fmtW(podPowerW)} pod`;
    return {
      predicate: 'power-budget',
      reason: `rack ${p.rack.id}: power ${parts} = ${fmtW(p.projectedW)} exceeds budget ${fmtW(p.rack.powerBudgetW)}${p.stale ? ` (power is a fallback estimate: ${why})` : ''}`,
      // Evicting pods cannot make room for a pod bigger than the whole budget.
      resolvable: podPowerW <= p.rack.powerBudgetW,
    };
  },
};

/** No rack's inlet may pass the red line once this pod's heat is added on its rack. */
export const redline: Predicate = {
  name: 'redline',
  check(p, podPowerW, state) {
    const limitC = state.topology.redlineInletC;
    if (p.hottestInletC <= limitC) return null;
    const where = p.hottestRackId === p.rack.id ? `rack ${p.rack.id}'s own inlet` : `rack ${p.hottestRackId}'s inlet`;
    return {
      predicate: 'redline',
      reason: `rack ${p.rack.id}: ${fmtW(podPowerW)} here raises ${where} to ${fmtC(p.hottestInletC)}, above the red line ${fmtC(limitC)}`,
      resolvable: p.podAloneInletC <= limitC,
    };
  },
};

export const PREDICATES: readonly Predicate[] = [powerBudget, redline];

export function filterCandidates(
  state: PlacementState,
  candidates: readonly Candidate[],
  podPowerW: number,
  options: DecisionOptions = {},
): FilterResult {
  const project = cachedProjector(state, podPowerW);
  const verdicts = new Map<string, Rejection | null>();
  const result: FilterResult = { passed: [], failed: {}, unresolvable: {}, rejectedBy: {} };
  for (const c of candidates) {
    const rejection = c.rackId === undefined ? unknownRack(c, options) : rackVerdict(c.rackId);
    if (rejection === null) {
      result.passed.push(c.nodeName);
      continue;
    }
    (rejection.resolvable ? result.failed : result.unresolvable)[c.nodeName] = rejection.reason;
    result.rejectedBy[c.nodeName] = rejection.predicate;
  }
  return result;

  function rackVerdict(rackId: string): Rejection | null {
    const cached = verdicts.get(rackId);
    if (cached !== undefined) return cached;
    const p = project(rackId);
    const verdict = p === undefined ? unknownRack({ nodeName: '', rackId }, options) : firstRejection(p, podPowerW, state);
    verdicts.set(rackId, verdict);
    return verdict;
  }
}

function firstRejection(p: RackProjection, podPowerW: number, state: PlacementState): Rejection | null {
  for (const predicate of PREDICATES) {
    const rejection = predicate.check(p, podPowerW, state);
    if (rejection !== null) return rejection;
  }
  return null;
}

function unknownRack(c: Candidate, options: DecisionOptions): Rejection | null {
  if ((options.unknownNode ?? 'allow') === 'allow') return null;
  const what = c.rackId === undefined ? 'node is in no rack of the topology' : `rack ${c.rackId} is not in the topology`;
  return { predicate: 'unknown-node', reason: `${what} (unknown-node policy: deny)`, resolvable: false };
}
