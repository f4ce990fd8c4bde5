import t from 'tap';
import { Registry } from 'prom-client';
import { silentLogger, systemClock } from '../../common/index.js';
import { AlertmanagerSink } from './alertmanager-sink.js';
import { backoffMs, NotificationDispatcher } from './dispatcher.js';
import { SlackWebhookSink } from './slack-sink.js';
import { freePort } from '../../test/support/loopback.js';
import { hotRackRecommendation } from './testing/fixtures.js';
import { startHttpReceiver } from './testing/http-receiver.js';
import type { NotificationSink } from './types.js';

async function metric(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (!m) return 0;
  const values = (await m.get()).values;
  return values.filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want)).reduce((s, v) => s + v.value, 0);
}

/** A unit-test sink that fails its first `failures` calls. */
function flakySink(name: string, failures: number): NotificationSink & { calls: string[] } {
  const calls: string[] = [];
  return {
    name,
    calls,
    async publish(rec) {
      calls.push(`publish ${rec.id}`);
      if (calls.length <= failures) throw new Error(`${name} down`);
    },
    async resolve(rackKey) {
      calls.push(`resolve ${rackKey}`);
      if (calls.length <= failures) throw new Error(`${name} down`);
    },
  };
}

t.test('backoff doubles from the base and stops at the maximum', async (t) => {
  const retry = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
  t.same([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, retry)), [100, 200, 400, 800, 1000, 1000]);
});

const scenarios = [
  { name: 'sink recovers on the third try', failures: 2, maxAttempts: 5, delays: [100, 200], success: 1, failure: 0, attemptFailures: 2 },
  { name: 'sink down for good: gives up after maxAttempts', failures: 99, maxAttempts: 4, delays: [100, 200, 250], success: 0, failure: 1, attemptFailures: 4 },
  { name: 'healthy sink: one call, no wait', failures: 0, maxAttempts: 3, delays: [], success: 1, failure: 0, attemptFailures: 0 },
];
for (const s of scenarios) {
  t.test(`retries: ${s.name}`, async (t) => {
    const registry = new Registry();
    const slept: number[] = [];
    const sink = flakySink('flaky', s.failures);
    const d = new NotificationDispatcher({
      sinks: [sink],
      logger: silentLogger(),
      registry,
      retry: { maxAttempts: s.maxAttempts, baseDelayMs: 100, maxDelayMs: 250 },
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    d.publish(hotRackRecommendation());
    await d.idle();
    t.same(slept, s.delays);
    t.equal(sink.calls.length, Math.min(s.failures + 1, s.maxAttempts));
    t.equal(await metric(registry, 'climatik_sink_deliveries_total', { sink: 'flaky', operation: 'publish', outcome: 'success' }), s.success);
    t.equal(await metric(registry, 'climatik_sink_deliveries_total', { sink: 'flaky', operation: 'publish', outcome: 'failure' }), s.failure);
    t.equal(await metric(registry, 'climatik_sink_attempt_failures_total', { sink: 'flaky' }), s.attemptFailures);
  });
}

t.test('hung sink: publish returns at once, other sinks still deliver, overflow is dropped and counted', async (t) => {
  const registry = new Registry();
  const hung: NotificationSink = { name: 'hung', publish: () => new Promise(() => undefined), resolve: () => new Promise(() => undefined) };
  const healthy = flakySink('healthy', 0);
  const d = new NotificationDispatcher({ sinks: [hung, healthy], logger: silentLogger(), registry, maxQueue: 2 });
  for (let i = 0; i < 5; i++) d.publish(hotRackRecommendation({ id: `r${i}` }));
  d.resolve('llm/rack-a-cap/rack-a');
  // The hung sink holds r0 in flight, queues r1 and r2, drops r3, r4 and the resolve.
  t.equal(await metric(registry, 'climatik_sink_dropped_total', { sink: 'hung' }), 3);
  t.equal(await metric(registry, 'climatik_sink_queue_depth', { sink: 'hung' }), 2);
  await new Promise((r) => setTimeout(r, 20));
  // healthy: the six jobs arrive synchronously, so the same bound applies; delivered in order.
  t.same(healthy.calls, ['publish r0', 'publish r1', 'publish r2']);
  t.equal(await metric(registry, 'climatik_sink_dropped_total', { sink: 'healthy' }), 3);
});

t.test('real failing sinks: unreachable Alertmanager and a Slack webhook answering 503 twice', async (t) => {
  const registry = new Registry();
  const receiver = await startHttpReceiver();
  t.teardown(() => receiver.close());
  receiver.statuses.push(503, 503);
  const closedPort = await freePort();
  const d = new NotificationDispatcher({
    sinks: [new AlertmanagerSink({ url: `http://127.0.0.1:${closedPort}`, timeoutMs: 1000 }, systemClock), new SlackWebhookSink({ webhookUrl: receiver.url })],
    logger: silentLogger(),
    registry,
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
  });
  d.publish(hotRackRecommendation());
  t.equal(receiver.received.length, 0, 'publish returned before any delivery');
  await d.idle();
  t.equal(receiver.received.length, 3, 'Slack: two 503s, then delivered');
  t.equal(await metric(registry, 'climatik_sink_deliveries_total', { sink: 'slack', outcome: 'success' }), 1);
  t.equal(await metric(registry, 'climatik_sink_attempt_failures_total', { sink: 'slack' }), 2);
  t.equal(await metric(registry, 'climatik_sink_deliveries_total', { sink: 'alertmanager', outcome: 'failure' }), 1);
  t.equal(await metric(registry, 'climatik_sink_attempt_failures_total', { sink: 'alertmanager' }), 3);
});
