// `climatik capper --config FILE`: one schema, defaults, every error with its path, frozen.
import Type, { type Static } from 'typebox';
import { ClimatikError, parseDurationMs } from '../common/index.js';
import { defaultRenewDeadlineMs } from './leader.js';
import { NotificationsConfigSchema } from './sinks/config.js';

const Duration = (d: string, description: string) => Type.String({ pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$', default: d, description });

export const CapperConfigSchema = Type.Object(
  {
    topologyFile: Type.String({ minLength: 1, description: 'RackTopology YAML (the mounted ConfigMap)' }),
    telemetry: Type.Union([
      Type.Object(
        {
          prometheusUrl: Type.String({ minLength: 1 }),
          historyStep: Duration('1m', 'query_range step for forecast history'),
          refreshInterval: Duration('15s', 'how often the power snapshot is re-queried'),
        },
        { additionalProperties: false },
      ),
      Type.Object({ powerFile: Type.String({ minLength: 1, description: 'offline mode: rack power file, re-read every tick' }) }, { additionalProperties: false }),
    ]),
    interval: Duration('10s', 'how often every policy is reconciled'),
    leaderElection: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        namespace: Type.String({ minLength: 1, default: 'climatik-system' }),
        leaseName: Type.String({ minLength: 1, default: 'climatik-capper' }),
        leaseDuration: Duration('15s', 'a standby takes over this long after the leader stopped renewing'),
        renewInterval: Duration('5s', 'how often the leader renews'),
      },
      { additionalProperties: false, default: {} },
    ),
    host: Type.String({ default: '0.0.0.0' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 9103 }),
    /** Alertmanager, Slack and GitOps sinks for Recommend/Enforce (capper/sinks/README.md). */
    notifications: Type.Optional(NotificationsConfigSchema),
  },
  { additionalProperties: false },
);
export type CapperConfig = Static<typeof CapperConfigSchema>;

/**
 * Rules across fields the schema cannot state. A leader gives up renewing at 2/3 of the lease
 * (capper/leader.ts), so it must try to renew well before that, or a healthy leader would let its
 * lease lapse between two renewals and the standby would take over for nothing.
 */
export function checkCapperConfig(config: CapperConfig, source: string): CapperConfig {
  const le = config.leaderElection;
  const leaseMs = parseDurationMs(le.leaseDuration) ?? 0;
  const renewMs = parseDurationMs(le.renewInterval) ?? 0;
  const deadlineMs = defaultRenewDeadlineMs(leaseMs);
  if (le.enabled && !(renewMs < deadlineMs)) {
    throw new ClimatikError('CLIMATIK_CONFIG_INVALID', `configuration ${source}: leaderElection.renewInterval must be shorter than 2/3 of leaseDuration`, {
      issues: [{ path: '/leaderElection/renewInterval', message: `must be < ${deadlineMs} ms (2/3 of leaseDuration ${le.leaseDuration})`, value: le.renewInterval }],
    });
  }
  return config;
}
