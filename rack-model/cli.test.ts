// The two rack-model subcommands: through run() with captured output for the cases, and through the
// real `node bin/climatik.js` binary (built by `npm run build`) for the exit codes and streams.
import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { run as runPlan } from './cli-plan.js';
import { run as runValidate } from './cli-topology-validate.js';
import { lpPlanner } from './lp-planner.js';
import { loadTopologyFile } from './topology-file.js';
import type { CliIo } from './cli-io.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const ex = (name: string): string => join(root, 'examples', name);

function capture(): CliIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: { write: (s: string) => (out += s) },
    err: { write: (s: string) => (err += s) },
    stdout: () => out,
    stderr: () => err,
  };
}

const planArgs = (demand: string, ...more: string[]): string[] => [
  '--topology', ex('topology.yaml'), '--power', ex('rack-power.json'), '--demand-w', demand, ...more,
];

await t.test('plan --json prints exactly the contract object, equal to the planner result', async (t) => {
  const io = capture();
  t.equal(await runPlan(planArgs('15000', '--json'), io), 0);
  const printed = JSON.parse(io.stdout()) as Record<string, unknown>;
  t.same(Object.keys(printed), ['feasible', 'peakInletC', 'maxSupplyTemperatureC', 'coolingPowerW', 'allocationW']);
  const topology = await loadTopologyFile(ex('topology.yaml'));
  const want = lpPlanner.plan({ topology, rackPowerW: { r01: 12000, r02: 9000, r03: 21000, r04: 6000 }, demandW: 15000 });
  t.same(printed.allocationW, want.allocationW);
  t.equal(printed.peakInletC, want.peakInletC);
  t.equal(io.stdout().trim().split('\n').length, 1, 'one line of JSON');
});

await t.test('plan: infeasible demand exits 0 with feasible false and the reason', async (t) => {
  const io = capture();
  t.equal(await runPlan(planArgs('150000', '--json', '--planner', 'greedy'), io), 0);
  const printed = JSON.parse(io.stdout()) as Record<string, unknown>;
  t.equal(printed.feasible, false);
  t.match(printed.reason, /total headroom 66000 W < demand 150000 W/);
  t.same(Object.keys(printed), ['feasible', 'reason', 'peakInletC', 'maxSupplyTemperatureC', 'coolingPowerW', 'allocationW']);
});

await t.test('plan without --json prints a table with every rack and the cooling summary', async (t) => {
  const io = capture();
  t.equal(await runPlan(planArgs('15000'), io), 0);
  for (const id of ['r01', 'r02', 'r03', 'r04']) t.match(io.stdout(), new RegExp(`^${id} `, 'm'));
  t.match(io.stdout(), /planner lp: feasible/);
  t.match(io.stdout(), /highest usable supply .* cooling \d+ W/);
});

await t.test('plan: bad input is an error naming the field', async (t) => {
  const dir = t.testdir({
    'unknown-rack.json': JSON.stringify({ rackPowerW: { r01: -5, r09: 100 } }),
    'wrong-shape.json': JSON.stringify({ power: { r01: 1 } }),
  });
  const cases: [string, string[], string, RegExp][] = [
    ['unknown rack id and negative power', ['--power', join(dir, 'unknown-rack.json')], 'CLIMATIK_POWER_INPUT_INVALID', /\/rackPowerW\/r01: must be >= 0[\s\S]*\/rackPowerW\/r09: unknown rack id/],
    ['power file of the wrong shape', ['--power', join(dir, 'wrong-shape.json')], 'CLIMATIK_POWER_INPUT_INVALID', /\/rackPowerW: required[\s\S]*\/power: unknown field/],
    ['missing power file', ['--power', join(dir, 'nope.json')], 'CLIMATIK_CONFIG_UNREADABLE', /nope\.json/],
    ['negative demand', ['--demand-w', '-3'], 'CLIMATIK_USAGE', /--demand-w/],
    ['unknown planner', ['--planner', 'annealing'], 'CLIMATIK_USAGE', /--planner.*annealing/],
    ['unexpected argument', ['extra'], 'CLIMATIK_USAGE', /argv/],
  ];
  for (const [name, override, code, describe] of cases) {
    const args = planArgs('1000');
    for (let k = 0; k < override.length; k += 2) {
      const at = args.indexOf(override[k] ?? '');
      if (at >= 0) args[at + 1] = override[k + 1] ?? '';
      else args.push(...override.slice(k, k + 2));
    }
    try {
      await runPlan(args, capture());
      t.fail(`${name}: should throw`);
    } catch (err) {
      t.match(err, { code }, name);
      t.match((err as { describe(): string }).describe(), describe, name);
    }
  }
  await t.rejects(runPlan(['--power', ex('rack-power.json'), '--demand-w', '1'], capture()), { code: 'CLIMATIK_USAGE', message: /--topology/ });
});

