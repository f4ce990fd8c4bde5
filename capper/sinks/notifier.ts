// Turns each reconcile's decision into sink traffic: a recommendation when a rack's state or its
// actions change, a resolve when it is back under the cap; and keeps the open recommendations so a
// Slack Approve / Reject can find them. State is in memory: after a restart the next reconcile
// republishes (Alertmanager deduplicates by labels; Slack gets one repeat message).
import { ClimatikError } from '../../common/index.js';
import type { Action, RackAssessment } from '../decisions/types.js';
import type { ApprovalHandler, SlackUser } from './slack-actions.js';
import { rackKeyOf, type PolicyName, type Recommendation } from './types.js';

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

export function expectedEffect(rack: RackAssessment): string {
  if (rack.excessW <= 0) return `rack ${rack.id} stays under its ${Math.round(rack.capW)} W cap`;
  return `≈ −${Math.round(rack.excessW)} W needed to bring rack ${rack.id} back under its ${Math.round(rack.capW)} W cap; the actions are sized for that`;
}

export class RecommendationNotifier implements ApprovalHandler {
  /** rack key → open recommendation, with the signature used to skip unchanged repeats. */
  private readonly open = new Map<string, { rec: Recommendation; signature: string }>();
  private readonly byId = new Map<string, Recommendation>();

  constructor(private readonly deps: NotifierDeps) {}

  /** Call once per reconcile with the decision's racks and the actions it published. */
  observe(policy: PolicyName, racks: readonly RackAssessment[], published: readonly Action[], nowMs: number): void {
    for (const rack of racks) {
      const key = rackKeyOf(policy, rack.id);
      const hot = rack.state === 'OverCap' || rack.state === 'ForecastOverCap';
      if (hot) {
        const actions = published.filter((a) => a.rackId === rack.id);
        const signature = JSON.stringify([rack.state, actions.map((a) => ({ ...a, reason: '' }))]);
        if (this.open.get(key)?.signature === signature) continue;
        this.forget(key);
        const rec: Recommendation = { id: `${key}/${nowMs}`, policy, rack, actions, expectedEffect: expectedEffect(rack), createdAtMs: nowMs };
        this.open.set(key, { rec, signature });
        this.byId.set(rec.id, rec);
        this.deps.publisher.publish(rec);
      } else if (rack.state !== 'Unknown' && this.open.has(key)) {
        // Unknown (stale telemetry) holds: neither confirms recovery nor a new breach.
        this.forget(key);
        this.deps.publisher.resolve(key);
      }
    }
  }

  async approve(recommendationId: string, user: SlackUser): Promise<void> {
    const rec = this.take(recommendationId);
    await this.deps.onApprove(rec, user);
  }

  async reject(recommendationId: string, user: SlackUser): Promise<void> {
    const rec = this.take(recommendationId);
    await this.deps.onReject?.(rec, user);
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
