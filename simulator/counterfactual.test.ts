import t from 'tap';
import type { CounterfactualSide } from '../capper/counterfactual/types.js';
import type { PolicyMode } from '../capper/policy-schema.js';
import { buildConfig, readDocument } from '../common/index.js';
import { runPolicy } from './engine.js';
import { counterfactualSummary, verdict } from './counterfactual.js';
import { counterfactualSection } from './report-table.js';
import { renderHtmlReport } from './report-html.js';
import { ScenarioSchema, type ScenarioDocument } from './scenario-schema.js';
import { resolveScenario, type ResolvedScenario } from './scenario.js';
import { simulate, toJson, twinRuns } from './simulate.js';

const TINY = new URL('./testdata/tiny-scenario.yaml', import.meta.url).pathname;
type Capping = NonNullable<ScenarioDocument['climatik']['capping']>;

/** The tiny scenario with only `climatik`, its capping block edited, racks' budgets optionally set. */
async function tiny(opts: { capping?: (c: Capping) => void; noCapping?: boolean; budgetW?: number; loadScale?: number; policies?: ('climatik' | 'default-spread')[] }): Promise<ResolvedScenario> {
  const doc = structuredClone(buildConfig(ScenarioSchema, await readDocument(TINY), TINY)) as ScenarioDocument;
  if (opts.noCapping === true) delete doc.climatik.capping;
  else if (doc.climatik.capping !== undefined) opts.capping?.(doc.climatik.capping);
  const s = await resolveScenario(doc, TINY, { policies: opts.policies ?? ['climatik'], loadScale: opts.loadScale ?? 1 });
  const { budgetW } = opts;
  return budgetW === undefined ? s : { ...s, topology: { ...s.topology, racks: s.topology.racks.map((r) => ({ ...r, powerBudgetW: budgetW })) } };
}

function withMode(s: ResolvedScenario, mode: PolicyMode): ResolvedScenario {
  return { ...s, capping: { ...s.capping, mode } };
}

// Two rooms where the racks run over the cap without the capper: the bundled 95 % cap under four
// times the tiny load, and a 70 % cap on 6.5 kW budgets (just above the idle floor).
const TIGHT = [
  { name: '95 % cap, 4x load', pct: 95, budgetW: undefined, loadScale: 4 },
  { name: '70 % cap on 6.5 kW budgets, 3x load', pct: 70, budgetW: 6500, loadScale: 3 },
] as const;

await t.test('twin on the same trace and seed: each side equals a plain replay in that capper mode', async (t) => {
  const s = await tiny({ capping: (c) => (c.capPercentOfBudget = TIGHT[0].pct), loadScale: TIGHT[0].loadScale });
  const summary = simulate(s).counterfactual.climatik?.summary;
  const recommend = runPolicy(withMode(s, 'Recommend'), 'climatik').capping;
  const enforce = runPolicy(withMode(s, 'Enforce'), 'climatik').capping;
  t.same(summary?.withoutActions, { ...recommend?.side, basis: 'simulated' });
  t.same(summary?.withActions, { ...enforce?.side, basis: 'simulated' });
  t.equal(summary?.recommendations, recommend?.recommendations);
  t.equal(summary?.taken, enforce?.taken);
  const ttft = `p99 TTFT ${recommend?.p99TtftS.toFixed(2)} → ${enforce?.p99TtftS.toFixed(2)} s`;
  if (recommend?.p99TtftS.toFixed(2) === enforce?.p99TtftS.toFixed(2)) t.notMatch(summary?.verdict, 'TTFT', 'equal latency is not named');
  else t.match(summary?.verdict, ttft, 'the latency cost is named');
  t.equal(summary?.from, '1970-01-01T00:00:00.000Z', 'the replay clock starts at the epoch');
  t.equal(summary?.to, new Date(Math.round(s.durationS * 1000)).toISOString());
});

await t.test('Recommend mode carries nothing out: no GPU limit or replica ceiling changes, nothing taken', async (t) => {
  const s = await tiny({ capping: (c) => (c.capPercentOfBudget = TIGHT[0].pct), loadScale: TIGHT[0].loadScale });
  const recommend = runPolicy(withMode(s, 'Recommend'), 'climatik');
  const enforce = runPolicy(withMode(s, 'Enforce'), 'climatik');
  t.ok((recommend.capping?.recommendations ?? 0) > 0, `${recommend.capping?.recommendations} recommendations`);
  t.equal(recommend.extras.gpuLimitChanges, 0);
  t.equal(recommend.extras.replicaCeilingChanges, 0);
  t.equal(recommend.capping?.taken, 0);
  t.ok(enforce.extras.gpuLimitChanges > 0, 'the same decisions applied do change GPU limits');
  t.ok((enforce.capping?.taken ?? 0) > 0 && (enforce.capping?.taken ?? 0) <= (enforce.capping?.recommendations ?? 0));
});

