// The small I/O helpers: health server routes and the file power source.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry, Counter } from 'prom-client';
import t from 'tap';
import { ManualClock, silentLogger } from '../common/index.js';
import { topology } from './decisions/test-fixtures.js';
import { startHealthServer } from './health-server.js';
import { FilePowerSource } from './power-source.js';

void t.test('health server: /healthz, /readyz follows readiness, /metrics, 404', async (t) => {
  const registry = new Registry();
  new Counter({ name: 'climatik_test_total', help: 'x', registers: [registry] }).inc();
  let ready = false;
  const h = await startHealthServer({ host: '127.0.0.1', port: 0, registry, ready: () => ready });
  t.teardown(() => h.close());
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${h.port}${path}`);
    return [res.status, await res.text()] as const;
  };
  t.same(await get('/healthz'), [200, 'ok\n']);
  t.equal((await get('/readyz'))[0], 503);
  ready = true;
  t.equal((await get('/readyz'))[0], 200);
  t.match((await get('/metrics'))[1], /climatik_test_total 1/);
  t.equal((await get('/nope'))[0], 404);
});

void t.test('file power source: re-read every call, history grows, bad files mean no snapshot', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'capper-power-'));
  const file = join(dir, 'power.json');
  const clock = new ManualClock(1_000_000);
  const source = new FilePowerSource(file, () => topology, clock, silentLogger());
  t.equal(await source.snapshot(), undefined, 'missing file');
  await writeFile(file, JSON.stringify({ rackPowerW: { 'rack-a': 8000 }, podPowerW: { 'ml/p1': 500 } }));
  t.match(await source.snapshot(), { rackPowerW: { 'rack-a': { value: 8000, stale: false } }, podPowerW: { 'ml/p1': { value: 500 } } });
  clock.advance(60_000);
  await writeFile(file, JSON.stringify({ rackPowerW: { 'rack-a': 9000 } }));
  await source.snapshot();
  t.same((await source.history(3_600_000))['rack-a']?.map((s) => s.powerW), [8000, 9000]);
  t.same((await source.history(30_000))['rack-a']?.map((s) => s.powerW), [9000], 'window');
  await writeFile(file, JSON.stringify({ rackPowerW: { 'rack-z': 1 } }));
  t.equal(await source.snapshot(), undefined, 'unknown rack is invalid');
  await writeFile(file, '{not json');
  t.equal(await source.snapshot(), undefined, 'unparsable');
});
