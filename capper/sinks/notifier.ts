// Turns each reconcile's decision into sink traffic: a recommendation when a rack's state or its
// actions change, a resolve when it is back under the cap, and a give-back recommendation when a
// cooled rack still holds caps (Recommend mode restores only what a human approves); and keeps the
// open recommendations so a Slack Approve / Reject can find them. State is in memory: after a restart the next reconcile
// republishes (Alertmanager deduplicates by labels; Slack gets one repeat message).
import { ClimatikError } from '../../common/index.js';
import { isHot } from '../decisions/rack-assess.js';
import type { Action, RackAssessment } from '../decisions/types.js';
import type { ApprovalHandler, SlackUser } from './slack-actions.js';
import { isRestore, rackKeyOf, type PolicyName, type Recommendation } from './types.js';

/** What the dispatcher offers; a NotificationDispatcher satisfies it. */
export interface Publisher {
  publish(rec: Recommendation): void;
  resolve(rackKey: string): void;
}

export interface NotifierDeps {
  readonly publisher: Publisher;
  /** Called on a verified Slack approval with the recommendation approved (apply its actions). */
  readonly onApprove: (rec: Recommendation, user: SlackUser) => Promise<void>;
  readonly onReject?: (rec: Recommendation, user: SlackUser) => Promise<void>;
}

export function expectedEffect(rack: RackAssessment, restore = false): string {
  if (restore) return `rack ${rack.id} has ${Math.round(-rack.excessW)} W of headroom under its ${Math.round(rack.capW)} W cap; these actions give capacity back`;
  if (rack.excessW <= 0) return `rack ${rack.id} stays under its ${Math.round(rack.capW)} W cap`;
  return `≈ −${Math.round(rack.excessW)} W needed to bring rack ${rack.id} back under its ${Math.round(rack.capW)} W cap; the actions are sized for that`;
}

export class RecommendationNotifier implements ApprovalHandler {
  /** rack key → open recommendation, with the signature used to skip unchanged repeats. */
  private readonly open = new Map<string, { rec: Recommendation; signature: string }>();
  private readonly byId = new Map<string, Recommendation>();

  constructor(private readonly deps: NotifierDeps) {}

  /** Call once per reconcile with the decision's racks and the actions it published. */
  observe(policy: PolicyName, racks: readonly RackAssessment[], published: readonly Action[], nowMs: number, mode: 'Recommend' | 'Enforce' = 'Recommend'): void {
    for (const rack of racks) {
      const key = rackKeyOf(policy, rack.id);
      const hot = isHot(rack);
      const actions = published.filter((a) => a.rackId === rack.id);
      // Unknown (stale telemetry) holds: neither confirms recovery nor a new breach.
      if (rack.state === 'Unknown') continue;
      if (hot || actions.length > 0) {
        // Hot: tighten. Cool with actions: the caps can be given back (restore).
        const signature = JSON.stringify([hot ? rack.state : 'restore', actions.map((a) => ({ ...a, reason: '' }))]);
        const old = this.open.get(key);
        if (old?.signature === signature) continue;
        this.forget(key);
        // The alert and "over cap" message of a cooled rack end before the give-back is proposed.
        if (!hot && old !== undefined && !isRestore(old.rec)) this.deps.publisher.resolve(key);
        const rec: Recommendation = { id: `${key}/${nowMs}`, policy, rack, actions, expectedEffect: expectedEffect(rack, !hot), createdAtMs: nowMs, mode };
        this.open.set(key, { rec, signature });
        // Enforce applies on its own: nothing to decide, so no id a button could carry back.
        if (mode === 'Recommend') this.byId.set(rec.id, rec);
        this.deps.publisher.publish(rec);
      } else {
        const old = this.open.get(key);
        if (old === undefined) continue;
        this.forget(key);
        // A give-back that is done (approved, or the owner restored it) needs no "recovered" message.
        if (!isRestore(old.rec)) this.deps.publisher.resolve(key);
      }
    }
  }

  /**
   * Taken before applying, so a second click (or a concurrent one) is refused as already decided;
   * given back if applying fails (not leader, API error), so the same button can be tried again.
   */
  async approve(recommendationId: string, user: SlackUser): Promise<void> {
    const rec = this.take(recommendationId);
    try {
      await this.deps.onApprove(rec, user);
    } catch (err) {
      this.giveBack(rec);
      throw err;
    }
  }

  async reject(recommendationId: string, user: SlackUser): Promise<void> {
    const rec = this.take(recommendationId);
    try {
      await this.deps.onReject?.(rec, user);
    } catch (err) {
      this.giveBack(rec);
      throw err;
    }
  }

  /** Only while it is still the rack's newest recommendation: a newer one supersedes it. */
  private giveBack(rec: Recommendation): void {
    if (this.open.get(rackKeyOf(rec.policy, rec.rack.id))?.rec.id === rec.id) this.byId.set(rec.id, rec);
  }

  /** Only the newest recommendation of a rack can be decided: an older button is stale. */
  private take(id: string): Recommendation {
    const rec = this.byId.get(id);
    if (rec === undefined) {
      throw new ClimatikError('CLIMATIK_REQUEST_INVALID', 'unknown, superseded or already decided recommendation', {
        issues: [{ path: '/payload/actions/0/value', message: 'no open recommendation with this id', value: id }],
      });
    }
    this.byId.delete(id);
    return rec;
  }

  private forget(key: string): void {
    const old = this.open.get(key);
    if (old) this.byId.delete(old.rec.id);
    this.open.delete(key);
  }
}