await t.test('--help prints usage and exits 0', async (t) => {
  for (const run of [runPlan, runValidate]) {
    const io = capture();
    t.equal(await run(['--help'], io), 0);
    t.match(io.stdout(), /^usage: climatik/);
  }
});

await t.test('topology validate: examples are valid, one summary line each', async (t) => {
  for (const file of ['topology.yaml', 'topology-generated.yaml']) {
    const io = capture();
    t.equal(await runValidate([ex(file)], io), 0, file);
    t.match(io.stdout(), /: valid: \d+ racks/);
    t.equal(io.stdout().trim().split('\n').length, 1);
  }
});

await t.test('topology validate: every problem printed as path: message (value: …), exit 1', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'bad.yaml');
  await writeFile(
    file,
    ['apiVersion: climatik.io/v1alpha1', 'kind: RackTopology', 'supplyTemperatureC: 18', 'redlineInletC: 17', 'racks:',
      '  - {id: r01, powerBudgetW: 1000, nodes: [n1]}', '  - {id: r01, nodes: [n1]}', 'heatRecirculation:', '  matrixCPerKW: [[0.1, .nan], [0.1]]', ''].join('\n'),
  );
  const io = capture();
  t.equal(await runValidate([file], io), 1);
  const lines = io.stdout().trim().split('\n');
  t.match(lines[0], /6 problem\(s\)/);
  t.same(lines.slice(1).map((l) => l.trim().split(':')[0]), [
    '/heatRecirculation/matrixCPerKW/0/1',
    '/heatRecirculation/matrixCPerKW/1',
    '/racks/1/id',
    '/racks/1/nodes/0',
    '/racks/1/powerBudgetW',
    '/redlineInletC',
  ]);
  t.match(io.stdout(), /\/redlineInletC: must be above supplyTemperatureC \(18 °C\) \(value: 17\)/);
  await t.rejects(runValidate([], capture()), { code: 'CLIMATIK_USAGE' });
});

const execFileP = promisify(execFile);
const bin = join(root, 'bin', 'climatik.js');

async function climatik(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [bin, ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

await t.test('the real binary (needs `npm run build`)', async (t) => {
  t.ok(existsSync(join(root, 'dist', 'rack-model', 'cli-plan.js')), 'dist/ is built: run `npm run build` first');
  const plan = await climatik('plan', ...planArgs('15000', '--json'));
  t.equal(plan.code, 0, plan.stderr);
  t.equal((JSON.parse(plan.stdout) as { feasible: boolean }).feasible, true);
  const infeasible = await climatik('plan', ...planArgs('150000', '--json'));
  t.equal(infeasible.code, 0, 'infeasible still exits 0');
  t.equal((JSON.parse(infeasible.stdout) as { feasible: boolean }).feasible, false);
  const bad = await climatik('plan', ...planArgs('x'));
  t.equal(bad.code, 1);
  t.match(bad.stderr, /--demand-w/);
  const valid = await climatik('topology', 'validate', ex('topology.yaml'));
  t.equal(valid.code, 0);
  t.match(valid.stdout, /valid: 4 racks/);
  const invalid = await climatik('topology', 'validate', ex('rack-power.json'));
  t.equal(invalid.code, 1);
  t.match(invalid.stdout, /\/apiVersion: required field is missing/);
});
