// The `notifications` section of the capper config, and building the sinks from it. Secrets (the
// Slack webhook URL and signing secret) are NOT in this config: they are read from a mounted
// Kubernetes Secret (see README), never from the policy.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import Type, { type Static } from 'typebox';
import { ClimatikError, parseDurationMs, type Clock, type Logger } from '../../common/index.js';
import { AlertmanagerSink } from './alertmanager-sink.js';
import { DEFAULT_RETRY, NotificationDispatcher } from './dispatcher.js';
import { GitOpsSink } from './gitops-sink.js';
import { SlackWebhookSink } from './slack-sink.js';
import type { NotificationSink } from './types.js';

const Duration = (defaultValue: string) => Type.String({ pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$', default: defaultValue });

export const NotificationsConfigSchema = Type.Object(
  {
    queueSize: Type.Integer({ minimum: 1, default: 100, description: 'pending deliveries per sink before new ones are dropped' }),
    retry: Type.Object(
      {
        maxAttempts: Type.Integer({ minimum: 1, maximum: 20, default: DEFAULT_RETRY.maxAttempts }),
        baseDelay: Duration('500ms'),
        maxDelay: Duration('30s'),
      },
      { additionalProperties: false, default: {} },
    ),
    alertmanager: Type.Optional(
      Type.Object({ url: Type.String({ pattern: '^https?://' }), generatorUrl: Type.Optional(Type.String()), timeout: Duration('5s') }, { additionalProperties: false }),
    ),
    slack: Type.Optional(
      Type.Object(
        {
          /** Mounted Secret with keys `webhook-url` and `signing-secret`. */
          secretDir: Type.String({ default: '/etc/climatik/slack' }),
          timeout: Duration('5s'),
          /** Port of the POST /slack/actions server (Slack's Interactivity Request URL). */
          actionsPort: Type.Integer({ minimum: 0, maximum: 65535, default: 9104 }),
        },
        { additionalProperties: false },
      ),
    ),
    gitops: Type.Optional(
      Type.Object(
        {
          remoteUrl: Type.String({ minLength: 1 }),
          workDir: Type.String({ default: '/var/lib/climatik/gitops' }),
          baseBranch: Type.String({ default: 'main' }),
          authorName: Type.String({ default: 'Climatik' }),
          authorEmail: Type.String({ default: 'climatik@localhost' }),
          pathPrefix: Type.String({ default: 'climatik' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type NotificationsConfig = Static<typeof NotificationsConfigSchema>;

export interface SlackSecrets {
  readonly webhookUrl: string;
  readonly signingSecret: string;
}

/** Reads `webhook-url` and `signing-secret` from the mounted Secret directory. */
export async function readSlackSecrets(secretDir: string, read: (file: string) => Promise<string> = (f) => readFile(f, 'utf8')): Promise<SlackSecrets> {
  const one = async (key: string): Promise<string> => {
    const file = join(secretDir, key);
    const value = await read(file).then(
      (v) => v.trim(),
      (err: unknown) => {
        throw new ClimatikError('CLIMATIK_CONFIG_UNREADABLE', `cannot read Slack secret ${file}`, { cause: err });
      },
    );
    if (value === '') throw new ClimatikError('CLIMATIK_CONFIG_INVALID', `Slack secret ${file} is empty`, { issues: [{ path: `/notifications/slack/secretDir`, message: `${key} is empty`, value: secretDir }] });
    return value;
  };
  return { webhookUrl: await one('webhook-url'), signingSecret: await one('signing-secret') };
}

export interface NotificationDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly slackSecrets?: SlackSecrets;
}

export function buildSinks(config: NotificationsConfig, deps: NotificationDeps): NotificationSink[] {
  const sinks: NotificationSink[] = [];
  if (config.alertmanager) {
    sinks.push(new AlertmanagerSink({ url: config.alertmanager.url, timeoutMs: ms(config.alertmanager.timeout), ...(config.alertmanager.generatorUrl ? { generatorUrl: config.alertmanager.generatorUrl } : {}) }, deps.clock));
  }
  if (config.slack) {
    if (!deps.slackSecrets) throw new ClimatikError('CLIMATIK_CONFIG_INVALID', 'Slack is configured but its secrets were not loaded', { issues: [{ path: '/notifications/slack', message: 'secrets missing' }] });
    sinks.push(new SlackWebhookSink({ webhookUrl: deps.slackSecrets.webhookUrl, timeoutMs: ms(config.slack.timeout) }));
  }
  if (config.gitops) sinks.push(new GitOpsSink(config.gitops));
  return sinks;
}

export function buildDispatcher(config: NotificationsConfig, deps: NotificationDeps): NotificationDispatcher {
  return new NotificationDispatcher({
    sinks: buildSinks(config, deps),
    logger: deps.logger,
    registry: deps.registry,
    maxQueue: config.queueSize,
    retry: { maxAttempts: config.retry.maxAttempts, baseDelayMs: ms(config.retry.baseDelay), maxDelayMs: ms(config.retry.maxDelay) },
  });
}

// The schema's pattern guarantees a parseable duration.
const ms = (d: string): number => parseDurationMs(d) ?? 0;
