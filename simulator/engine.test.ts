import t from 'tap';
import { buildConfig, readDocument } from '../common/index.js';
import { coolingPowerW } from '../rack-model/index.js';
import { runPolicy, idleRackPowerW, buildCluster, gpuSpecOf } from './engine.js';
import { ScenarioSchema, type ScenarioDocument } from './scenario-schema.js';
import { resolveScenario, type ResolvedScenario } from './scenario.js';
import { simulate, toJson } from './simulate.js';

const TINY = new URL('./testdata/tiny-scenario.yaml', import.meta.url).pathname;

async function tiny(edit: (doc: ScenarioDocument) => void = () => {}, overrides = {}): Promise<ResolvedScenario> {
  const doc = structuredClone(buildConfig(ScenarioSchema, await readDocument(TINY), TINY)) as ScenarioDocument;
  edit(doc);
  return resolveScenario(doc, TINY, overrides);
}

const SUM = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

await t.test('energy balance: IT energy is the integral of the rack powers', async (t) => {
  const scenario = await tiny(undefined, { durationS: 300 });
  for (const name of ['default-spread', 'climatik'] as const) {
    const run = runPolicy(scenario, name);
    const interval = scenario.doc.sampleIntervalS;
    t.equal(run.series.timeS.length, scenario.durationS / interval, `${name}: one point per interval`);
    const fromRacksKWh = SUM(run.series.rackPowerW.map((racks) => SUM(racks) * interval)) / 3.6e6;
    const fromItKWh = SUM(run.series.itW.map((w) => w * interval)) / 3.6e6;
    t.ok(Math.abs(fromRacksKWh - run.metrics.itEnergyKWh) < 1e-3, `${name}: racks ${fromRacksKWh} vs ${run.metrics.itEnergyKWh}`);
    t.ok(Math.abs(fromItKWh - run.metrics.itEnergyKWh) < 1e-3);
  }
});

await t.test('cooling energy is IT power over the CoP at the supply temperature the CRAC ran', async (t) => {
  // One step per report point, so every point is exactly one step of the loop.
  const scenario = await tiny((d) => {
    d.stepS = 30;
  }, { durationS: 300 });
  const run = runPolicy(scenario, 'default-spread');
  const { coolingW, itW, supplyC } = run.series;
  coolingW.forEach((w, i) => t.ok(Math.abs(w - coolingPowerW(itW[i] ?? 0, supplyC[i] ?? 0)) < 1e-6, `point ${i}`));
  t.ok(Math.abs(SUM(coolingW.map((w) => w * 30)) / 3.6e6 - run.metrics.coolingEnergyKWh) < 1e-3);
  for (const s of supplyC) t.ok(s >= scenario.topology.supplyTemperatureC && s <= scenario.topology.redlineInletC, `supply ${s} within design..red line`);
});

await t.test('no negative power: every rack draws at least its idle floor', async (t) => {
  const scenario = await tiny();
  const floor = idleRackPowerW(buildCluster(scenario), gpuSpecOf(scenario));
  for (const name of ['default-spread', 'bin-pack', 'random', 'min-hr', 'climatik'] as const) {
    const run = runPolicy(scenario, name);
    const ok = run.series.rackPowerW.every((racks) => racks.every((w, i) => w >= (floor[scenario.topology.racks[i]?.id ?? ''] ?? 0) - 1e-6));
    t.ok(ok, `${name}: racks at or above the idle floor`);
    t.ok(run.series.coolingW.every((w) => w > 0));
    t.ok(run.metrics.tokensServed <= run.metrics.tokensDemanded, `${name}: served ${run.metrics.tokensServed} <= demanded ${run.metrics.tokensDemanded}`);
    t.ok(run.metrics.tokensServed > 0.8 * run.metrics.tokensDemanded, `${name}: the tiny load is mostly served`);
    t.ok(run.metrics.p99TtftS > 0 && run.metrics.p99TpotS > 0);
  }
});

await t.test('deterministic for a seed: the same JSON twice; another seed changes random', async (t) => {
  const a = toJson(simulate(await tiny()));
  const b = toJson(simulate(await tiny()));
  t.same(JSON.stringify(a), JSON.stringify(b));
  const other = toJson(simulate(await tiny(undefined, { seed: 99, policies: ['random'] })));
  t.not(JSON.stringify(other.policies.random), JSON.stringify(a.policies.random));
});

await t.test('lp-bound without thermal lag never has a hotter peak than the run it replays', async (t) => {
  const scenario = await tiny((d) => {
    d.room.timeConstantS = 0;
  }, { policies: ['default-spread', 'lp-bound'] });
  const [spread, bound] = simulate(scenario).runs;
  t.equal(bound?.name, 'lp-bound');
  t.ok((bound?.metrics.peakInletC ?? Infinity) <= (spread?.metrics.peakInletC ?? 0) + 1e-9, `${bound?.metrics.peakInletC} <= ${spread?.metrics.peakInletC}`);
  t.equal(bound?.metrics.tokensServed, spread?.metrics.tokensServed, 'the bound replays the same work');
});

await t.test('tight budgets: the capper in the loop lowers GPU limits', async (t) => {
  // Budgets leave room for one replica per rack; the cap (70 % of budget) sits just above the idle floor.
  const scenario = await tiny((d) => {
    if (d.climatik.capping !== undefined) d.climatik.capping.capPercentOfBudget = 70;
  }, { loadScale: 3 });
  const tight = { ...scenario, topology: { ...scenario.topology, racks: scenario.topology.racks.map((r) => ({ ...r, powerBudgetW: 6500 })) } };
  const run = runPolicy(tight, 'climatik');
  t.ok(run.extras.gpuLimitChanges > 0, `${run.extras.gpuLimitChanges} GPU limit changes`);
});

await t.test('a bad scenario lists every problem with its path', async (t) => {
  const raw = structuredClone(await readDocument(TINY)) as Record<string, unknown> & { services: Record<string, unknown>[] };
  raw.stepS = 0;
  raw.bogus = true;
  (raw.services[0] as Record<string, unknown>).gpusPerReplica = 0;
  const err = t.throws(() => buildConfig(ScenarioSchema, raw, 'bad.yaml')) as unknown as { code: string; issues: { path: string }[] };
  t.equal(err.code, 'CLIMATIK_CONFIG_INVALID');
  const paths = err.issues.map((i) => i.path);
  for (const p of ['/stepS', '/bogus', '/services/0/gpusPerReplica']) t.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
});