for (const c of TIGHT) {
  await t.test(`tight cap (${c.name}): the actions leave no more seconds over cap and no more energy`, async (t) => {
    const s = await tiny({ capping: (p) => (p.capPercentOfBudget = c.pct), budgetW: c.budgetW, loadScale: c.loadScale });
    const summary = simulate(s).counterfactual.climatik?.summary;
    if (summary === undefined) return t.fail('no counterfactual');
    const { withActions: w, withoutActions: wo } = summary;
    t.ok(wo.capBreachSeconds > 0, `without actions the racks breach the cap (${wo.capBreachSeconds} s)`);
    t.ok(w.capBreachSeconds <= wo.capBreachSeconds, `${w.capBreachSeconds} s <= ${wo.capBreachSeconds} s`);
    t.ok(w.energyKWh <= wo.energyKWh, `${w.energyKWh} kWh <= ${wo.energyKWh} kWh`);
    t.ok(w.meanPowerW <= wo.meanPowerW);
    t.ok(summary.recommendations > 0 && summary.taken > 0);
    t.ok(w.servedPercent <= 100 && wo.servedPercent <= 100 && w.servedPercent > 0);
    t.match(summary.verdict, /^capping (removed|left)/);
  });
}

await t.test('unreachable cap (capWatts far above any rack): both sides equal, nothing recommended', async (t) => {
  const s = await tiny({
    capping: (c) => {
      delete c.capPercentOfBudget;
      c.capWatts = 1_000_000;
    },
    loadScale: 4,
  });
  const summary = simulate(s).counterfactual.climatik?.summary;
  if (summary === undefined) return t.fail('no counterfactual');
  t.same(summary.withActions, summary.withoutActions);
  t.equal(summary.withActions.capBreachSeconds, 0);
  t.equal(summary.recommendations, 0);
  t.equal(summary.taken, 0);
  t.match(summary.verdict, /recommended nothing/);
});

await t.test('the twin runs the mode the scenario lacks; the summary does not depend on which one the scenario names', async (t) => {
  const base = await tiny({ capping: (c) => (c.capPercentOfBudget = TIGHT[0].pct), loadScale: TIGHT[0].loadScale });
  const cases: [PolicyMode, PolicyMode[]][] = [
    ['Enforce', ['Recommend']],
    ['Recommend', ['Enforce']],
    ['Observe', ['Enforce', 'Recommend']],
  ];
  const reports = cases.map(([mode, twins]) => {
    const s = withMode(base, mode);
    t.same(twinRuns(s), twins, `${mode}: replays ${twins.join(', ')}`);
    return simulate(s).counterfactual.climatik;
  });
  t.ok(reports[0] !== undefined);
  t.same(reports[1], reports[0], 'Recommend scenario: same summary and latencies');
  t.same(reports[2], reports[0], 'Observe scenario: same summary and latencies');
});

await t.test('no counterfactual without a capping block or without the climatik policy', async (t) => {
  const cases: [string, Promise<ResolvedScenario>][] = [
    ['no capping block', tiny({ noCapping: true })],
    ['only default-spread', tiny({ policies: ['default-spread'] })],
  ];
  for (const [name, pending] of cases) {
    const s = await pending;
    t.same(twinRuns(s), [], name);
    const result = simulate(s);
    t.same(result.counterfactual, {}, name);
    t.same(Object.keys(toJson(result)), ['policies'], `${name}: the JSON has only the policies`);
  }
});

