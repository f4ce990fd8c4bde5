// Slack incoming-webhook sink. The webhook URL is a secret (it lets anyone post to the channel):
// it comes from a Kubernetes Secret via main.ts, never from the policy.
import { recommendationMessage, recoveredMessage, type SlackMessage } from './slack-message.js';
import type { NotificationSink, Recommendation } from './types.js';

export interface SlackSinkConfig {
  readonly webhookUrl: string;
  readonly timeoutMs?: number;
}

export class SlackWebhookSink implements NotificationSink {
  readonly name = 'slack';

  constructor(private readonly config: SlackSinkConfig) {}

  publish(rec: Recommendation): Promise<void> {
    return this.post(recommendationMessage(rec));
  }

  resolve(rackKey: string): Promise<void> {
    return this.post(recoveredMessage(rackKey));
  }

  private async post(message: SlackMessage): Promise<void> {
    const res = await fetch(this.config.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(this.config.timeoutMs ?? 5000),
    });
    // Slack answers 200 "ok"; anything else (400 invalid_blocks, 404 no_service, 5xx) is a failure.
    if (!res.ok) throw new Error(`slack webhook answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  }
}
