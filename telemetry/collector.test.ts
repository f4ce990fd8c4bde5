// Unit: the collector's lifecycle with a fake query API and a manual clock — shared refreshes,
// failures degrading into staleness, metrics, callbacks and rack mappings that throw.
import t from 'tap';
import { Registry } from 'prom-client';
import { ManualClock, silentLogger } from '../common/index.js';
import { PrometheusSnapshotSource } from './collector.js';
import { telemetryConfig } from './config.js';
import { PrometheusError, type InstantSample } from './prometheus-api.js';
import type { QueryApi } from './read-all.js';
import { createPrometheusSnapshotSource } from './index.js';

const config = telemetryConfig({ prometheusUrl: 'http://prom:9090', maxAgeMs: 30_000, refreshIntervalMs: 100 });

/** Answers Kepler ≥ 0.10 queries from a table the test changes; `down` makes every query fail. */
function fakeApi(clock: ManualClock) {
  const state = { packageW: { n1: 200, n2: 300 } as Record<string, number>, down: false, calls: 0 };
  const api: QueryApi = {
    async query(promql, timeMs) {
      state.calls++;
      if (state.down) throw new PrometheusError('CLIMATIK_TELEMETRY_UNAVAILABLE', 'prometheus http://prom:9090/api/v1/query: unreachable (ECONNREFUSED)', undefined, promql);
      const at = timeMs ?? clock.nowMs();
      const s = (metric: Record<string, string>, value: number): InstantSample => ({ metric, value, timeMs: at });
      if (promql.startsWith('group by')) return [s({ __name__: 'kepler_node_cpu_watts' }, 1)];
      if (promql.includes('zone="package"')) return Object.entries(state.packageW).map(([n, w]) => s({ node_name: n }, w));
      return [];
    },
  };
  return { api, state };
}

void t.test('refresh builds a snapshot at the clock time; concurrent callers share one refresh', async (t) => {
  const clock = new ManualClock(1_000_000);
  const { api, state } = fakeApi(clock);
  const source = new PrometheusSnapshotSource({ api, config, rackOfNode: () => 'r1', clock, logger: silentLogger() });
  t.equal(source.current(), undefined, 'nothing before the first refresh');
  const [a, b] = await Promise.all([source.refresh(), source.refresh()]);
  t.equal(a, b, 'one refresh, shared');
  t.equal(state.calls, 1 + 9, 'detection + one round of queries');
  t.same(a.rackPowerW.r1, { value: 500, sampleTimeMs: 1_000_000, stale: false, source: 'sum of 2 node(s)' });
  t.equal(source.current(), a);
});

void t.test('Prometheus down: readers keep the last snapshot, aging into staleness; metrics count the errors', async (t) => {
  const clock = new ManualClock(0);
  const { api, state } = fakeApi(clock);
  const registry = new Registry();
  const seen: number[] = [];
  const source = new PrometheusSnapshotSource({ api, config, rackOfNode: () => 'r1', clock, logger: silentLogger(), registry, onSnapshot: (s) => seen.push(s.takenAtMs) });
  await source.refresh();
  state.down = true;
  clock.advance(10_000);
  const during = await source.refresh();
  t.equal(during.rackPowerW.r1?.value, 500);
  t.equal(during.rackPowerW.r1?.stale, false, 'not stale yet');
  t.match(during.problems[0], /^refresh failed \(CLIMATIK_TELEMETRY_UNAVAILABLE\): .*unreachable/);
  clock.advance(30_000);
  const later = await source.refresh();
  t.equal(later.rackPowerW.r1?.stale, true, 'stale after maxAgeMs');
  t.same(seen, [0, 10_000, 40_000], 'every swap reported');
  const text = await registry.metrics();
  t.match(text, /climatik_telemetry_refresh_errors_total\{code="CLIMATIK_TELEMETRY_UNAVAILABLE"\} 2/);
  t.match(text, /climatik_telemetry_stale_series\{kind="rack"\} 1/);
  t.match(text, /climatik_telemetry_snapshot_age_seconds 40/);
  state.down = false;
  const back = await source.refresh();
  t.equal(back.rackPowerW.r1?.stale, false, 'fresh again');
  t.same(back.problems, []);
});

void t.test('no snapshot yet and Prometheus down: an empty snapshot that says why', async (t) => {
  const clock = new ManualClock(0);
  const { api, state } = fakeApi(clock);
  state.down = true;
  const source = new PrometheusSnapshotSource({ api, config, rackOfNode: () => 'r1', clock, logger: silentLogger() });
  const snap = await source.refresh();
  t.same(snap.rackPowerW, {});
  t.equal(snap.problems.length, 1);
});

void t.test('a throwing rack mapping or onSnapshot callback never reaches readers', async (t) => {
  const clock = new ManualClock(0);
  const { api } = fakeApi(clock);
  let broken = false;
  const source = new PrometheusSnapshotSource({
    api,
    config,
    rackOfNode: () => {
      if (broken) throw new Error('topology not loaded');
      return 'r1';
    },
    clock,
    logger: silentLogger(),
    onSnapshot: () => {
      throw new Error('callback bug');
    },
  });
  t.equal((await source.refresh()).rackPowerW.r1?.value, 500);
  broken = true;
  const snap = await source.refresh();
  t.same(snap.rackPowerW, {}, 'no rack can be trusted without the mapping');
  t.match(snap.problems, [/refresh failed \(UNEXPECTED\): topology not loaded/, /rack mapping failed: topology not loaded/]);
});

void t.test('start/stop: background loop refreshes on its interval and stops cleanly', async (t) => {
  const clock = new ManualClock(0);
  const { api, state } = fakeApi(clock);
  const source = createPrometheusSnapshotSource({ prometheusUrl: 'http://prom:9090', rackOfNode: () => 'r1', clock, logger: silentLogger(), config: { refreshIntervalMs: 100 } });
  t.type(source, PrometheusSnapshotSource, 'the factory builds the live source');
  const looped = new PrometheusSnapshotSource({ api, config, rackOfNode: () => 'r1', clock, logger: silentLogger() });
  looped.start();
  looped.start(); // idempotent
  await new Promise((resolve) => setTimeout(resolve, 350));
  await looped.stop();
  const calls = state.calls;
  t.ok(calls >= 20, `refreshed repeatedly (${calls} queries)`);
  await new Promise((resolve) => setTimeout(resolve, 250));
  t.equal(state.calls, calls, 'no refresh after stop');
  t.throws(() => createPrometheusSnapshotSource({ prometheusUrl: 'prom:9090', rackOfNode: () => undefined, clock, logger: silentLogger() }), {
    code: 'CLIMATIK_CONFIG_INVALID',
    issues: [{ path: '/prometheusUrl' }],
  });
});

void t.test('climatik telemetry snapshot: usage errors name the flag', async (t) => {
  const { run } = await import('./cli.js');
  let out = '';
  const io = { out: { write: (text: string) => (out += text) } };
  t.equal(await run(['--help'], io), 0);
  t.match(out, /usage: climatik telemetry snapshot --prometheus URL/);
  await t.rejects(run([], io), { code: 'CLIMATIK_USAGE', message: /--prometheus is required/ });
  await t.rejects(run(['--prometheus', 'http://p', 'extra'], io), { code: 'CLIMATIK_USAGE', message: /unexpected argument extra/ });
  await t.rejects(run(['--prometheus', 'ftp://p'], io), { code: 'CLIMATIK_CONFIG_INVALID', issues: [{ path: '/prometheusUrl' }] });
  await t.rejects(run(['--bogus'], io), { code: 'CLIMATIK_USAGE' });
});