await t.test('JSON, text and HTML carry the summary', async (t) => {
  const s = await tiny({ capping: (c) => (c.capPercentOfBudget = TIGHT[0].pct), loadScale: TIGHT[0].loadScale, policies: ['default-spread', 'climatik'] });
  const result = simulate(s);
  const json = JSON.parse(JSON.stringify(toJson(result))) as Record<string, Record<string, Record<string, unknown>>>;
  t.same(Object.keys(json), ['policies', 'counterfactual']);
  t.same(Object.keys(json.policies ?? {}), ['default-spread', 'climatik'], 'the policies block is unchanged');
  const cf = json.counterfactual?.climatik ?? {};
  t.same(Object.keys(cf).sort(), ['from', 'recommendations', 'taken', 'to', 'verdict', 'withActions', 'withoutActions']);
  for (const side of ['withActions', 'withoutActions']) {
    t.same(Object.keys(cf[side] as object).sort(), ['basis', 'capBreachSeconds', 'energyKWh', 'meanPowerW', 'peakPowerW', 'servedPercent'], side);
  }
  const report = result.counterfactual.climatik;
  if (report === undefined) return t.fail('no counterfactual');
  const { summary } = report;
  const text = counterfactualSection('climatik', report, s);
  t.match(text, /^Counterfactual \(capper\), policy climatik: 4 guarded racks, cap 95 % of each rack's budget/);
  t.match(text, new RegExp(`with actions \\(Enforce\\)\\s+.*\\s${summary.withActions.capBreachSeconds.toFixed(0)}\\s+${summary.withActions.servedPercent.toFixed(3)}\\s+\\S+\\s+${report.p99TtftS.withActions.toFixed(2)}\n`));
  t.match(text, new RegExp(`without \\(Recommend only\\)\\s+.*\\s${summary.withoutActions.capBreachSeconds.toFixed(0)}\\s+${summary.withoutActions.servedPercent.toFixed(3)}\\s+\\S+\\s+${report.p99TtftS.withoutActions.toFixed(2)}\n`));
  t.match(text, new RegExp(`recommendations ${summary.recommendations} .*taken ${summary.taken}`));
  t.match(text, `verdict: ${summary.verdict}`);
  const html = renderHtmlReport(s, result);
  t.match(html, /<h2>Counterfactual \(capper\): climatik<\/h2>/);
  t.match(html, /<table class="cf"><tr><th><\/th><th>mean power kW<\/th>/);
});

const side = (breachS: number, servedPercent: number, energyKWh: number): CounterfactualSide => ({
  meanPowerW: energyKWh * 1000,
  peakPowerW: 10_000,
  capBreachSeconds: breachS,
  servedPercent,
  energyKWh,
});

await t.test('verdict: one line naming breach seconds, tokens and energy', async (t) => {
  const cases: [string, CounterfactualSide, CounterfactualSide, number, string, { withS: number; withoutS: number }?][] = [
    ['removed at a token cost', side(20, 98.8, 10), side(360, 100, 12), 5, 'capping removed 340 s over cap (360 s → 20 s), at the cost of 1.20 % of tokens, 2.0 kWh less IT energy on the guarded racks'],
    ['added, more tokens, more energy', side(112, 99.96, 12.5), side(109, 99.9, 12), 3, 'capping added 3 s over cap (109 s → 112 s), serving 0.06 % more of the tokens, 0.5 kWh more IT energy on the guarded racks'],
    ['unchanged, rounding-level token change', side(0, 99.995, 5), side(0, 99.999, 5), 2, 'capping left 0 s over cap unchanged, with no token loss, 0.0 kWh less IT energy on the guarded racks'],
    ['nothing recommended', side(0, 100, 5), side(0, 100, 5), 0, 'no guarded rack neared its cap: the capper recommended nothing and changed nothing', { withS: 0.61, withoutS: 0.61 }],
    ['latency named when it moved', side(94, 99.995, 239.5), side(363, 99.995, 243.7), 196, 'capping removed 269 s over cap (363 s → 94 s), with no token loss, 4.2 kWh less IT energy on the guarded racks; p99 TTFT 0.62 → 0.89 s', { withS: 0.8884, withoutS: 0.6217 }],
  ];
  for (const [name, w, wo, recs, expected, ttft] of cases) t.equal(verdict(w, wo, recs, ttft), expected, name);
});

await t.test('counterfactualSummary takes recommendations from the Recommend replay and taken from the Enforce one', async (t) => {
  const enforce = { mode: 'Enforce' as const, guardedRacks: 4, side: side(20, 99, 10), recommendations: 40, taken: 30, p99TtftS: 0.9 };
  const recommend = { mode: 'Recommend' as const, guardedRacks: 4, side: side(300, 100, 11), recommendations: 12, taken: 0, p99TtftS: 0.6 };
  const summary = counterfactualSummary(enforce, recommend, 3600);
  t.equal(summary.recommendations, 12);
  t.equal(summary.taken, 30);
  t.equal(summary.withActions.basis, 'simulated');
  t.equal(summary.withoutActions.basis, 'simulated');
  t.equal(summary.to, '1970-01-01T01:00:00.000Z');
});
