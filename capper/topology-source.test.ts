// Topology hot reload: valid edits applied, invalid or missing files rejected with the last good
// topology kept, and the ConfigMap volume's `..data` symlink swap picked up by the poll.
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { silentLogger } from '../common/index.js';
import { capperMetrics } from './metrics.js';
import { TopologySource } from './topology-source.js';

const doc = (budgets: Record<string, number>) =>
  [
    'apiVersion: climatik.io/v1alpha1', 'kind: RackTopology', 'supplyTemperatureC: 18', 'redlineInletC: 27', 'racks:',
    ...Object.entries(budgets).map(([id, w]) => `  - { id: ${id}, powerBudgetW: ${w} }`),
    'heatRecirculation:', `  matrixCPerKW: ${JSON.stringify(Object.keys(budgets).map((_, i) => Object.keys(budgets).map((__, j) => (i === j ? 0.1 : 0))))}`, '',
  ].join('\n');

async function setup(t: { teardown(fn: () => unknown): void }, logger = silentLogger()) {
  const dir = await mkdtemp(join(tmpdir(), 'capper-topology-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'topology.yaml');
  await writeFile(file, doc({ 'rack-a': 10_000 }));
  const registry = new Registry();
  const source = await TopologySource.load({ file, logger, metrics: capperMetrics(registry), pollIntervalMs: 20 });
  const reloads = async (result: string) => (await registry.getSingleMetric('climatik_capper_topology_reloads_total')?.get())?.values.find((v) => v.labels.result === result)?.value ?? 0;
  const valid = async () => (await registry.getSingleMetric('climatik_capper_topology_file_valid')?.get())?.values[0]?.value;
  const budgets = () => source.current().racks.map((r) => [r.id, r.powerBudgetW]);
  return { dir, file, source, reloads, valid, budgets, registry };
}

void t.test('valid edit: applied, counted once, unchanged polls do nothing', async (t) => {
  const s = await setup(t);
  t.equal(await s.source.reload(), 'unchanged');
  await writeFile(s.file, doc({ 'rack-a': 8000, 'rack-b': 9000 }));
  t.equal(await s.source.reload(), 'applied');
  t.same(s.budgets(), [['rack-a', 8000], ['rack-b', 9000]]);
  t.equal(await s.source.reload(), 'unchanged');
  t.equal(await s.reloads('applied'), 1);
  t.equal(await s.valid(), 1);
});

const badEdits: [string, string][] = [
  ['YAML syntax error', 'racks: [1, 2'],
  ['schema violation (negative budget)', doc({ 'rack-a': -5 })],
  ['cross-field rule (matrix size)', doc({ 'rack-a': 10_000 }).replace('[[0.1]]', '[[0.1, 0], [0, 0.1]]')],
  ['empty file', ''],
];
for (const [name, text] of badEdits) {
  void t.test(`invalid edit (${name}): rejected, the last good topology kept, flagged in /metrics`, async (t) => {
    const s = await setup(t);
    await writeFile(s.file, text);
    t.equal(await s.source.reload(), 'rejected');
    t.same(s.budgets(), [['rack-a', 10_000]]);
    t.equal(await s.reloads('rejected'), 1);
    t.equal(await s.valid(), 0);
    t.equal(await s.source.reload(), 'rejected', 'still bad on the next poll');
    t.equal(await s.reloads('rejected'), 1, 'the same bad edit is counted once');
    await writeFile(s.file, doc({ 'rack-a': 7000 }));
    t.equal(await s.source.reload(), 'applied', 'a fixed file is applied');
    t.same(s.budgets(), [['rack-a', 7000]]);
    t.equal(await s.valid(), 1);
  });
}

void t.test('file missing at reload: rejected with a warning naming the file, topology kept', async (t) => {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, cb) => { lines.push(chunk.toString()); cb(); } }));
  const s = await setup(t, logger);
  await rm(s.file);
  t.equal(await s.source.reload(), 'rejected');
  t.same(s.budgets(), [['rack-a', 10_000]]);
  t.equal(await s.reloads('rejected'), 1);
  const warning = lines.map((l) => JSON.parse(l) as { level: number; msg: string; file?: string; err?: string }).find((l) => l.level === 40);
  t.match(warning, { msg: /keeping the last good topology/, file: s.file, err: /ENOENT/ });
});

void t.test('first load of an invalid file fails with the topology error and its issues', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'capper-topology-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'topology.yaml');
  await writeFile(file, doc({ 'rack-a': -1 }));
  const deps = { file, logger: silentLogger(), metrics: capperMetrics(new Registry()), pollIntervalMs: 20 };
  await t.rejects(TopologySource.load(deps), { code: 'CLIMATIK_TOPOLOGY_INVALID', issues: [{ path: /racks\/0\/powerBudgetW/ }] });
  await t.rejects(TopologySource.load({ ...deps, file: join(dir, 'absent.yaml') }), { code: 'CLIMATIK_CONFIG_UNREADABLE' });
});

void t.test('ConfigMap volume: kubelet swaps the ..data symlink, the poll picks the new topology up', async (t) => {
  // The layout kubelet writes: topology.yaml -> ..data/topology.yaml, ..data -> ..<timestamp>/.
  const dir = await mkdtemp(join(tmpdir(), 'capper-configmap-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const version = async (name: string, text: string) => {
    await mkdir(join(dir, name));
    await writeFile(join(dir, name, 'topology.yaml'), text);
    await symlink(name, join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data')); // atomic replace, as kubelet does
  };
  await version('..v1', doc({ 'rack-a': 10_000 }));
  await symlink('..data/topology.yaml', join(dir, 'topology.yaml'));
  const registry = new Registry();
  const source = await TopologySource.load({ file: join(dir, 'topology.yaml'), logger: silentLogger(), metrics: capperMetrics(registry), pollIntervalMs: 20 });
  source.start();
  t.teardown(() => source.stop());
  await version('..v2', doc({ 'rack-a': 6000 }));
  for (let i = 0; i < 250 && source.current().racks[0]?.powerBudgetW !== 6000; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal(source.current().racks[0]?.powerBudgetW, 6000, 'new topology in use after the swap');
  await rm(join(dir, '..v1'), { recursive: true });
  await version('..v3', 'racks: nope');
  for (let i = 0; i < 250 && (await registry.getSingleMetric('climatik_capper_topology_file_valid')?.get())?.values[0]?.value !== 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  t.equal(source.current().racks[0]?.powerBudgetW, 6000, 'invalid swap rejected, previous kept');
  await source.stop();
});
