import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { buildConfig, isClimatikError, silentLogger, systemClock } from '../../common/index.js';
import { buildDispatcher, buildSinks, NotificationsConfigSchema, readSlackSecrets } from './config.js';

const deps = { logger: silentLogger(), registry: new Registry(), clock: systemClock };

t.test('full config: defaults filled, one sink per section', async (t) => {
  const config = buildConfig(NotificationsConfigSchema, { alertmanager: { url: 'http://am:9093' }, slack: {}, gitops: { remoteUrl: 'git@example.org:ops/cluster.git' } }, 'test');
  t.match(config, { queueSize: 100, retry: { maxAttempts: 5, baseDelay: '500ms', maxDelay: '30s' }, slack: { secretDir: '/etc/climatik/slack' }, gitops: { baseBranch: 'main', pathPrefix: 'climatik' } });
  const sinks = buildSinks(config, { ...deps, slackSecrets: { webhookUrl: 'http://127.0.0.1:1/hook', signingSecret: 's' } });
  t.same(sinks.map((s) => s.name), ['alertmanager', 'slack', 'gitops']);
  t.ok(buildDispatcher(buildConfig(NotificationsConfigSchema, {}, 'test'), { ...deps, registry: new Registry() }));
});

t.test('bad config names the field', async (t) => {
  const table: [unknown, string, RegExp][] = [
    [{ alertmanager: { url: 'alertmanager:9093' } }, '/alertmanager/url', /pattern/],
    [{ retry: { baseDelay: 'soon' } }, '/retry/baseDelay', /pattern/],
    [{ gitops: {} }, '/gitops', /required properties remoteUrl/],
    // The webhook URL is a secret: putting it in the config is refused.
    [{ slack: { webhookUrl: 'https://hooks.slack.com/x' } }, '/slack/webhookUrl', /unknown field/],
  ];
  for (const [raw, path, message] of table) {
    const err = (() => {
      try {
        buildConfig(NotificationsConfigSchema, raw, 'test');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    t.ok(isClimatikError(err, 'CLIMATIK_CONFIG_INVALID') && err.issues.some((i) => i.path === path && message.test(i.message)), `${path}: ${JSON.stringify(isClimatikError(err) ? err.issues : err)}`);
  }
  const slackOnly = buildConfig(NotificationsConfigSchema, { slack: {} }, 'test');
  t.throws(() => buildSinks(slackOnly, deps), { code: 'CLIMATIK_CONFIG_INVALID' }, 'Slack without its secrets');
});

t.test('Slack secrets from a mounted Secret directory', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'climatik-secret-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'webhook-url'), 'https://hooks.slack.com/services/T/B/X\n');
  await writeFile(join(dir, 'signing-secret'), 'abc123\n');
  t.same(await readSlackSecrets(dir), { webhookUrl: 'https://hooks.slack.com/services/T/B/X', signingSecret: 'abc123' });
  await writeFile(join(dir, 'signing-secret'), '\n');
  await t.rejects(readSlackSecrets(dir), { code: 'CLIMATIK_CONFIG_INVALID' }, 'empty key');
  await t.rejects(readSlackSecrets(join(dir, 'missing')), { code: 'CLIMATIK_CONFIG_UNREADABLE' }, 'Secret not mounted');
});
