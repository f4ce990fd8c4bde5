// The status page in a real browser: Debian's Chromium (scripts/install-system-deps.sh installs it)
// driven by playwright-core against the extender app listening on loopback. Needs no cluster, so it
// runs with `npm test`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import t from 'tap';
import { ManualClock } from '../../common/index.js';
import type { StoredPlan } from '../../extender/plan-store.js';
import { T0_MS, gpuPod, testExtender } from '../../extender/testing/fixtures.js';
import { readingsSource, twoRowTopology } from '../../extender/ui/fixtures.js';
import type { ListedPolicy } from '../../extender/ui/index.js';
import { launchChromium, PNG_SIGNATURE, text, type Chromium } from './chromium.js';

const readings = { r1: { powerW: 9500, inletC: 25.5 }, r2: { powerW: 5000, inletC: 21 }, r3: { powerW: 4000, inletC: 19.5 }, r4: { powerW: 0 } };
const plan: StoredPlan = {
  computedAtMs: T0_MS - 30_000,
  plan: { feasible: true, planner: 'lp', allocationW: { r2: 700, r3: 1300 }, peakInletC: 21, maxSupplyTemperatureC: 22, coolingPowerW: 1 },
};
// What the page must show for each rack: the served values, formatted as on the page.
const expected = [
  { id: 'r1', power: '9,500 W', budget: '10,000 W', inlet: 'inlet 25.5 °C', target: 'plan target: none' },
  { id: 'r2', power: '5,000 W', budget: '10,000 W', inlet: 'inlet 21.0 °C', target: 'plan target: 700 W' },
  { id: 'r3', power: '4,000 W', budget: '10,000 W', inlet: 'inlet 19.5 °C', target: 'plan target: 1,300 W' },
  { id: 'r4', power: '0 W', budget: '10,000 W', inlet: 'inlet n/a', target: 'plan target: none' },
];

let chromium: Chromium;
let browser: BrowserContext;
t.before(async () => {
  chromium = await launchChromium();
  browser = chromium.browser;
});
t.teardown(() => chromium.close());

async function serve(opts: Parameters<typeof testExtender>[0]): Promise<{ base: string; close: () => Promise<void> }> {
  const { app } = await testExtender(opts);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error(`unexpected listen address ${String(addr)}`);
  // Plain close(): Chromium's preconnected, never-used socket must not hold it (extender/shutdown.ts).
  return { base: `http://127.0.0.1:${addr.port}`, close: () => app.close() };
}
interface BrowserGlobals { getComputedStyle(e: unknown): { backgroundColor: string } }
/** [red, green] of an element's computed background colour. */
async function redGreen(page: Page, selector: string): Promise<[number, number]> {
  // Runs in the page; the project's tsconfig has no DOM lib, so the browser global is declared here.
  const css = await page.locator(selector).evaluate((e) => (globalThis as unknown as BrowserGlobals).getComputedStyle(e).backgroundColor);
  const m = /rgb\((\d+), (\d+), (\d+)\)/.exec(css);
  if (m === null) throw new Error(`not an rgb colour: ${css}`);
  return [Number(m[1]), Number(m[2])];
}

void t.test('four racks: values served are rendered, hot rack red, a filter decision shows up, screenshot taken', async (t) => {
  const clock = new ManualClock(T0_MS);
  const server = await serve({ clock, power: readingsSource(readings, clock), plan });
  t.teardown(server.close);
  const page = await browser.newPage();
  await page.goto(`${server.base}/ui`);
  await page.locator('[data-rack="r4"]').waitFor();

  t.same(await page.locator('[data-rack]').evaluateAll((els) => els.map((e) => e.getAttribute('data-rack'))), ['r1', 'r2', 'r3', 'r4']);
  for (const r of expected) {
    const card = `[data-rack="${r.id}"]`;
    t.same(
      { power: await text(page, `${card} .power-w`), budget: await text(page, `${card} .budget`), inlet: await text(page, `${card} .inlet`), target: await text(page, `${card} .target`) },
      { power: r.power, budget: r.budget, inlet: r.inlet, target: r.target },
      `rack ${r.id}`,
    );
  }
  const [hotR, hotG] = await redGreen(page, '[data-rack="r1"] .power');
  const [coolR, coolG] = await redGreen(page, '[data-rack="r4"] .power');
  t.ok(hotR > hotG, `r1 at 95% of budget is red (rgb ${hotR},${hotG})`);
  t.ok(coolG > coolR, `r4 at 0 W is green (rgb ${coolR},${coolG})`);
  const [inletHotR, inletHotG] = await redGreen(page, '[data-rack="r1"] .inlet');
  t.ok(inletHotR > inletHotG, 'r1 inlet 25.5 °C, near the 27 °C redline, is red');
  t.match(await text(page, '#plan-summary'), /^lp · feasible/);
  t.match(await text(page, '#capper-none'), /No policy source/);
  t.match(await text(page, '#decisions'), /no filter or bind requests/);

  const res = await fetch(`${server.base}/filter`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ Pod: gpuPod({ name: 'llm-7' }), NodeNames: ['gpu-1a', 'gpu-2a'] }),
  });
  t.equal(res.status, 200);
  // The page picks it up on its next poll.
  const row = page.locator('tr.decision[data-verb="filter"]');
  await row.waitFor({ timeout: 30_000 });
  const decision = (await row.textContent()) ?? '';
  t.match(decision, /inference\/llm-7/);
  t.match(decision, /1 passed \(gpu-2a\), 1 rejected/);
  t.match(decision, /gpu-1a: rack r1: .*exceeds budget 10000 W/);

  const shot = join(chromium.profileDir, 'status-page.png');
  await page.screenshot({ path: shot, fullPage: true });
  const png = await readFile(shot);
  t.ok(png.length > 1000, `screenshot has content (${png.length} bytes)`);
  t.same([...png.subarray(0, 8)], PNG_SIGNATURE, 'PNG signature');
  await page.close();
});

