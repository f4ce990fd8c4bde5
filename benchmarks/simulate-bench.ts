// Simulator speed: simulated seconds per wall second, and how it scales with the number of racks
// and the length of the trace. Every case runs RUNS times; medians reported, plus ratios against the
// smallest case (1.0 = linear scaling would make the ratio equal to the size ratio).
//   default — the bundled scenario, every policy, the whole trace (what `npm start` does);
//   racks   — 8..64 racks (rows of 8 facing in pairs), load scaled with the room, 900 s;
//   length  — the bundled room, 600..4800 s of trace (looped past its 58 minutes).
// Run: npm run bench:simulate   (env RUNS, default 3; SKIP_DEFAULT=1 to skip the full default run)
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { readDocument } from '../common/index.js';
import { defaultScenarioPath, loadScenario } from '../simulator/scenario.js';
import { simulate } from '../simulator/simulate.js';
import type { PolicyName } from '../simulator/scenario-schema.js';

const RUNS = Number(process.env.RUNS ?? 3);
const SCALING_POLICIES: PolicyName[] = ['default-spread', 'climatik'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

interface Case {
  readonly label: string;
  readonly size: number;
  readonly wallS: number;
  readonly simulatedS: number;
  readonly policies: number;
}

async function timeCase(label: string, size: number, load: () => ReturnType<typeof loadScenario>): Promise<Case> {
  const walls: number[] = [];
  let simulatedS = 0;
  let policies = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const scenario = await load(); // trace reading and shaping are part of a run
    simulate(scenario);
    walls.push((performance.now() - start) / 1000);
    simulatedS = scenario.durationS;
    policies = scenario.policies.length;
  }
  return { label, size, wallS: median(walls), simulatedS, policies };
}

/** A RackTopology of `racks` racks in rows of 8, rows facing in pairs, like the bundled room. */
function topologyDoc(racks: number, template: Record<string, unknown>): unknown {
  const rows = Math.ceil(racks / 8);
  const ids = Array.from({ length: rows }, (_, r) => `r${r}`);
  const pairs: [string, string][] = [];
  for (let r = 0; r + 1 < rows; r += 2) pairs.push([ids[r] ?? '', ids[r + 1] ?? '']);
  return {
    apiVersion: 'climatik.io/v1alpha1',
    kind: 'RackTopology',
    supplyTemperatureC: template.supplyTemperatureC,
    redlineInletC: template.redlineInletC,
    racks: Array.from({ length: racks }, (_, i) => ({
      id: `${ids[Math.floor(i / 8)] ?? 'r'}-${i % 8}`,
      row: ids[Math.floor(i / 8)],
      position: i % 8,
      powerBudgetW: 22000,
      nameplateW: 40800,
    })),
    heatRecirculation: { generated: { model: 'row-layout', hotAislePairs: pairs } },
  };
}

function report(title: string, cases: Case[], unit: string): void {
  const base = cases[0];
  console.log(`\n${title} (median of ${RUNS})`);
  console.log(`${unit.padStart(8)}  ${'wall s'.padStart(8)}  ${'sim s/wall s'.padStart(12)}  ${'wall ratio'.padStart(10)}  ${'size ratio'.padStart(10)}`);
  for (const c of cases) {
    const speed = (c.simulatedS * c.policies) / c.wallS;
    const wallRatio = base === undefined ? 1 : c.wallS / base.wallS;
    const sizeRatio = base === undefined ? 1 : c.size / base.size;
    console.log(`${String(c.size).padStart(8)}  ${c.wallS.toFixed(2).padStart(8)}  ${speed.toFixed(0).padStart(12)}  ${wallRatio.toFixed(2).padStart(10)}  ${sizeRatio.toFixed(2).padStart(10)}`);
  }
}

async function main(): Promise<void> {
  const scenarioPath = defaultScenarioPath();
  const base = await loadScenario(scenarioPath, { policies: ['default-spread'], durationS: 1 });
  const template = (await readDocument(base.topologySource)) as Record<string, unknown>;
  console.log(`simulate benchmark: ${RUNS} runs per case; "sim s/wall s" counts simulated seconds x policies per wall second`);

  if (process.env.SKIP_DEFAULT !== '1') {
    const full = await timeCase('default', 1, () => loadScenario(scenarioPath));
    console.log(`\ndefault scenario, ${full.policies} policies, ${full.simulatedS.toFixed(0)} s of trace: median wall ${full.wallS.toFixed(2)} s, ` +
      `${((full.simulatedS * full.policies) / full.wallS).toFixed(0)} simulated s per wall s`);
  }

  const dir = await mkdtemp(join(tmpdir(), 'climatik-sim-bench-'));
  const racks: Case[] = [];
  for (const n of [8, 16, 32, 64]) {
    const file = join(dir, `racks-${n}.yaml`);
    await writeFile(file, stringify(topologyDoc(n, template)));
    racks.push(await timeCase('racks', n, () => loadScenario(scenarioPath, { topologyFile: file, loadScale: n / 16, durationS: 900, policies: SCALING_POLICIES })));
  }
  report(`racks (4 nodes x 8 GPUs each, load scaled with the room, 900 s, ${SCALING_POLICIES.join(' + ')})`, racks, 'racks');

  const length: Case[] = [];
  for (const s of [600, 1200, 2400, 4800]) {
    length.push(await timeCase('length', s, () => loadScenario(scenarioPath, { durationS: s, policies: SCALING_POLICIES })));
  }
  report(`trace length (bundled room, ${SCALING_POLICIES.join(' + ')})`, length, 'sim s');
}

await main();
