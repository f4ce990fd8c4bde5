// Alertmanager v2 sink: one alert per (policy, rack), re-posted on every recommendation (Alertmanager
// deduplicates by label set and keeps it firing), resolved by posting the same labels with endsAt=now.
import type { Clock } from '../../common/index.js';
import { describeAction, formatW, isRestore, parseRackKey, rackKeyOf, severityOf, type NotificationSink, type Recommendation } from './types.js';

export interface AlertmanagerSinkConfig {
  /** e.g. http://alertmanager.monitoring:9093 */
  readonly url: string;
  /** Optional link shown in Alertmanager (the policy's dashboard). */
  readonly generatorUrl?: string;
  readonly timeoutMs?: number;
}

type Labels = Record<string, string>;

export interface PostableAlert {
  readonly labels: Labels;
  readonly annotations?: Record<string, string>;
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly generatorURL?: string;
}

export function alertFor(rec: Recommendation, nowMs: number, generatorUrl?: string): PostableAlert {
  return {
    labels: alertLabels(rec.policy.namespace, rec.policy.name, rec.rack.id, rec.rack.state === 'OverCap' ? 'ClimatikRackOverCap' : 'ClimatikRackNearCap', severityOf(rec.rack)),
    annotations: {
      summary: `rack ${rec.rack.id} ${rec.rack.state === 'OverCap' ? 'is over' : 'is forecast over'} its ${formatW(rec.rack.capW)} cap`,
      measured: formatW(rec.rack.measuredW),
      forecast: formatW(rec.rack.forecastW),
      cap: formatW(rec.rack.capW),
      actions: rec.actions.map(describeAction).join('\n') || 'none',
      expectedEffect: rec.expectedEffect,
    },
    startsAt: new Date(nowMs).toISOString(),
    ...(generatorUrl === undefined ? {} : { generatorURL: generatorUrl }),
  };
}

function alertLabels(namespace: string, policy: string, rack: string, alertname: string, severity: string): Labels {
  return { alertname, rack, policy, namespace, severity };
}

export class AlertmanagerSink implements NotificationSink {
  readonly name = 'alertmanager';
  /** Labels last posted per rack key: resolve must repeat them exactly (alertname/severity vary). */
  private readonly firing = new Map<string, Labels>();

  constructor(
    private readonly config: AlertmanagerSinkConfig,
    private readonly clock: Clock,
  ) {}

  async publish(rec: Recommendation): Promise<void> {
    // A give-back proposal is not an alert: the rack's alert was resolved when it cooled.
    if (isRestore(rec)) return;
    const key = rackKeyOf(rec.policy, rec.rack.id);
    const alert = alertFor(rec, this.clock.nowMs(), this.config.generatorUrl);
    const previous = this.firing.get(key);
    const alerts: PostableAlert[] = [alert];
    // NearCap → OverCap (or back) changes the label set: end the old alert so only one fires.
    if (previous !== undefined && previous['alertname'] !== alert.labels['alertname']) alerts.push(this.ended(previous));
    await this.post(alerts);
    this.firing.set(key, alert.labels);
  }

  async resolve(rackKey: string): Promise<void> {
    const known = this.firing.get(rackKey);
    const parsed = parseRackKey(rackKey);
    if (parsed === undefined) throw new Error(`invalid rack key ${JSON.stringify(rackKey)} (want namespace/policy/rack)`);
    // After a restart we no longer know which alertname fired: end both.
    const labelSets = known
      ? [known]
      : (['ClimatikRackOverCap', 'ClimatikRackNearCap'] as const).map((n) =>
          alertLabels(parsed.policy.namespace, parsed.policy.name, parsed.rackId, n, n === 'ClimatikRackOverCap' ? 'critical' : 'warning'),
        );
    await this.post(labelSets.map((l) => this.ended(l)));
    this.firing.delete(rackKey);
  }

  private ended(labels: Labels): PostableAlert {
    return { labels, endsAt: new Date(this.clock.nowMs()).toISOString() };
  }

  private async post(alerts: readonly PostableAlert[]): Promise<void> {
    const url = new URL('/api/v2/alerts', this.config.url);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
      signal: AbortSignal.timeout(this.config.timeoutMs ?? 5000),
    });
    if (!res.ok) throw new Error(`alertmanager ${url.href} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  }
}
