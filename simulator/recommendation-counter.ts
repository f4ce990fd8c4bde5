// Counts recommendations the way the live capper's counterfactual report opens its outcome records:
// the rule itself is the capper's (`newRecommendation`, capper/counterfactual/outcomes.ts); only the
// bookkeeping differs, because the live `updateOutcomes` keeps a bounded list of records (newest 20),
// which cannot count a whole replay. A recommendation is taken when its actions are applied; the
// replay applies on the tick that decides, so in Enforce every recommendation is taken and in
// Recommend none.
import { newRecommendation, recovered } from '../capper/counterfactual/index.js';
import { isHot, targetKey, type Action, type RackAssessment } from '../capper/decisions/index.js';

export class RecommendationCounter {
  /** Rack id → its newest recommendation's action labels, and whether the rack has recovered since. */
  private readonly newest = new Map<string, { actions: string[]; recovered: boolean }>();
  recommendations = 0;
  taken = 0;

  /** One reconcile: the racks as assessed, the actions published and those applied this tick. */
  observe(racks: readonly RackAssessment[], published: readonly Action[], applied: readonly Action[]): void {
    const appliedTargets = new Set(applied.map(targetKey));
    for (const rack of racks) {
      const newest = this.newest.get(rack.id);
      if (!isHot(rack)) {
        if (newest !== undefined && recovered(rack)) newest.recovered = true;
        continue;
      }
      const fresh = newRecommendation(rack, published, newest);
      if (fresh === undefined) continue;
      this.newest.set(rack.id, { actions: fresh.labels, recovered: false });
      this.recommendations += 1;
      if (fresh.actions.some((a) => appliedTargets.has(targetKey(a)))) this.taken += 1;
    }
  }
}
