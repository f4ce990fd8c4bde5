// Integration: the real Alertmanager (Debian package) on loopback.
import t from 'tap';
import { systemClock } from '../../common/index.js';
import { AlertmanagerSink } from './alertmanager-sink.js';
import { startAlertmanager } from '../../test/alertmanager/alertmanager.js';
import { hotRackRecommendation } from './testing/fixtures.js';
import { rackKeyOf } from './types.js';

interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  endsAt: string;
  status: { state: string };
}

async function listAlerts(url: string): Promise<GettableAlert[]> {
  const res = await fetch(`${url}/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true`);
  return (await res.json()) as GettableAlert[];
}

const find = (alerts: GettableAlert[], alertname: string) => alerts.find((a) => a.labels['alertname'] === alertname && a.labels['rack'] === 'rack-a');

t.test('hot rack fires ClimatikRackOverCap, recovery resolves it (real Alertmanager)', async (t) => {
  const am = await startAlertmanager();
  t.teardown(() => am.stop());
  const sink = new AlertmanagerSink({ url: am.url }, systemClock);
  const rec = hotRackRecommendation();

  await sink.publish(rec);
  const firing = find(await listAlerts(am.url), 'ClimatikRackOverCap');
  t.ok(firing, 'the alert is listed');
  t.match(firing?.labels, { alertname: 'ClimatikRackOverCap', rack: 'rack-a', policy: 'rack-a-cap', namespace: 'llm', severity: 'critical' });
  t.match(firing?.annotations, { measured: '9600 W', forecast: '9850 W', cap: '9000 W' });
  t.match(firing?.annotations['actions'], /GPU power limit 275 W on node gpu-node-1\nmaxReplicaCount 6 on ScaledObject llm\/llama-70b/);
  t.equal(firing?.status.state, 'active');

  await sink.resolve(rackKeyOf(rec.policy, 'rack-a'));
  const after = find(await listAlerts(am.url), 'ClimatikRackOverCap');
  // Alertmanager either drops a resolved alert from the list or shows it with endsAt in the past.
  t.ok(after === undefined || (Date.parse(after.endsAt) <= Date.now() && after.status.state !== 'active'), `resolved: ${JSON.stringify(after)}`);
});

t.test('rack forecast over cap, then over it: NearCap (warning) is replaced by OverCap', async (t) => {
  const am = await startAlertmanager();
  t.teardown(() => am.stop());
  const sink = new AlertmanagerSink({ url: am.url }, systemClock);
  const near = hotRackRecommendation({ rack: { id: 'rack-a', state: 'ForecastOverCap', capW: 9000, measuredW: 8800, forecastW: 9300, excessW: 300 } });

  await sink.publish(near);
  t.match(find(await listAlerts(am.url), 'ClimatikRackNearCap')?.labels, { severity: 'warning' });

  await sink.publish(hotRackRecommendation());
  const alerts = await listAlerts(am.url);
  t.equal(find(alerts, 'ClimatikRackOverCap')?.status.state, 'active');
  const oldNear = find(alerts, 'ClimatikRackNearCap');
  t.ok(oldNear === undefined || oldNear.status.state !== 'active', 'the NearCap alert is no longer active');
});

t.test('resolve after a restart (no memory of the alertname) still ends the firing alert', async (t) => {
  const am = await startAlertmanager();
  t.teardown(() => am.stop());
  const rec = hotRackRecommendation();
  await new AlertmanagerSink({ url: am.url }, systemClock).publish(rec);
  await new AlertmanagerSink({ url: am.url }, systemClock).resolve(rackKeyOf(rec.policy, 'rack-a'));
  const after = find(await listAlerts(am.url), 'ClimatikRackOverCap');
  t.ok(after === undefined || after.status.state !== 'active', `resolved: ${JSON.stringify(after)}`);
});

t.test('unreachable Alertmanager and a malformed rack key make publish/resolve reject', async (t) => {
  const sink = new AlertmanagerSink({ url: 'http://127.0.0.1:1', timeoutMs: 1000 }, systemClock);
  await t.rejects(sink.publish(hotRackRecommendation()));
  await t.rejects(sink.resolve('not-a-key'), /invalid rack key/);
});

t.test('a give-back proposal for a cooled rack posts no alert (the rack\'s alert was resolved when it cooled)', async (t) => {
  // Unreachable on purpose: any request would reject.
  const sink = new AlertmanagerSink({ url: 'http://127.0.0.1:1', timeoutMs: 1000 }, systemClock);
  const giveBack = hotRackRecommendation({
    rack: { id: 'rack-a', state: 'UnderCap', capW: 9000, measuredW: 6000, excessW: -3000 },
    actions: [{ kind: 'RestoreMaxReplicas', namespace: 'llm', name: 'llama-70b', rackId: 'rack-a', maxReplicaCount: 8, reason: 'back under' }],
  });
  await t.resolves(sink.publish(giveBack));
});