void t.test('two rows: racks laid out by topology row, in position order', async (t) => {
  const clock = new ManualClock(T0_MS);
  const power = readingsSource({ b1: { powerW: 1000 }, b2: { powerW: 2000 }, a2: { powerW: 3000 }, a3: { powerW: 4000 } }, clock);
  const server = await serve({ clock, topology: twoRowTopology(), power });
  t.teardown(server.close);
  const page = await browser.newPage();
  await page.goto(`${server.base}/ui`);
  await page.locator('[data-rack="a3"]').waitFor();
  const layout = await page.locator('[data-row]').evaluateAll((rows) =>
    rows.map((r) => [r.getAttribute('data-row'), [...r.querySelectorAll('[data-rack]')].map((e) => e.getAttribute('data-rack'))]),
  );
  t.same(layout, [['B', ['b1', 'b2']], ['A', ['a2', 'a3']]]);
  t.equal(await text(page, '[data-rack="b2"] .budget'), '12,000 W');
  await page.close();
});

const policy: ListedPolicy = {
  metadata: { name: 'row-a', namespace: 'climatik-system' },
  spec: { mode: 'Recommend' },
  status: {
    racksOverCap: 1,
    activeActions: 1,
    racks: [
      { id: 'r1', state: 'OverCap', capW: 9000, measuredW: 9500, forecastW: 9800 },
      { id: 'r2', state: 'UnderCap', capW: 9000, measuredW: 4000 },
    ],
    recommendedActions: [{ kind: 'gpu-power-limit', target: 'gpu-1a', value: 550, rack: 'r1', reason: 'r1 9500 W over cap 9000 W', time: '2026-11-29T10:00:00Z' }],
    appliedActions: [{ kind: 'scale', target: 'inference/llm', value: 3, reason: 'r1 forecast over cap', time: '2026-11-29T09:30:00Z' }],
    conditions: [{ type: 'Ready', status: 'True', reason: 'Reconciled', message: 'every rack measured', lastTransitionTime: '2026-11-29T09:00:00Z' }],
  },
};

void t.test('capper policies: recommendations and applied actions from the policy status are shown', async (t) => {
  const server = await serve({ policyStatusSource: { kind: 'cluster', list: async () => [policy] } });
  t.teardown(server.close);
  const page = await browser.newPage();
  await page.goto(`${server.base}/ui`);
  const card = page.locator('[data-policy="climatik-system/row-a"]');
  await card.waitFor();
  t.match(await card.locator('.row-name').textContent(), /Recommend · racks over cap: 1 · active actions: 1/);
  t.same(await card.locator('.policy-rack').evaluateAll((els) => els.map((e) => e.textContent)), [
    'r1 OverCap (cap 9,000 W, measured 9,500 W, forecast 9,800 W)',
    'r2 UnderCap (cap 9,000 W, measured 4,000 W)',
  ]);
  t.equal(await card.locator('.condition').textContent(), 'Ready=True (Reconciled)');
  const actions = await card.locator('tr.action').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-list'), r.textContent ?? '']));
  t.equal(actions.length, 2, 'one recommended, one applied');
  t.match(actions[0], ['recommended', /gpu-power-limit.*gpu-1a.*550.*r1 9500 W over cap 9000 W/]);
  t.match(actions[1], ['applied', /scale.*inference\/llm.*3.*r1 forecast over cap/]);
  await page.close();
});
